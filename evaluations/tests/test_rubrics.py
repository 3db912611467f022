"""The rubric per kind of practice, from the offline scorer: language sessions are judged as language."""

import json
import re

import pytest

from coaching.tests.conftest import ANSWERS, practice
from coaching.tests.test_real_sdk import requests_for, responder
from conversations.tests.factories import seeded_templates
from evaluations.models import Evaluation, EvaluationStatus

pytestmark = pytest.mark.django_db(transaction=True)

# A session that reaches one of the scenario's six goals: the offline partner counts an answer to a
# question it has not asked yet, so the turns stay off its questions (where from, likes, weekend).
JAPANESE_TURNS = [
    "はじめまして。よろしく おねがいします。",
    "わたしを がくせい です。",
    "にほんごの べんきょうは たのしいです。まいにち ひらがなを かきます。",
    "きのうは とても いそがしかった。",
    "ありがとうございます。また はなしましょう。",
]
# What an interview coach says and a language teacher never would.
INTERVIEW_VOCABULARY = re.compile(
    r"(?i)\bSTAR\b|interview|situation|stakeholder|clarity|relevance|confidence|pitch|filler|"
    r"Clarity and structure|Relevance and focus|Confidence and delivery"
)


def japanese_practice(client) -> str:
    seeded_templates()
    return practice(client, mode="language", answers=JAPANESE_TURNS, language="japanese", level="beginner",
                    template="casual")  # fmt: skip


def test_a_language_session_is_scored_on_the_language_rubric_with_the_learners_words(auth_client, user):
    session_id = japanese_practice(auth_client)

    evaluation_id = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()["evaluation_id"]
    body = auth_client.get(f"/api/v1/evaluations/{evaluation_id}").json()

    assert body["rubric"] == "language"
    assert set(body["universal_scores"]) == {"accuracy", "range", "fluency", "task_completion", "register"}
    assert body["context_scores"] == {}
    said = " ".join(JAPANESE_TURNS)
    for dimension in body["universal_scores"]:
        assert body["evidence"][dimension], dimension
        assert all(quote in said for quote in body["evidence"][dimension]), dimension
    # the particle mistake is in the accuracy evidence, the plain-form turn in the register evidence
    assert "わたしを がくせい です。" in body["evidence"]["accuracy"]
    assert "きのうは とても いそがしかった。" in body["evidence"]["register"]
    assert body["details"]["accuracy"]["by_kind"]
    assert 0 <= body["overall_score"] <= 100


def test_a_language_evaluation_holds_no_interview_vocabulary(auth_client, user):
    session_id = japanese_practice(auth_client)
    auth_client.post(f"/api/v1/sessions/{session_id}/end")
    evaluation = Evaluation.objects.get(session_id=session_id)

    texts = [*evaluation.improvement_areas, *evaluation.practice_suggestions, *evaluation.strengths,
             *evaluation.universal_scores]  # fmt: skip
    assert evaluation.improvement_areas
    assert not [text for text in texts if INTERVIEW_VOCABULARY.search(text)]
    for page in (f"/sessions/{session_id}/review", "/trends"):
        html = auth_client.get(page).content.decode()
        assert not INTERVIEW_VOCABULARY.search(html), page
    improvements = auth_client.get("/api/v1/improvements").content.decode()
    assert not INTERVIEW_VOCABULARY.search(improvements)
    trends = auth_client.get("/api/v1/analytics/trends").content.decode()
    assert not INTERVIEW_VOCABULARY.search(trends)


def test_an_interview_is_scored_on_the_professional_rubric_and_cites_the_answers(auth_client, user):
    session_id = practice(auth_client, preparation_type="Interview")

    ended = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()
    evaluation = Evaluation.objects.get(id=ended["evaluation_id"])

    assert evaluation.rubric == "professional"
    scored = {*evaluation.universal_scores, *evaluation.context_scores}
    assert scored and set(evaluation.evidence) == scored
    assert all(quote in " ".join(ANSWERS) for quotes in evaluation.evidence.values() for quote in quotes)
    assert "cap" not in evaluation.details


def test_hard_caps_hold_without_answers_and_for_a_session_left_early(auth_client, user):
    none = practice(auth_client, answers=["ok", "yes", "no"])
    early = practice(auth_client, answers=[ANSWERS[2], "ok", "bye"])

    none_eval = Evaluation.objects.get(id=auth_client.post(f"/api/v1/sessions/{none}/end").json()["evaluation_id"])
    early_eval = Evaluation.objects.get(id=auth_client.post(f"/api/v1/sessions/{early}/end").json()["evaluation_id"])

    assert none_eval.overall_score <= 20 and none_eval.details["cap"]["reason"] == "no_answers"
    assert early_eval.overall_score <= 50 and early_eval.details["cap"]["reason"] == "abandoned_early"


