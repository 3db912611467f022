import io

import pytest
import soundfile
from asgiref.sync import async_to_sync

from conversations.models import Message, MessageRole, MessageState
from conversations.services.sessions import session_start
from conversations.tests.factories import practice_session, seeded_templates

pytestmark = pytest.mark.django_db


def _partner_message(session, content: str) -> Message:
    conversation = session.conversation
    seq = (conversation.messages.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return Message.objects.create(conversation=conversation, role=MessageRole.ASSISTANT, content=content, seq=seq)


async def _read(stream) -> bytes:
    return b"".join([chunk async for chunk in stream])


def _audio(client, message, **query):
    response = client.get(f"/api/v1/messages/{message.id}/audio", query)
    body = async_to_sync(_read)(response.streaming_content) if response.streaming else response.content
    return response, body


def _seconds(body: bytes) -> float:
    samples, rate = soundfile.read(io.BytesIO(body))
    return len(samples) / rate


def test_a_japanese_reply_is_spoken_as_ogg_opus_of_a_plausible_length(auth_client, user):
    # given a partner line of 3 sentences (about 30 morae)
    message = _partner_message(
        practice_session(user=user), "こんにちは。きょうは いい てんきですね。どこへ いきますか。"
    )
    # when the learner asks to hear it
    response, body = _audio(auth_client, message)
    # then it is Ogg audio that decodes, a few seconds long
    assert response.status_code == 200, body[:200]
    assert response["Content-Type"] == "audio/ogg"
    assert body[:4] == b"OggS"
    assert 2.0 < _seconds(body) < 9.0


def test_slow_speed_stretches_the_audio(auth_client, user):
    message = _partner_message(practice_session(user=user), "えきは どこですか。まっすぐ いって ください。")
    _, normal = _audio(auth_client, message, speed="1")
    _, slow = _audio(auth_client, message, speed="0.75")
    ratio = _seconds(slow) / _seconds(normal)
    assert 1.15 < ratio < 1.6, ratio


def test_a_replay_comes_from_the_cache_byte_for_byte(auth_client, user, monkeypatch):
    message = _partner_message(practice_session(user=user), "ありがとう ございます。")
    _, first = _audio(auth_client, message)
    # a second listen must not synthesise again
    from language.japanese import speech

    monkeypatch.setattr(speech, "japanese_ogg", lambda *a, **k: pytest.fail("synthesised twice"))
    response, again = _audio(auth_client, message)
    assert response.status_code == 200
    assert again == first


def test_another_learners_message_is_not_found(auth_client, other_user):
    message = _partner_message(practice_session(user=other_user), "こんにちは。")
    response, body = _audio(auth_client, message)
    assert response.status_code == 404
    assert b'"code":"not_found"' in body.replace(b" ", b"")


def test_an_unknown_or_malformed_id_is_not_found(auth_client, user):
    assert auth_client.get("/api/v1/messages/00000000-0000-0000-0000-000000000000/audio").status_code == 404
    assert auth_client.get("/api/v1/messages/not-a-uuid/audio").status_code == 404


def test_a_speed_other_than_slow_or_normal_is_refused(auth_client, user):
    message = _partner_message(practice_session(user=user), "こんにちは。")
    response, body = _audio(auth_client, message, speed="2")
    assert response.status_code == 400
    assert b"speed" in body


def test_a_reply_still_streaming_is_a_conflict(auth_client, user):
    message = _partner_message(practice_session(user=user), "こんに")
    Message.objects.filter(id=message.id).update(state=MessageState.STREAMING)
    response, body = _audio(auth_client, message)
    assert response.status_code == 409
    assert b"message_incomplete" in body


def test_spanish_has_no_offline_voice(auth_client, user):
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
    message = _partner_message(session, "¡Hola! ¿Qué te pongo?")
    response, body = _audio(auth_client, message)
    assert response.status_code == 503
    assert b"speech_unavailable" in body


def test_signed_out_callers_are_refused(api_client, user):
    message = _partner_message(practice_session(user=user), "こんにちは。")
    assert api_client.get(f"/api/v1/messages/{message.id}/audio").status_code == 401


def test_capabilities_say_japanese_is_spoken_here_and_spanish_is_not(auth_client):
    japanese = auth_client.get("/api/v1/voice", {"language": "japanese"})
    spanish = auth_client.get("/api/v1/voice", {"language": "spanish"})
    assert japanese.json() == {"speech": True, "transcription": False}
    assert spanish.json() == {"speech": False, "transcription": False}
    assert auth_client.get("/api/v1/voice").status_code == 400
