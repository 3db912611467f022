"""The offline partner in the gateway: tried once, no retry or timer, and its token estimate."""

import pytest
from pydantic import BaseModel

from ai import AIMalformedOutput, register_offline_handler, structured
from ai.models import AIInteraction
from ai.providers.offline import estimate_tokens


class Score(BaseModel):
    score: int


@pytest.mark.django_db(transaction=True)
async def test_a_malformed_offline_answer_is_not_asked_for_twice(settings, user):
    # given the offline partner answering a purpose with what its schema refuses
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = []
    asked = []
    register_offline_handler("score_test", lambda request: asked.append(request) or {"score": "high"})
    # when it is asked
    with pytest.raises(AIMalformedOutput):
        await structured(user=user, conversation=None, purpose="score_test", schema=Score, messages=[])
    # then once: it answers from memory, the same every time
    assert len(asked) == 1
    assert [row async for row in AIInteraction.objects.values_list("status", flat=True)] == ["malformed"]


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("", 0),
        ("a", 1),
        ("Hello there, friend", 5),
        ("ねこが すきです", 8),
        ("日本語を勉強します。", 10),
        ("Tokyo 東京", 4),
    ],
)
def test_wide_letters_count_as_a_token_each_latin_as_a_quarter(text, tokens):
    assert estimate_tokens(text) == tokens
