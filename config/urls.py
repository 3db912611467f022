from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from accounts import views as account_pages
from coaching import session_review
from coaching import views as coaching_pages
from config import operations, views
from conversations import views as session_pages
from vocabulary import views as vocabulary_pages

api_v1 = [
    path("", include("accounts.urls")),
    path("", include("templates.urls")),
    path("", include("conversations.urls")),
    path("", include("evaluations.urls")),
    path("", include("vocabulary.urls")),
    path("", include("coaching.urls")),
    path("", include("voice.urls")),
    path("", include("assistant.urls")),
]

pages = [
    path("signup/", account_pages.signup_view, name="signup"),
    path("login/", account_pages.login_view, name="login"),
    path("logout/", account_pages.logout_view, name="logout"),
    path("sessions/<uuid:session_id>/", session_pages.session_chat, name="session-chat"),
    path("sessions/<uuid:session_id>/settings/", session_pages.session_settings, name="session-settings-page"),
    path("sessions/<uuid:session_id>/end/", session_pages.session_end, name="session-end-page"),
    path("sessions/<uuid:session_id>/review/", session_review.session_review, name="session-review"),
    path("sessions/<uuid:session_id>/evaluate/", coaching_pages.evaluation_retry_page, name="session-evaluate-page"),
    path("messages/", session_pages.messages_inbox, name="messages-page"),
    path("messages/<uuid:conversation_id>/", session_pages.messages_inbox, name="conversation-page"),
    path("rehearsals/", coaching_pages.rehearsal_start, name="rehearsal-start-page"),
    path("history/", coaching_pages.history_page, name="history-page"),
    path("profile/", coaching_pages.profile_page, name="profile-page"),
    path("trends/", coaching_pages.trends_page, name="trends-page"),
    path("review/", coaching_pages.review_page, name="review-page"),
    path("review/practise/", coaching_pages.review_practise_page, name="review-practise-page"),
    path("review/<uuid:card_id>/rate/", coaching_pages.review_rate_page, name="review-rate-page"),
    path("vocabulary/", vocabulary_pages.vocabulary_page, name="vocabulary-page"),
    path("", views.home, name="home"),
]

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("healthz", operations.healthz, name="healthz"),
    path("metrics", operations.metrics, name="metrics"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (`?script`), not inline.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema", template_name="redoc.html"), name="redoc"),
    path("admin/", admin.site.urls),
    *pages,
]

handler404 = views.page_not_found
