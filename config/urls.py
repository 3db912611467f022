from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config import operations, views

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("templates.urls")),
    path("", include("conversations.urls")),
    path("", include("evaluations.urls")),
    path("", include("vocabulary.urls")),
    path("", include("coaching.urls")),
]

urlpatterns = [
    path("healthz", operations.healthz, name="healthz"),
    path("metrics", operations.metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
    path("", views.home, name="home"),
]
