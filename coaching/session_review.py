"""The review page after a practice session: its evaluation, transcript, mistakes, words and goals.

It sits in coaching because it puts together what the apps below it keep: the transcript and scenario
(conversations), the evaluation and mistakes (evaluations), the words (vocabulary).
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from coaching.charts import humanise, levels_display
from conversations import selectors
from conversations.models import MessageState, SessionStatus
from conversations.views import LANG_TAGS, scenario_context, session_or_404
from evaluations import selectors as evaluation_selectors
from evaluations.exceptions import EvaluationNotFound
from evaluations.services import MIN_USER_TURNS
from vocabulary.selectors import session_vocabulary


def _evaluation_context(request, session) -> dict:
    """The session's evaluation laid out for the page, or why there is none."""
    try:
        evaluation = evaluation_selectors.evaluation_for_session(user=request.user, session_id=session.id)
    except EvaluationNotFound:
        evaluation = None
    if evaluation is not None and not evaluation.retryable:
        return {
            "evaluation": evaluation,
            "levels": levels_display(evaluation.universal_scores, evaluation.evidence),
            "context_scores": [
                {
                    "label": humanise(name),
                    "level": level,
                    "level_label": humanise(str(level)),
                    "evidence": evaluation.evidence.get(name, []),
                }
                for name, level in evaluation.context_scores.items()
            ],
            "improvement_areas": evaluation.improvement_areas[:3],
        }
    if evaluation is not None:
        reason = "The evaluation failed because the AI partner was unavailable. You can try again."
    elif session.status == SessionStatus.IN_PROGRESS:
        reason = "End the session to get an evaluation."
    elif session.user_turns < MIN_USER_TURNS:
        reason = f"Too few turns: a session needs at least {MIN_USER_TURNS} answers to be evaluated."
    else:
        reason = "This session was not evaluated."
    return {"evaluation": None, "failed_evaluation": evaluation, "no_evaluation_reason": reason}


def _practised(session, evaluation) -> list[dict]:
    """What a "due" session practised: the evaluation's account of each target, with the review it
    counted as; a session too short to be scored has only the marks on its targets."""
    checked = {t.get("card_id") or t.get("text"): t for t in session.targets if "used" in t}
    details = getattr(evaluation, "details", None) or {}
    practised = details.get("targets_practised") or list(checked.values())
    return [{**t, **checked.get(t.get("card_id") or t.get("text"), {})} for t in practised]


@login_required
def session_review(request, session_id):
    session = session_or_404(request, session_id)
    previous = session.previous_attempt
    attempts = evaluation_selectors.attempt_summary
    context = {
        "session": session,
        "attempts": [attempts(session=session), attempts(session=previous)] if previous else None,
        "transcript": selectors.transcript_get(session=session).exclude(state=MessageState.FAILED),
        "mistakes": evaluation_selectors.mistake_list(user=request.user, session_id=session.id),
        "vocabulary": session_vocabulary(user=request.user, session=session),
        "lang": LANG_TAGS.get(session.language, ""),
        **_evaluation_context(request, session),
        **scenario_context(session),
    }
    context["practised"] = _practised(session, context["evaluation"])
    return render(request, "coaching/session_review.html", context)
