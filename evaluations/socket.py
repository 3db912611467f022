"""Ending a practice session over the socket: `end_session` → `session.ended`, evaluated as REST does.

The REST end, the end page and this frame all call conversations' session_finish, which ends the
session and has evaluations judge it; the evaluation (a model call, or the offline rules) runs in a
worker thread while the socket waits for it.
"""

from channels.db import database_sync_to_async

from conversations.events import user_send
from conversations.selectors import session_get
from conversations.services.sessions import session_finish


def _finish(*, user, session_id) -> dict:
    finished = session_finish(session=session_get(user=user, session_id=session_id))
    payload = {
        "type": "session.ended",
        "session_id": str(finished.session.id),
        "status": finished.session.status,
        "evaluation_id": finished.evaluation_id,
    }
    if finished.reason:
        payload["reason"] = finished.reason
    return payload


async def on_end_session(consumer, frame: dict) -> None:
    """End and evaluate the learner's session; every tab of the learner hears `session.ended`."""
    payload = await database_sync_to_async(_finish)(user=consumer.user, session_id=frame.get("session_id"))
    await user_send(consumer.user.id, payload)
