"""URLs for the error-envelope tests: a DRF view and a plain view that crash."""

from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class CrashingView(APIView):
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("boom")


def crashing_plain_view(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("api/v1/crash", CrashingView.as_view()),
    path("api/v1/crash-plain", crashing_plain_view),
    path("", include("config.urls")),
]
