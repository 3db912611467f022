import pytest
from rest_framework.test import APIClient

from accounts.models import ActivationState
from accounts.services import tokens_for
from ai.errors import ProviderError
from ai.providers import offline
from coaching.models import ImprovementPlan, ProgressRollup
from coaching.tests.conftest import ANSWERS, WEAK_ANSWERS, practice
from conversations.models import Message, MessageRole, PracticeSession
from evaluations.models import Evaluation, EvaluationStatus, Mistake
from evaluations.offline import evaluation_offline, language_evaluation_offline
from evaluations.scoring import BANDS, FEATURE_ADVICE, UNIVERSAL

# The REST turns run the gateway through async_to_sync; on PostgreSQL that needs committed rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def evaluation_handler():
    """Swap the offline `evaluation` handler for a test, restoring the real one after."""

    def swap(handler):
        offline.register_offline_handler("evaluation", handler)

    yield swap
    offline.register_offline_handler("evaluation", evaluation_offline)


def test_ending_after_three_answers_creates_an_offline_evaluation(auth_client, user):
    session_id = practice(auth_client, preparation_type="Interview", meeting_subtype="Behavioral")

    ended = auth_client.post(f"/api/v1/sessions/{session_id}/end")

    assert ended.status_code == 200, ended.content
    body = ended.json()
    assert body["status"] == "completed" and body["evaluation_id"] and "reason" not in body
    evaluation = auth_client.get(f"/api/v1/evaluations/{body['evaluation_id']}").json()
    assert evaluation["offline"] is True and evaluation["status"] == "ok"
    assert set(evaluation["universal_scores"]) == set(UNIVERSAL)
    assert set(evaluation["context_scores"]) == {"star_structure", "specificity_impact", "role_fit"}
    assert len(evaluation["improvement_areas"]) <= 3
    assert auth_client.get(f"/api/v1/sessions/{session_id}/evaluation").json() == evaluation


def test_the_overall_score_sits_in_the_band_of_the_levels(auth_client, user):
    for answers in (ANSWERS, WEAK_ANSWERS):
        session_id = practice(auth_client, answers=answers)
        evaluation_id = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()["evaluation_id"]
        evaluation = Evaluation.objects.get(id=evaluation_id)
        levels = [evaluation.universal_scores[d] for d in UNIVERSAL]
        low = sum(BANDS[level][0] for level in levels) / 5
        high = sum(BANDS[level][1] for level in levels) / 5
        assert low <= evaluation.overall_score <= high


def test_weak_answers_score_lower_and_name_improvement_areas(auth_client, user):
    strong = practice(auth_client)
    weak = practice(auth_client, answers=WEAK_ANSWERS)

    strong_eval = Evaluation.objects.get(id=auth_client.post(f"/api/v1/sessions/{strong}/end").json()["evaluation_id"])
    weak_eval = Evaluation.objects.get(id=auth_client.post(f"/api/v1/sessions/{weak}/end").json()["evaluation_id"])

    assert weak_eval.overall_score < strong_eval.overall_score
    assert weak_eval.universal_scores["confidence_delivery"] in ("needs_work", "developing")
    assert 1 <= len(weak_eval.improvement_areas) <= 3
    assert len(weak_eval.practice_suggestions) == len(weak_eval.improvement_areas)


def test_fewer_than_three_answers_completes_without_an_evaluation(auth_client, user):
    session_id = practice(auth_client, answers=ANSWERS[:2])

    body = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()

    assert body == {"session_id": session_id, "status": "completed", "evaluation_id": None, "reason": "too_few_turns"}
    assert auth_client.get(f"/api/v1/sessions/{session_id}/evaluation").status_code == 404
    retry = auth_client.post(f"/api/v1/sessions/{session_id}/evaluate")
    assert retry.status_code == 409 and retry.json()["code"] == "too_few_turns"


