"""The offline partner and provider selection: no network, deterministic, labelled offline."""

import sys
import types

import pytest
from pydantic import BaseModel

from ai import (
    Persona,
    ReplyRequest,
    Turn,
    VocabHint,
    register_offline_handler,
    reply_stream,
    reply_sync,
    structured,
    summarise,
    tag_vocabulary,
)
from ai.models import AIInteraction
from ai.providers import primary_name
from partner.analysis import analyse_turn
from partner.offline import SUMMARY_MAX_CHARS, SUMMARY_MAX_SENTENCES


@pytest.fixture(autouse=True)
def _offline(settings):
    settings.LLM_PROVIDER = ""
    settings.OPENAI_API_KEY = ""
    settings.MISTRAL_API_KEY = ""
    settings.LLM_FALLBACKS = []


@pytest.fixture
def cafe():
    return ReplyRequest(
        language="japanese",
        persona=Persona(name="ゆき", role="カフェの てんいん", style="polite"),
        starter_turns=["なにを のみますか。", "サイズは どうしますか。"],
        vocab_hints=[
            VocabHint(phrase="コーヒー", reading="こーひー", translation="coffee"),
            VocabHint(phrase="おちゃ", reading="おちゃ", translation="tea"),
        ],
        user_text="こんにちは",
    )


def test_without_keys_the_offline_partner_is_used(settings):
    assert primary_name() == "offline"
    settings.MISTRAL_API_KEY = "mk"
    assert primary_name() == "mistral"
    settings.OPENAI_API_KEY = "sk"
    assert primary_name() == "openai"
    settings.LLM_PROVIDER = "offline"
    assert primary_name() == "offline"


def test_reply_follows_persona_first_starter_turn_and_a_hint(db, user, cafe):
    result = reply_sync(user=user, conversation=None, request=cafe)
    assert result.text.startswith("こんにちは。ゆきです。カフェの てんいんです。")
    assert "「コーヒー」（こーひー）" in result.text
    assert result.text.endswith("なにを のみますか。")
    assert (result.provider, result.offline, result.fallback) == ("offline", True, False)
    row = AIInteraction.objects.get(pk=result.interaction_id)
    assert (row.provider, row.status, row.response) == ("offline", "ok", result.text)


def test_reply_walks_to_the_next_starter_turn_and_answers_questions(db, user, cafe):
    later = cafe.model_copy(
        update={
            "recent_turns": [Turn(role="user", content="こんにちは"), Turn(role="assistant", content="…")],
            "user_text": "おなまえは なんですか？",
        }
    )
    text = reply_sync(user=user, conversation=None, request=later).text
    assert "わたしの なまえは ゆきです。" in text
    assert "「おちゃ」" in text
    assert text.endswith("サイズは どうしますか。")
    assert "こんにちは。" not in text


def test_reply_is_deterministic_and_in_the_session_language(db, user, cafe):
    english = cafe.model_copy(update={"language": "english", "persona": Persona(name="Sam", role="barista")})
    first = reply_sync(user=user, conversation=None, request=english).text
    assert first == reply_sync(user=user, conversation=None, request=english).text
    assert first.startswith("Hello! I'm Sam, your barista.")


@pytest.mark.django_db(transaction=True)
async def test_offline_stream_reassembles_to_the_reply(user, cafe):
    items = [item async for item in reply_stream(user=user, conversation=None, request=cafe)]
    deltas, result = items[:-1], items[-1]
    assert len(deltas) > 3
    assert "".join(d.text for d in deltas) == result.text
    assert result.offline and result.tokens_out > 0


@pytest.mark.django_db(transaction=True)
async def test_vocabulary_tags_are_the_hints_in_the_reply(user, cafe):
    text = "おちゃと コーヒー、どちらですか。"
    tags = await tag_vocabulary(user=user, conversation=None, text=text, language="japanese", hints=cafe.vocab_hints)
    assert [t.phrase for t in tags] == ["おちゃ", "コーヒー"]


@pytest.mark.django_db(transaction=True)
async def test_summary_keeps_first_sentences_and_stays_bounded(user):
    turns = [Turn(role="user", content=f"Turn {i} happened. Details follow.") for i in range(20)]
    turns.append(Turn(role="assistant", content="Partner lines are left out."))
    summary = await summarise(user=user, conversation=None, turns=turns, language="english", previous_summary="Met.")
    lines = summary.splitlines()
    assert lines[-1] == "Turn 19 happened."
    assert len(lines) <= SUMMARY_MAX_SENTENCES and len(summary) <= SUMMARY_MAX_CHARS
    assert "Partner" not in summary and "Details" not in summary


@pytest.mark.django_db(transaction=True)
async def test_other_apps_register_offline_handlers_by_purpose(user):
    class Advice(BaseModel):
        advice: str
        score: int

    class AdviceRequest(BaseModel):
        topic: str

    register_offline_handler("advice_test", lambda request: {"advice": f"Practise {request.topic}.", "score": 5})
    out = await structured(
        user=user, conversation=None, purpose="advice_test", schema=Advice, request=AdviceRequest(topic="greetings")
    )
    assert out == Advice(advice="Practise greetings.", score=5)


@pytest.mark.django_db(transaction=True)
async def test_analyse_turn_offline_reports_the_japanese_checkers_findings(user):
    found = await analyse_turn(
        user=user, conversation=None, text="ねこを すきです", language="japanese", level="beginner", strictness="strict"
    )
    assert [f["correction"].replace(" ", "") for f in found] == ["ねこがすきです"]


@pytest.mark.django_db(transaction=True)
async def test_analyse_turn_uses_the_japanese_checker_when_present(user, monkeypatch):
    class Finding:
        def __init__(self, n: int):
            self.n = n

        def as_dict(self) -> dict:
            return {
                "type": "particle",
                "severity": "medium",
                "original": f"o{self.n}",
                "correction": f"c{self.n}",
                "explanation": "e",
                "rule": "r",
            }

    checker = types.ModuleType("language.japanese")
    checker.analyse = lambda text: [Finding(n) for n in range(5)]
    monkeypatch.setitem(sys.modules, "language.japanese", checker)
    found = await analyse_turn(
        user=user, conversation=None, text="ねこを すき", language="japanese", level="beginner", strictness="strict"
    )
    assert [f["original"] for f in found] == ["o0", "o1", "o2"]
    english = await analyse_turn(
        user=user, conversation=None, text="I has", language="english", level="beginner", strictness="strict"
    )
    assert english == []
