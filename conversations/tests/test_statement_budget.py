"""What the hot paths ask of the database: a message, a practice turn, a receipt.

The counts include the transaction's own markers (BEGIN/COMMIT, or SAVEPOINT/RELEASE inside the
test's transaction), so they hold on SQLite and on PostgreSQL alike.
"""

import pytest
from asgiref.sync import async_to_sync
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from conversations import consumers
from conversations.models import Membership, Message, PracticeSession
from conversations.services import messaging, replies
from conversations.services.sessions import session_update_settings, turn_submit
from conversations.tests.factories import practice_session

pytestmark = pytest.mark.django_db


def person(username: str) -> User:
    return User.objects.create(username=username, email=f"{username}@example.com", password="!")


@pytest.fixture
def alice():
    return person("alice")


@pytest.fixture
def bob():
    return person("bob")


def test_a_direct_message_costs_one_statement_on_postgresql_five_elsewhere(alice, bob, django_assert_num_queries):
    # given the pair's DM, created by a first message
    messaging.message_send(sender=alice, to=str(bob.id), content="hi", client_id="first")
    # when the next one is sent. PostgreSQL: the block and resend checks, the seq and the insert in
    # one statement (and the markers of the test's transaction around it). SQLite: the lock with
    # both checks, the insert, the seq, and the transaction's two markers.
    with django_assert_num_queries(3 if connection.vendor == "postgresql" else 5) as queries:
        message, created = messaging.message_send(sender=alice, to=str(bob.id), content="again", client_id="second")
    # then it is stored with the next seq, and what the sender got is what was stored
    assert created and message.seq == 2
    assert len([query for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]]) == (
        1 if connection.vendor == "postgresql" else 3
    )
    stored = Message.objects.get(id=message.id)
    assert (stored.conversation_id, stored.sender_id, stored.seq, stored.content, stored.client_id) == (
        message.conversation_id,
        alice.id,
        2,
        "again",
        "second",
    )
    assert stored.conversation.next_seq == 3 and stored.conversation.last_message_at == stored.created_at


def test_a_group_message_costs_the_same_whatever_the_group_size(alice, django_assert_max_num_queries):
    members = [person(f"member{n}") for n in range(12)]
    group = messaging.group_create(owner=alice, name="Big", member_ids=[str(m.id) for m in members])

    with django_assert_max_num_queries(7):
        message, _ = messaging.message_send(sender=alice, conversation_id=str(group.id), content="hello all")

    assert message.seq == 1


def test_a_resend_stores_nothing(alice, bob, django_assert_num_queries):
    original, _ = messaging.message_send(sender=alice, to=str(bob.id), content="hi", client_id="once")

    # the transaction's markers, the lock that finds the original's id, and the original
    with django_assert_num_queries(4):
        again, created = messaging.message_send(sender=alice, to=str(bob.id), content="hi", client_id="once")

    assert again.id == original.id and not created
    assert Message.objects.filter(sender=alice).count() == 1


def test_a_practice_turn_costs_seven_statements(user, django_assert_max_num_queries):
    session = practice_session(user=user)
    # the session as the consumer has it: read with its conversation, template and user
    session = type(session).objects.select_related("conversation", "template", "user").get(id=session.id)

    # lock, streaming/resend check, insert, seq, the session's turn count and scenario, and the
    # transaction's two markers
    with django_assert_max_num_queries(7):
        turn = turn_submit(session=session, content="こんにちは", client_id="t1")

    assert turn.created and turn.generate
    assert turn.ai_message.seq == turn.user_message.seq + 1


def test_a_practice_turn_moves_the_scenario_on_in_the_sessions_one_update(user):
    session = practice_session(user=user)
    session = type(session).objects.select_related("conversation", "template", "user").get(id=session.id)

    with CaptureQueriesContext(connection) as queries:
        turn = turn_submit(session=session, content="サムです。", client_id="t1")

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "conversations_practicesession"')]
    assert len(updates) == 1
    stored = PracticeSession.objects.get(id=session.id)
    assert stored.user_turns == 1
    assert stored.scenario["seq"] == turn.user_message.seq and stored.scenario["line"]


def test_a_practice_turn_reads_its_messages_without_joining_their_conversation(user):
    session = practice_session(user=user)
    session = type(session).objects.select_related("conversation", "template", "user").get(id=session.id)

    with CaptureQueriesContext(connection) as queries:
        turn_submit(session=session, content="こんにちは", client_id="t1")

    # the lock reads the session with its conversation; no read of messages joins the conversation
    # (Message's default order would, to sort by it)
    reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert sum("JOIN" in sql for sql in reads) == 1, reads


def test_a_direct_delivery_receipt_costs_two_statements(alice, bob, django_assert_max_num_queries):
    for n in range(3):
        messaging.message_send(sender=alice, to=str(bob.id), content=f"m{n}")
    conversation_id = Message.objects.filter(sender=alice).first().conversation_id

    # the membership with whether the other member sent any of them, then the watermark's UPDATE
    with django_assert_max_num_queries(2):
        moved = messaging.receipt_delivered(user=bob, conversation_id=conversation_id, up_to_seq=3)

    assert moved == 3
    assert messaging.receipt_delivered(user=bob, conversation_id=conversation_id, up_to_seq=2) is None


