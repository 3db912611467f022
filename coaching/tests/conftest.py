import pytest
from django.utils import timezone

from conversations.models import SessionStatus
from conversations.services.sessions import session_start
from evaluations.models import Evaluation

ANSWERS = [
    "In my last role the situation was a payments outage. My task was to restore service within an hour.",
    "First I gathered the team, then I led the rollback because the new release caused it.",
    "As a result we restored service in 40 minutes and cut repeat incidents by 30% that quarter.",
]
WEAK_ANSWERS = ["um yes", "maybe, I think so", "uh basically no"]


@pytest.fixture(autouse=True)
def offline_partner(settings):
    """Every coaching test runs on the offline partner unless it asks for the fake provider."""
    settings.LLM_PROVIDER = "offline"
    settings.LLM_FALLBACKS = []


def practice(client, *, mode="interview", answers=ANSWERS, **start) -> str:
    """Start a session through the API and answer `answers`; the session's id."""
    body = {"mode": mode, "language": "english", "level": "intermediate", **start}
    response = client.post("/api/v1/sessions", body, format="json")
    assert response.status_code == 201, response.content
    session_id = response.json()["session_id"]
    for answer in answers:
        turn = client.post(f"/api/v1/sessions/{session_id}/messages", {"message": answer}, format="json")
        assert turn.status_code == 201, turn.content
    return session_id


def evaluated_session(*, user, score: int, levels: dict | None = None, prep: str = "Interview", when=None,
                      title: str = "") -> Evaluation:  # fmt: skip
    """A completed session with an evaluation stored directly, for reads that need many of them."""
    session = session_start(user=user, mode="interview", language="english", level="intermediate",
                            preparation_type=prep)  # fmt: skip
    when = when or timezone.now()
    session.status, session.created_at, session.ended_at = SessionStatus.COMPLETED, when, when
    session.save(update_fields=["status", "created_at", "ended_at"])
    if title:
        session.conversation.title = title
        session.conversation.save(update_fields=["title"])
    universal = {
        "clarity_structure": "solid",
        "relevance_focus": "solid",
        "confidence_delivery": "solid",
        "language_quality": "solid",
        "tone_alignment": "solid",
        **(levels or {}),
    }
    return Evaluation.objects.create(
        session=session,
        user=user,
        preparation_type=prep,
        universal_scores=universal,
        overall_score=score,
        practice_suggestions=["Practise"],
        created_at=when,
    )
