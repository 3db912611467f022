from rest_framework import status

from config.exceptions import Conflict, NotFound, ParleyError


class ConversationNotFound(NotFound):
    default_message = "Conversation not found."


class SessionNotFound(NotFound):
    default_message = "Session not found."


class MessageNotFound(NotFound):
    default_message = "Message not found."


class TurnInProgress(Conflict):
    code = "turn_in_progress"
    default_message = "The partner is still answering your previous message; wait for it to finish."


class SessionClosed(Conflict):
    code = "session_closed"
    default_message = "This session has ended; start a new one to keep practising."


class InvalidContent(ParleyError):
    code = "invalid"
    default_message = "The message is not valid."


class Throttled(ParleyError):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    code = "throttled"
    default_message = "You are sending messages too fast; slow down a little."


class LanguageNotSpoken(ParleyError):
    code = "language_not_spoken"
    default_message = "The partner does not speak this language yet."
