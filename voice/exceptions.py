from config.exceptions import Conflict, NotFound, ParleyError, ServiceUnavailable


class MessageNotFound(NotFound):
    default_message = "No such message, or not one of yours."


class MessageIncomplete(Conflict):
    code = "message_incomplete"
    default_message = "This message is still being written; ask for its audio once it is complete."


class SpeechUnavailable(ServiceUnavailable):
    code = "speech_unavailable"
    default_message = "Spoken audio for this language needs an AI provider; use your device's speech instead."


class TranscriptionUnavailable(ServiceUnavailable):
    code = "transcription_unavailable"
    default_message = "Speech recognition needs an AI provider; type your turn or use your browser's recognition."


class RecordingInvalid(ParleyError):
    default_message = "The recording could not be used."
