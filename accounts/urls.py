from django.urls import re_path

from accounts import api

urlpatterns = [
    re_path(r"^auth/signup/?$", api.SignupView.as_view(), name="auth-signup"),
    re_path(r"^auth/register/?$", api.SignupView.as_view(), name="auth-register"),
    re_path(r"^auth/login/?$", api.LoginView.as_view(), name="auth-login"),
    re_path(r"^auth/refresh/?$", api.RefreshView.as_view(), name="auth-refresh"),
    re_path(r"^auth/logout/?$", api.LogoutView.as_view(), name="auth-logout"),
    re_path(r"^auth/me/?$", api.MeView.as_view(), name="auth-me"),
    re_path(r"^auth/google/start/?$", api.GoogleStartView.as_view(), name="auth-google-start"),
    re_path(r"^auth/google/callback/?$", api.GoogleCallbackView.as_view(), name="auth-google-callback"),
    re_path(r"^auth/google/token/?$", api.GoogleTokenView.as_view(), name="auth-google-token"),
]