def test_the_first_evaluated_session_activates_the_user(auth_client, user):
    assert user.activation_state == ActivationState.NEW
    practice_id = practice(auth_client, answers=ANSWERS[:1])
    auth_client.post(f"/api/v1/sessions/{practice_id}/end")
    user.refresh_from_db()
    assert user.activation_state == ActivationState.NEW

    auth_client.post(f"/api/v1/sessions/{practice(auth_client)}/end")

    user.refresh_from_db()
    assert user.activation_state == ActivationState.ACTIVATED
    assert auth_client.get("/api/v1/auth/me").json()["activation_state"] == "activated"


def test_ending_twice_keeps_one_evaluation(auth_client, user):
    session_id = practice(auth_client)

    first = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()
    again = auth_client.post(f"/api/v1/sessions/{session_id}/complete").json()

    assert first["evaluation_id"] == again["evaluation_id"]
    assert Evaluation.objects.count() == 1
    assert ProgressRollup.objects.get(user=user).evaluated_sessions == 1


def test_a_malformed_answer_fails_the_evaluation_retryably_then_retry_succeeds(auth_client, user, evaluation_handler):
    # given a partner whose evaluation never matches the schema
    calls = []
    evaluation_handler(lambda request: calls.append(1) or {"universal_scores": {"clarity_structure": "great"}})
    session_id = practice(auth_client)

    # when the session ends
    ended = auth_client.post(f"/api/v1/sessions/{session_id}/end")

    # then it is completed, with a failed, retryable evaluation (asked once: the offline partner would
    # answer a second try the same)
    assert ended.status_code == 200, ended.content
    assert ended.json()["evaluation_id"] is None and ended.json()["reason"] == "ai_malformed_output"
    assert len(calls) == 1
    failed = auth_client.get(f"/api/v1/sessions/{session_id}/evaluation").json()
    assert failed["status"] == "failed" and failed["retryable"] is True
    user.refresh_from_db()
    assert user.activation_state == ActivationState.NEW
    again = auth_client.post(f"/api/v1/sessions/{session_id}/evaluate")
    assert again.status_code == 503 and again.json()["code"] == "ai_malformed_output"

    # and once the partner answers properly, the retry evaluates it
    evaluation_handler(evaluation_offline)
    retried = auth_client.post(f"/api/v1/sessions/{session_id}/evaluate")
    assert retried.status_code == 200, retried.content
    assert retried.json()["status"] == "ok" and retried.json()["attempts"] == 3
    user.refresh_from_db()
    assert user.activation_state == ActivationState.ACTIVATED
    assert ImprovementPlan.objects.filter(user=user).exists()


def test_an_ai_outage_completes_the_session_with_a_retryable_evaluation(auth_client, user, evaluation_handler):
    def down(request):
        raise ProviderError("provider down", transient=False)

    evaluation_handler(down)
    session_id = practice(auth_client)

    ended = auth_client.post(f"/api/v1/sessions/{session_id}/end")

    assert ended.status_code == 200
    assert ended.json()["reason"] == "ai_unavailable"
    assert PracticeSession.objects.get(id=session_id).status == "completed"
    assert Evaluation.objects.get(session_id=session_id).status == EvaluationStatus.FAILED


def test_evaluate_an_in_progress_session_is_a_conflict(auth_client, user):
    session_id = practice(auth_client)

    response = auth_client.post(f"/api/v1/sessions/{session_id}/evaluate")

    assert response.status_code == 409 and response.json()["code"] == "session_in_progress"


def test_it_validates_ownership(auth_client, user, other_user):
    session_id = practice(auth_client)
    evaluation_id = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()["evaluation_id"]
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens_for(user=other_user)['token']}")

    assert other.get(f"/api/v1/evaluations/{evaluation_id}").status_code == 404
    assert other.get(f"/api/v1/sessions/{session_id}/evaluation").status_code == 404
    assert other.post(f"/api/v1/sessions/{session_id}/evaluate").status_code == 404
    assert other.get("/api/v1/evaluations/not-a-uuid").status_code == 404