GOOD_LANGUAGE = {
    "scores": {
        "accuracy": "strong",
        "range": "solid",
        "fluency": "solid",
        "task_completion": "strong",
        "register": "developing",
    },  # fmt: skip
    "evidence": {"register": ["きのうは とても いそがしかった。"], "fluency": ["not the learner's words"]},
    "improvement_areas": ["Keep to です/ます with people you have just met.", "Answer with the STAR structure."],
    "practice_suggestions": ["End each sentence with です or ます."],
    "strengths": ["Clear self-introduction."],
    "overall_score": 75,
}


def test_the_language_rubric_through_the_openai_sdk_is_validated_and_settled(fake_llm, auth_client, user):
    fake_llm.responder = responder({"LanguageEvaluationOut": [json.dumps(GOOD_LANGUAGE)]})
    session_id = japanese_practice(auth_client)

    body = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()

    evaluation = Evaluation.objects.get(id=body["evaluation_id"])
    assert evaluation.rubric == "language" and evaluation.offline is False
    # the checker's particle finding is counted; the goals (none reached yet) decide task completion
    assert evaluation.details["accuracy"]["by_kind"] == {"particle": 1}
    assert evaluation.universal_scores["task_completion"] == "needs_work"
    assert evaluation.evidence["register"] == ["きのうは とても いそがしかった。"]
    assert "not the learner's words" not in evaluation.evidence["fluency"]
    assert evaluation.improvement_areas == ["Keep to です/ます with people you have just met."]
    prompt = requests_for(fake_llm, "LanguageEvaluationOut")[0]["messages"]
    assert "register" in prompt[0]["content"] and "わたしを がくせい です。" in prompt[1]["content"]


def test_a_malformed_language_evaluation_is_retried_then_marked_failed(fake_llm, auth_client, user):
    fake_llm.responder = responder({"LanguageEvaluationOut": ['{"scores": {"accuracy"', '{"scores": {"accuracy": 3}}']})
    session_id = japanese_practice(auth_client)

    body = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()

    assert body["evaluation_id"] is None and body["reason"] == "ai_malformed_output"
    failed = Evaluation.objects.get(session_id=session_id)
    assert failed.status == EvaluationStatus.FAILED and failed.rubric == "language"


def _small_talk(turns: list[str], mistakes: list[dict]):
    from evaluations.language_rubric import language_score
    from evaluations.schemas import EvaluationRequest

    transcript = [
        turn
        for text in turns
        for turn in ({"role": "assistant", "content": "はい。"}, {"role": "user", "content": text})
    ]
    goals = [{"text": text, "reached": True} for text in ("Say your name", "Say something you like")]
    request = EvaluationRequest(
        rubric="language", mode="language", language="japanese", level="beginner", context_dimensions=[],
        transcript=transcript, mistakes=mistakes, goals=goals,
    )  # fmt: skip
    return language_score(request)


GOOD_TURNS = [
    "こんにちは。ハナです。カナダから きました。",
    "わたしは がくせいです。にほんごを べんきょうしています。",
    "ほんが すきです。まいにち としょかんに いきます。",
    "きのう ともだちと えいがを みました。",
    "しゅうまつは こうえんで テニスを します。",
]


def test_one_mistake_in_a_good_session_is_still_the_thing_to_work_on():
    # given a good beginner session with one particle mistake
    mistake = {
        "type": "particle", "severity": "medium", "original": "を", "correction": "わたしは がくせいです",
        "explanation": "Mark the topic of 〜です with は, not を.", "sentence": "わたしを がくせいです。",
    }  # fmt: skip
    evaluation = _small_talk([*GOOD_TURNS[:1], "わたしを がくせいです。", *GOOD_TURNS[2:]], [mistake])

    # then accuracy is still strong, and the review names the mistake and the sentence to say instead
    assert evaluation.scores.accuracy == "strong"
    assert "Accuracy: one mistake in this session, with particles (は, が, を, に, で)." in evaluation.improvement_areas
    assert "Say the corrected sentence aloud twice: わたしは がくせいです" in evaluation.practice_suggestions


def test_a_session_with_nothing_weak_gets_the_one_thing_short_of_strong_to_work_on():
    # given a session whose answers get short at the end: fluency is solid, nothing is weak
    evaluation = _small_talk([*GOOD_TURNS[:2], "はい。", "ほん。"], [])
    assert evaluation.scores.fluency == "solid"

    # then the review still says what to work on, and how
    assert evaluation.improvement_areas == ["Fluency: your turns averaged 11.8 characters; answer in whole sentences."]
    assert evaluation.practice_suggestions == ["Add one detail to each answer: when, where, with whom or why."]
    # and a session strong everywhere has nothing to add
    assert _small_talk(GOOD_TURNS, []).improvement_areas == []
