"""Structured outputs through the real openai SDK against the local fake provider server."""

import json

import pytest

from coaching.tests.conftest import practice
from coaching.tests.test_cv import CV, SECRETS
from conversations.tests.fake_provider import Scripted
from evaluations.models import Evaluation, EvaluationStatus
from evaluations.scoring import UNIVERSAL

GOOD_EVALUATION = {
    "universal_scores": dict.fromkeys(UNIVERSAL, "solid") | {"clarity_structure": "strong"},
    "context_scores": {"star_structure": "strong", "specificity_impact": "solid", "role_fit": "solid"},
    "improvement_areas": ["Quantify the result"],
    "practice_suggestions": ["Add one number per answer"],
    "strengths": ["Clear structure"],
    "overall_score": 99,
}


def schema_of(body: dict) -> str | None:
    return ((body.get("response_format") or {}).get("json_schema") or {}).get("name")


def responder(answers: dict[str, list[str]]):
    """Plain replies for chat; for a structured purpose the next scripted answer of its schema."""

    def respond(body: dict) -> Scripted:
        schema = schema_of(body)
        if schema in answers:
            queue = answers[schema]
            return Scripted(text=queue.pop(0) if len(queue) > 1 else queue[0])
        if schema == "Findings":
            return Scripted(text=json.dumps({"findings": []}))
        if schema == "VocabularyTags":
            return Scripted(text=json.dumps({"items": []}))
        if schema == "SummaryOut":
            return Scripted(text=json.dumps({"summary": "So far."}))
        return Scripted(text="Tell me more about that.")

    return respond


def requests_for(provider, schema: str) -> list[dict]:
    return [r["body"] for r in provider.requests if schema_of(r["body"]) == schema]


@pytest.mark.django_db(transaction=True)
def test_a_model_evaluation_is_stored_with_a_consistent_score(fake_llm, auth_client, user):
    fake_llm.responder = responder({"EvaluationOut": [json.dumps(GOOD_EVALUATION)]})
    session_id = practice(auth_client, preparation_type="Interview")

    body = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()

    evaluation = Evaluation.objects.get(id=body["evaluation_id"])
    assert evaluation.offline is False and evaluation.universal_scores["clarity_structure"] == "strong"
    # 99 is above what one strong and four solid levels allow, so it is clamped to their band.
    assert evaluation.overall_score == round((100 + 4 * 79) / 5)
    prompt = requests_for(fake_llm, "EvaluationOut")[0]["messages"]
    assert "star_structure" in prompt[0]["content"] and "payments outage" in prompt[1]["content"]


@pytest.mark.django_db(transaction=True)
def test_a_malformed_model_evaluation_is_retried_once_then_marked_failed(fake_llm, auth_client, user):
    fake_llm.responder = responder({"EvaluationOut": ['{"universal_scores": {"clarity', '{"overall_score": "x"}']})
    session_id = practice(auth_client)

    body = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()

    assert body["evaluation_id"] is None and body["reason"] == "ai_malformed_output"
    assert len(requests_for(fake_llm, "EvaluationOut")) == 2
    assert Evaluation.objects.get(session_id=session_id).status == EvaluationStatus.FAILED

    fake_llm.responder = responder({"EvaluationOut": [json.dumps(GOOD_EVALUATION)]})
    retried = auth_client.post(f"/api/v1/sessions/{session_id}/evaluate")
    assert retried.status_code == 200 and retried.json()["status"] == "ok"


@pytest.mark.django_db(transaction=True)
def test_a_provider_outage_does_not_break_the_end_of_a_session(fake_llm, auth_client, user):
    session_id = practice(auth_client)
    fake_llm.responder = None
    fake_llm.script(*[Scripted(status=500)] * 3)

    ended = auth_client.post(f"/api/v1/sessions/{session_id}/end")

    assert ended.status_code == 200 and ended.json()["reason"] == "ai_unavailable"


@pytest.mark.django_db(transaction=True)
def test_the_provider_never_sees_a_redacted_value(fake_llm, auth_client, user):
    structure = {"structured_profile": {"roles": [{"title": "Engineer"}], "skills": ["Python"], "achievements": []},
                 "story_bank": [{"title": "Migration", "action": "Led it", "result": "40% faster"}]}  # fmt: skip
    fake_llm.responder = responder({"CVStructure": [json.dumps(structure)]})
    user.display_name = "Jane Doe"
    user.save(update_fields=["display_name"])

    response = auth_client.post("/api/v1/profile/cv", {"cv_text": CV, "redact_pii": True}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["story_bank"][0]["title"] == "Migration"
    sent = json.dumps(fake_llm.requests)
    assert "[EMAIL]" in sent and "Acme Corp" in sent
    for secret in SECRETS:
        assert secret not in sent, secret


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([json.dumps({"advice": []})], []),
        (
            [json.dumps({"advice": [{"advice": "Add numbers to the outage story.", "score": 7},
                                    {"advice": "Cut fillers.", "score": -1}, {"advice": "", "score": 1}]})],
            ["Add numbers to the outage story.", "Cut fillers."],
        ),
    ],
)  # fmt: skip
def test_advice_from_the_model_is_cleaned(fake_llm, auth_client, user, answers, expected):
    fake_llm.responder = responder({"AdviceOut": answers})

    response = auth_client.post("/api/v1/coach/advice", {"text": "The outage story"}, format="json")

    assert response.status_code == 200, response.content
    items = response.json()
    assert [item["advice"] for item in items] == expected
    assert all(0 <= item["score"] <= 1 and item["source"] == "model" for item in items)


@pytest.mark.django_db(transaction=True)
def test_broken_advice_json_is_a_503_not_a_500(fake_llm, auth_client, user):
    fake_llm.responder = responder({"AdviceOut": ["[{'advice': broken", "not json at all"]})

    response = auth_client.post("/api/v1/coach/advice", {"text": "The outage story"}, format="json")

    assert response.status_code == 503
    assert response.json()["code"] == "ai_malformed_output"
    assert len(requests_for(fake_llm, "AdviceOut")) == 2