def test_language_sessions_are_evaluated_with_their_mistakes(auth_client, user):
    # given a language session whose every answer had a mistake
    session_id = practice(auth_client, mode="language", answers=ANSWERS)
    session = PracticeSession.objects.get(id=session_id)
    for message in Message.objects.filter(conversation=session.conversation, role=MessageRole.USER):
        Mistake.objects.create(message=message, session=session, type="grammar", original="x", correction="y")

    # when it ends
    evaluation_id = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()["evaluation_id"]

    # then the language rubric's accuracy reflects them, and there are no interview context scores
    evaluation = Evaluation.objects.get(id=evaluation_id)
    assert evaluation.rubric == "language"
    assert evaluation.universal_scores["accuracy"] in ("needs_work", "developing")
    assert evaluation.context_scores == {} and "register" not in evaluation.universal_scores


def test_a_model_cannot_rate_accuracy_above_what_the_mistakes_allow(auth_client, user):
    offline.register_offline_handler("language_evaluation", lambda request: {
        "scores": {"accuracy": "strong", "range": "strong", "fluency": "strong", "task_completion": "strong"},
        "evidence": {"accuracy": ["words the learner never said"], "range": [ANSWERS[1]]},
        "improvement_areas": ["Use the STAR method.", "a", "b", "c", "d"],
        "overall_score": 140,
    })  # fmt: skip
    try:
        session_id = practice(auth_client, mode="language")
        session = PracticeSession.objects.get(id=session_id)
        for message in Message.objects.filter(conversation=session.conversation, role=MessageRole.USER):
            Mistake.objects.create(message=message, session=session, original="x", correction="y")

        ended = auth_client.post(f"/api/v1/sessions/{session_id}/end").json()
    finally:
        offline.register_offline_handler("language_evaluation", language_evaluation_offline)
    evaluation = Evaluation.objects.get(id=ended["evaluation_id"])

    assert evaluation.universal_scores["accuracy"] == "developing"
    assert evaluation.improvement_areas == ["a", "b", "c"]
    assert evaluation.overall_score == round((3 * 100 + 59) / 4)
    assert evaluation.evidence["range"] == [ANSWERS[1]]
    # a quote the learner never said is replaced by the learner's own words
    assert evaluation.evidence["accuracy"] and "never said" not in str(evaluation.evidence["accuracy"])
    assert evaluation.offline is False


def test_the_gateway_logs_the_evaluation_call(auth_client, user):
    session_id = practice(auth_client)

    auth_client.post(f"/api/v1/sessions/{session_id}/end")

    row = PracticeSession.objects.get(id=session_id).conversation.ai_interactions.get(purpose="evaluation")
    assert row.status == "ok" and ANSWERS[0] in str(row.prompt)


def test_an_interview_context_score_that_needs_work_is_one_of_the_improvement_areas(auth_client, user):
    # Polite, fluent, well-connected answers with no STAR cue and no figure: the universal scores are
    # fine, the interview's STAR structure and specificity are not, and the review must say so.
    answers = [
        "Thank you for having me. I have worked in delivery for six years, and because I like people, "
        "I enjoy leading teams through difficult releases, so that is why this role appeals to me.",
        "There was a time when the team and a client disagreed about the scope of a release, so first I "
        "listened to both sides, then we talked it through together and in the end everyone was happy.",
        "When a deadline moved forward, we worked closely with the client, therefore the team stayed calm "
        "and for example we kept daily check-ins, so that nobody was surprised and the launch went well.",
    ]
    session_id = practice(auth_client, answers=answers, preparation_type="Interview")

    evaluation = Evaluation.objects.get(
        id=auth_client.post(f"/api/v1/sessions/{session_id}/end").json()["evaluation_id"]
    )

    weak = {dim for dim, level in evaluation.context_scores.items() if level in ("needs_work", "developing")}
    assert {"star_structure", "specificity_impact"} <= weak
    assert FEATURE_ADVICE["star"][0] in evaluation.improvement_areas
    assert FEATURE_ADVICE["specificity"][0] in evaluation.improvement_areas
    assert len(evaluation.practice_suggestions) == len(evaluation.improvement_areas) <= 3
