from django.urls import re_path

from evaluations import api

urlpatterns = [
    re_path(r"^evaluations/(?P<evaluation_id>[^/]+)/?$", api.EvaluationDetailView.as_view(), name="evaluation-detail"),
    re_path(
        r"^sessions/(?P<session_id>[^/]+)/evaluation/?$",
        api.SessionEvaluationView.as_view(),
        name="session-evaluation",
    ),
    re_path(r"^sessions/(?P<session_id>[^/]+)/evaluate/?$", api.SessionEvaluateView.as_view(), name="session-evaluate"),
    re_path(r"^sessions/(?P<session_id>[^/]+)/mistakes/?$", api.SessionMistakesView.as_view(), name="session-mistakes"),
    re_path(r"^mistakes/?$", api.MistakeListView.as_view(), name="mistake-list"),
]
