"""A practice turn over REST: store it, write the reply now, answer with the turn's findings.

The socket takes the same turn (turn_submit) but streams the reply in the background instead
(replies.reply_generate_in_background); regenerate and edit answer the turn they made here too.
"""

from dataclasses import dataclass

from asgiref.sync import async_to_sync

from conversations import selectors
from conversations.models import Message, PracticeSession
from conversations.services.analysis import findings_kept
from conversations.services.replies import reply_generate
from conversations.services.serializers import mistake_payload
from conversations.services.sessions import TurnStart, turn_submit


@dataclass(frozen=True)
class TurnAnswered:
    user_message: Message
    ai_message: Message | None
    created: bool
    mistakes: list[dict]
    vocabulary: list[dict]
    turn_number: int


def turn_take(*, session: PracticeSession, content, client_id=None) -> TurnAnswered:
    """Store the learner's turn and answer it (turn_submit, then turn_answer); raises as both do."""
    return turn_answer(session=session, turn=turn_submit(session=session, content=content, client_id=client_id))


def turn_answer(*, session: PracticeSession, turn: TurnStart, find_mistakes: bool = True) -> TurnAnswered:
    """Write the turn's reply when it needs one, with the turn's mistakes and the reply's words.

    Raises AIUnavailable when no provider answers (the turn is kept). `find_mistakes=False` (a reply
    written again) keeps the turn's stored mistakes instead of looking again.
    """
    ai_message, mistakes, vocabulary = turn.ai_message, None, []
    if turn.generate:
        outcome = async_to_sync(reply_generate)(
            session_id=session.id,
            user_message_id=turn.user_message.id,
            ai_message_id=turn.ai_message.id,
            find_mistakes=find_mistakes,
            plan=turn.plan,
        )
        if outcome.error is not None:
            raise outcome.error
        ai_message, vocabulary = outcome.message, outcome.vocabulary
        mistakes = outcome.mistakes if find_mistakes else None
    if mistakes is None:
        mistakes = [mistake_payload(m) for m in findings_kept(kind="mistakes", message=turn.user_message)]
    return TurnAnswered(
        user_message=turn.user_message,
        ai_message=ai_message,
        created=turn.created,
        mistakes=mistakes,
        vocabulary=vocabulary,
        turn_number=selectors.turn_number(message=turn.user_message),
    )
