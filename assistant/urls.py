from django.urls import re_path

from assistant import api

urlpatterns = [
    re_path(r"^users/(?P<user_id>[^/]+)/chat/?$", api.AssistantChatView.as_view(), name="assistant-chat"),
    re_path(
        r"^users/(?P<user_id>[^/]+)/chat/(?P<conversation_id>[^/]+)/history/?$",
        api.AssistantHistoryView.as_view(),
        name="assistant-history",
    ),
]
