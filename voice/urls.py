from django.urls import re_path

from voice import api

MESSAGE = r"(?P<message_id>[0-9a-fA-F-]{36})"
SESSION = r"(?P<session_id>[0-9a-fA-F-]{36})"

urlpatterns = [
    re_path(r"^voice/?$", api.VoiceCapabilitiesView.as_view(), name="voice-capabilities"),
    re_path(rf"^sessions/{SESSION}/transcribe/?$", api.SessionTranscribeView.as_view(), name="session-transcribe"),
    re_path(rf"^messages/{MESSAGE}/audio/?$", api.MessageAudioView.as_view(), name="message-audio"),
]
