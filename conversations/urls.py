from django.urls import re_path

from conversations.api import messaging, people, sessions

urlpatterns = [
    re_path(r"^sessions/?$", sessions.SessionListView.as_view(), name="session-list"),
    re_path(r"^sessions/(?P<session_id>[^/]+)/?$", sessions.SessionDetailView.as_view(), name="session-detail"),
    re_path(
        r"^sessions/(?P<session_id>[^/]+)/messages/?$", sessions.SessionMessagesView.as_view(), name="session-messages"
    ),
    re_path(r"^sessions/(?P<session_id>[^/]+)/stop/?$", sessions.SessionStopView.as_view(), name="session-stop"),
    re_path(
        r"^sessions/(?P<session_id>[^/]+)/regenerate/?$",
        sessions.SessionRegenerateView.as_view(),
        name="session-regenerate",
    ),
    re_path(
        r"^sessions/(?P<session_id>[^/]+)/messages/(?P<message_id>[^/]+)/edit/?$",
        sessions.SessionMessageEditView.as_view(),
        name="session-message-edit",
    ),
    re_path(r"^sessions/(?P<session_id>[^/]+)/end/?$", sessions.SessionEndView.as_view(), name="session-end"),
    re_path(r"^sessions/(?P<session_id>[^/]+)/hints/?$", sessions.SessionHintsView.as_view(), name="session-hints"),
    re_path(r"^sessions/(?P<session_id>[^/]+)/complete/?$", sessions.SessionEndView.as_view(), name="session-complete"),
    re_path(r"^conversations/?$", messaging.ConversationListView.as_view(), name="conversation-list"),
    re_path(
        r"^conversations/(?P<conversation_id>[^/]+)/messages/?$",
        messaging.ConversationMessagesView.as_view(),
        name="conversation-messages",
    ),
    re_path(
        r"^conversations/(?P<conversation_id>[^/]+)/read/?$",
        messaging.ConversationReadView.as_view(),
        name="conversation-read",
    ),
    re_path(r"^messages/?$", messaging.MessageListView.as_view(), name="message-list"),
    re_path(r"^groups/?$", messaging.GroupListView.as_view(), name="group-list"),
    re_path(r"^groups/(?P<group_id>[^/]+)/members/?$", messaging.GroupMembersView.as_view(), name="group-members"),
    re_path(r"^users/?$", people.UserSearchView.as_view(), name="user-search"),
    re_path(r"^users/(?P<user_id>[^/]+)/block/?$", people.UserBlockView.as_view(), name="user-block"),
]
