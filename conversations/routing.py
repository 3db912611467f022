from django.urls import re_path

from conversations.consumers import ParleyConsumer

websocket_urlpatterns = [
    re_path(r"^ws/(chat/)?$", ParleyConsumer.as_asgi()),
]
