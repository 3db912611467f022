"""Speech and transcription through the gateway: the real openai and mistralai SDKs against the fake
provider server, on the wire they use in production."""

import io

import numpy
import pytest
import soundfile
from asgiref.sync import async_to_sync
from django.core.files.uploadedfile import SimpleUploadedFile

from ai.models import AIInteraction
from conversations.models import Message, MessageRole, SessionStatus
from conversations.services.sessions import session_start
from conversations.tests.factories import practice_session, seeded_templates
from conversations.tests.fake_provider import Scripted

pytestmark = pytest.mark.django_db


def _wav(seconds: float, rate: int = 16_000) -> bytes:
    out = io.BytesIO()
    soundfile.write(out, numpy.zeros(int(seconds * rate), dtype="float32"), rate, format="WAV")
    return out.getvalue()


def _spanish_reply(user, content: str = "¡Hola! ¿Qué te pongo?") -> Message:
    seeded_templates()
    session = session_start(
        user=user,
        mode="language",
        language="spanish",
        level="beginner",
        persona="friendly",
        strictness="balanced",
        template="cafe",
    )
    seq = session.conversation.messages.order_by("-seq").values_list("seq", flat=True).first() or 0
    return Message.objects.create(
        conversation=session.conversation, role=MessageRole.ASSISTANT, content=content, seq=seq + 1
    )


async def _read(stream) -> bytes:
    return b"".join([chunk async for chunk in stream])


def _audio(client, message, **query):
    response = client.get(f"/api/v1/messages/{message.id}/audio", query)
    body = async_to_sync(_read)(response.streaming_content) if response.streaming else response.content
    return response, body


def _transcribe(client, session, data: bytes, name: str = "turn.wav"):
    upload = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    return client.post(f"/api/v1/sessions/{session.id}/transcribe", {"audio": upload}, format="multipart")


def test_spanish_is_spoken_by_the_provider_and_logged_as_speech(auth_client, user, fake_llm):
    message = _spanish_reply(user)
    response, body = _audio(auth_client, message, speed="0.75")
    assert response.status_code == 200, body[:300]
    assert response["Content-Type"] == "audio/ogg"
    samples, rate = soundfile.read(io.BytesIO(body))
    assert len(samples) / rate > 1.0
    (sent,) = [r["body"] for r in fake_llm.requests if r.get("path") == "/v1/audio/speech"]
    assert sent["input"] == "¡Hola! ¿Qué te pongo?"
    assert sent["speed"] == 0.75
    assert sent["response_format"] == "opus"
    row = AIInteraction.objects.get(purpose="speech")
    assert row.status == "ok"
    assert row.prompt == [{"role": "user", "content": "¡Hola! ¿Qué te pongo?"}]
    assert row.response.startswith(f"<{len(body)} bytes of audio/ogg")


def test_provider_speech_is_asked_for_once_per_message_and_speed(auth_client, user, fake_llm):
    message = _spanish_reply(user)
    _, first = _audio(auth_client, message)
    _, again = _audio(auth_client, message)
    assert again == first
    assert sum(r.get("path") == "/v1/audio/speech" for r in fake_llm.requests) == 1


def test_a_failing_speech_provider_is_a_503_and_nothing_is_cached(auth_client, user, fake_llm):
    message = _spanish_reply(user)
    fake_llm.script(*[Scripted(status=500)] * 3)
    response, body = _audio(auth_client, message)
    assert response.status_code == 503
    assert b"ai_unavailable" in body
    response, _ = _audio(auth_client, message)
    assert response.status_code == 200


def test_capabilities_follow_the_provider(auth_client, fake_llm):
    assert auth_client.get("/api/v1/voice", {"language": "spanish"}).json() == {"speech": True, "transcription": True}


def test_a_recording_is_transcribed_by_openai_without_keeping_the_audio(auth_client, user, fake_llm):
    session = practice_session(user=user)
    fake_llm.script(Scripted(text="えきは どこですか"))
    response = _transcribe(auth_client, session, _wav(1.5))
    assert response.status_code == 200, response.content
    assert response.json() == {"text": "えきは どこですか"}
    (sent,) = [r["body"] for r in fake_llm.requests if r.get("path") == "/v1/audio/transcriptions"]
    assert sent["model"] == "gpt-4o-mini-transcribe"
    assert sent["language"] == "ja"
    assert sent["file_bytes"] == len(_wav(1.5))
    row = AIInteraction.objects.get(purpose="transcription")
    assert row.response == "えきは どこですか"
    assert "RIFF" not in str(row.prompt)
    # transcription stores no turn: the learner checks the text and sends it themselves
    assert not session.conversation.messages.filter(role="user").exists()


def test_a_recording_is_transcribed_by_mistral(auth_client, user, fake_llm, settings):
    settings.LLM_PROVIDER = "mistral"
    session = practice_session(user=user)
    fake_llm.script(Scripted(text="こんにちは"))
    response = _transcribe(auth_client, session, _wav(1.0))
    assert response.json() == {"text": "こんにちは"}
    (sent,) = [r["body"] for r in fake_llm.requests if r.get("path") == "/v1/audio/transcriptions"]
    assert sent["model"] == "voxtral-mini-latest"
    assert AIInteraction.objects.get(purpose="transcription").provider == "mistral"


def test_a_failing_transcription_provider_is_a_503(auth_client, user, fake_llm):
    session = practice_session(user=user)
    fake_llm.script(*[Scripted(status=503)] * 3)
    response = _transcribe(auth_client, session, _wav(1.0))
    assert response.status_code == 503
    assert response.json()["code"] == "ai_unavailable"


def test_without_a_provider_transcription_is_unavailable(auth_client, user, settings):
    settings.LLM_PROVIDER = "offline"
    session = practice_session(user=user)
    response = _transcribe(auth_client, session, _wav(1.0))
    assert response.status_code == 503
    assert response.json()["code"] == "transcription_unavailable"


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"this is plain text, not a recording", "not an audio recording"),
        (b"RIFF" + b"\0" * (2 * 1024 * 1024), "too large"),
        (_wav(61, rate=8_000), "too long"),
    ],
)
def test_recordings_out_of_bounds_are_refused_before_any_provider(auth_client, user, fake_llm, data, problem):
    session = practice_session(user=user)
    response = _transcribe(auth_client, session, data)
    assert response.status_code == 400, response.content
    assert problem in response.json()["error"]
    assert not [r for r in fake_llm.requests if r.get("path") == "/v1/audio/transcriptions"]


def test_transcribe_checks_ownership_state_and_body(auth_client, user, other_user, fake_llm):
    theirs = practice_session(user=other_user)
    assert _transcribe(auth_client, theirs, _wav(1.0)).status_code == 404
    mine = practice_session(user=user)
    assert auth_client.post(f"/api/v1/sessions/{mine.id}/transcribe", {}, format="multipart").status_code == 400
    assert auth_client.post(f"/api/v1/sessions/{mine.id}/transcribe", {"audio": "x"}, format="json").status_code == 415
    mine.status = SessionStatus.COMPLETED
    mine.save(update_fields=["status"])
    assert _transcribe(auth_client, mine, _wav(1.0)).status_code == 409