def test_a_dm_delivery_its_socket_saw_costs_one_statement(alice, bob, django_assert_max_num_queries):
    for n in range(3):
        messaging.message_send(sender=alice, to=str(bob.id), content=f"m{n}")
    conversation_id = Message.objects.filter(sender=alice).first().conversation_id

    # bob's socket saw alice's third message: the watermark's conditional UPDATE is all it takes
    with django_assert_max_num_queries(1):
        messaging.receipts_delivered_all(seen=[(bob, {str(conversation_id): (3, str(alice.id))})])

    assert Membership.objects.get(conversation_id=conversation_id, user=bob).delivered_up_to_seq == 3


def test_the_dm_deliveries_of_every_socket_of_a_process_cost_one_statement(alice, django_assert_num_queries):
    # given five people who each got two messages from alice in their DM
    people = [person(f"friend{n}") for n in range(5)]
    for friend in people:
        for n in range(2):
            messaging.message_send(sender=alice, to=str(friend.id), content=f"m{n}")
    seen = []
    for friend in people:
        message = Message.objects.filter(sender=alice, conversation__memberships__user=friend).order_by("seq").last()
        seen.append((friend, {str(message.conversation_id): (message.seq, str(alice.id))}))

    # when the process records what their sockets saw
    with django_assert_num_queries(1):
        messaging.receipts_delivered_all(seen=seen)

    # then one UPDATE moved every watermark to the message seen, and nobody else's
    delivered = dict(Membership.objects.exclude(user=alice).values_list("user__username", "delivered_up_to_seq"))
    assert delivered == {f"friend{n}": 2 for n in range(5)}
    with django_assert_num_queries(1 + 5):  # the UPDATE moves nothing: each falls back and finds it done
        messaging.receipts_delivered_all(seen=seen)


def test_a_group_delivery_its_socket_saw_moves_the_watermark(alice):
    members = [person(f"member{n}") for n in range(2)]
    group = messaging.group_create(owner=alice, name="Duo", member_ids=[str(m.id) for m in members])
    messaging.message_send(sender=alice, conversation_id=str(group.id), content="hola")

    messaging.receipts_delivered_all(seen=[(members[0], {str(group.id): (1, str(alice.id))})])

    assert Membership.objects.get(conversation=group, user=members[0]).delivered_up_to_seq == 1
    assert Membership.objects.get(conversation=group, user=members[1]).delivered_up_to_seq == 0


def test_a_group_delivery_receipt_costs_three_statements(alice, django_assert_max_num_queries):
    members = [person(f"member{n}") for n in range(3)]
    group = messaging.group_create(owner=alice, name="Trio", member_ids=[str(m.id) for m in members])
    for n in range(3):
        messaging.message_send(sender=alice, conversation_id=str(group.id), content=f"m{n}")

    # the membership, the watermark's UPDATE, and who sent the messages it covers
    with django_assert_max_num_queries(3):
        moved = messaging.receipt_delivered(user=members[0], conversation_id=group.id, up_to_seq=3)

    assert moved == 3


def test_a_later_socket_turn_does_not_read_the_session_again_yet_sees_its_changes(user, django_assert_max_num_queries):
    # given the session as a socket read it for its first turn, answered
    known, first = consumers._turn_submit.__wrapped__(
        user=user, session_id=str(practice_session(user=user).id), content="こんにちは", client_id="t1"
    )
    async_to_sync(replies.reply_generate)(
        session_id=known.id, user_message_id=first.user_message.id, ai_message_id=first.ai_message.id, plan=first.plan
    )
    # and the learner then changing the partner's persona from another tab
    session_update_settings(session=known, persona="a strict teacher")

    # when the socket's next turn comes: the throttle, then turn_submit's statements, no session read
    with django_assert_max_num_queries(7):
        session, turn = consumers._turn_submit.__wrapped__(
            user=user, session_id=str(known.id), content="おはよう", client_id="t2", known=known
        )

    # then the turn is stored against the session as it is now, in a copy of the socket's own
    assert turn.created and session is not known
    assert session.persona == "a strict teacher" and session.user_turns == 2


def test_a_flush_larger_than_a_statement_takes_one_statement_a_chunk(alice, monkeypatch, django_assert_num_queries):
    # given three people alice wrote to, and statements of at most two rows
    monkeypatch.setattr(messaging, "DELIVERED_ROWS_A_STATEMENT", 2)
    seen = []
    for n in range(3):
        friend = person(f"chunk{n}")
        message, _ = messaging.message_send(sender=alice, to=str(friend.id), content="hola")
        seen.append((friend, {str(message.conversation_id): (message.seq, str(alice.id))}))

    # when the process records what their sockets saw: two statements
    with django_assert_num_queries(2):
        messaging.receipts_delivered_all(seen=seen)

    # then every watermark moved
    assert sorted(Membership.objects.exclude(user=alice).values_list("delivered_up_to_seq", flat=True)) == [1, 1, 1]


def test_when_the_one_update_fails_every_receipt_is_written_one_by_one(alice, bob, monkeypatch):
    # given a DM to each of bob and carol, and the one UPDATE of DM watermarks failing
    seen = []
    for friend in (bob, person("carol")):
        message, _ = messaging.message_send(sender=alice, to=str(friend.id), content="hola")
        seen.append((friend, {str(message.conversation_id): (message.seq, str(alice.id))}))

    def deadlocked(rows):
        raise DatabaseError("deadlock detected")

    monkeypatch.setattr(messaging, "_direct_delivered_many", deadlocked)

    # when the process records what their sockets saw
    messaging.receipts_delivered_all(seen=seen)

    # then both watermarks moved all the same
    assert sorted(Membership.objects.exclude(user=alice).values_list("delivered_up_to_seq", flat=True)) == [1, 1]
