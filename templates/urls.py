from django.urls import re_path

from templates import api

urlpatterns = [
    re_path(r"^templates/?$", api.TemplateListView.as_view(), name="template-list"),
    re_path(r"^templates/(?P<slug>[-\w]+)/?$", api.TemplateDetailView.as_view(), name="template-detail"),
]
