"""A queryset compiled once gives what the ORM gives, in one statement, on SQLite and PostgreSQL alike."""

import datetime
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.db.transaction import TransactionManagementError
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ai.models import AIInteraction
from config.compiled import CompiledInsert, CompiledQuery, CompiledUpdate
from conversations.models import Conversation, Message, MessageState, PracticeSession
from conversations.tests.factories import practice_session

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


def test_a_compiled_select_related_lock_builds_what_the_orm_builds(user):
    # given a session with a template, context, a scenario and a summary (JSON, dates, UUIDs, text)
    session = practice_session(user=user)
    PracticeSession.objects.filter(id=session.id).update(summary="We talked about food.", summary_up_to_seq=3)
    builds = []

    def build(session_id):
        builds.append(session_id)
        return (
            PracticeSession.objects.select_related("conversation")
            .select_for_update(of=("conversation",))
            .filter(id=session_id)
        )

    query = CompiledQuery(build, fields=[PracticeSession._meta.pk])
    expected = PracticeSession.objects.select_related("conversation").get(id=session.id)

    # when it runs twice in a transaction
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        first = query.first(session.id)
        second = query.first(session.id)
        # the related conversation came with it: reading it asks nothing more
        conversation = second.conversation

    # then each run is one statement, the ORM built the SQL on the first only (with the values, then
    # with stand-ins to tell them from its constants), and the rows are the ORM's
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")]) == 2
    assert len(builds) == 2 and builds[0] == session.id and builds[1] != session.id
    assert _fields(first) == _fields(second) == _fields(expected)
    assert isinstance(first.id, uuid.UUID) and isinstance(first.context, dict)
    assert first.created_at == expected.created_at and first.created_at.tzinfo is not None
    assert _fields(conversation) == _fields(expected.conversation)
    assert not first._state.adding and first._state.db == "default"


def _streaming_or_sent() -> CompiledQuery:
    # The values in the caller's order; Q sorts its keywords, so the SQL takes client_id before sender_id.
    return CompiledQuery(
        lambda conversation_id, state, sender_id, client_id: Message.objects.filter(
            Q(conversation_id=conversation_id, state=state) | Q(sender_id=sender_id, client_id=client_id)
        ).order_by("seq"),
        fields=[
            Message._meta.get_field("conversation"),
            Message._meta.get_field("state"),
            Message._meta.get_field("sender"),
            Message._meta.get_field("client_id"),
        ],
    )


def test_each_value_fills_its_parameters_in_the_querysets_own_order(user, other_user):
    # given a conversation with a streaming reply, and messages of two senders under client ids
    conversation = Conversation.objects.create(title="c", created_by=user, next_seq=4)
    streaming = Message.objects.create(conversation=conversation, role="assistant", seq=1, state=MessageState.STREAMING)
    mine = Message.objects.create(conversation=conversation, sender=user, role="user", seq=2, client_id="a")
    Message.objects.create(conversation=conversation, sender=other_user, role="user", seq=3, client_id="a")
    query = _streaming_or_sent()

    # when it runs for each sender
    for_user = query.all(conversation.id, MessageState.STREAMING, user.id, "a")
    for_other = query.all(conversation.id, MessageState.STREAMING, other_user.id, "b")

    # then each finds the streaming reply and only its own sender's message, and the plan was kept
    assert [m.id for m in for_user] == [streaming.id, mine.id]
    assert [m.id for m in for_other] == [streaming.id]
    assert query.first(uuid.uuid4(), MessageState.STREAMING, uuid.uuid4(), "a") is None
    assert connection.compiled_plans[query]


def test_values_equal_to_each_other_or_to_a_constant_still_fill_their_own_parameters(user):
    # given a message whose client id reads as the state looked for, and a seq equal to Exists' constant 1
    conversation = Conversation.objects.create(title="c", created_by=user, next_seq=9)
    sent = Message.objects.create(conversation=conversation, sender=user, role="user", seq=1, client_id="streaming")
    later = Message.objects.create(conversation=conversation, sender=user, role="user", seq=5, client_id="x")
    same = _streaming_or_sent()
    after = CompiledQuery(
        lambda seq: (
            Message.objects.filter(seq__gt=seq)
            .annotate(answered=Exists(Message.objects.filter(conversation_id=OuterRef("conversation_id"), seq=8)))
            .order_by("seq")
        ),
        fields=[Message._meta.get_field("seq")],
    )

    # when the first calls' values equal each other, and a constant
    found = same.all(conversation.id, "streaming", user.id, "streaming")
    first = after.all(1)

    # then later calls with other values get their own rows
    assert [m.id for m in found] == [sent.id]
    assert same.all(conversation.id, "streaming", user.id, "x") == [later]
    assert [m.id for m in first] == [later.id] and first[0].answered is False
    assert after.all(4) == [later] and after.all(5) == []


def test_none_and_a_values_queryset_are_refused():
    by_client = CompiledQuery(
        lambda client_id: Message.objects.filter(client_id=client_id), fields=[Message._meta.get_field("client_id")]
    )
    with pytest.raises(TypeError, match="no None"):
        by_client.all(None)

    ids = CompiledQuery(
        lambda client_id: Message.objects.filter(client_id=client_id).values("id"),
        fields=[Message._meta.get_field("client_id")],
    )
    with pytest.raises(ImproperlyConfigured, match="no values"):
        ids.all("a")


@pytest.mark.django_db(transaction=True)
def test_a_compiled_lock_refuses_to_run_outside_a_transaction_as_the_orm_does(user):
    conversation = Conversation.objects.create(title="c", created_by=user)
    lock = CompiledQuery(
        lambda conversation_id: Conversation.objects.select_for_update().filter(id=conversation_id),
        fields=[Conversation._meta.pk],
    )

    with transaction.atomic():
        assert lock.first(conversation.id) == conversation

    # the plan is kept; in autocommit it refuses where the backend can lock (SQLite cannot)
    if connection.features.has_select_for_update:
        with pytest.raises(TransactionManagementError):
            lock.first(conversation.id)
    else:
        assert lock.first(conversation.id) == conversation


def test_a_value_the_field_prepares_otherwise_than_the_lookup_is_refused_on_its_first_run():
    # the conversation's id prepared as a message's seq would be lost: it fills no parameter
    query = CompiledQuery(
        lambda conversation_id: Message.objects.filter(conversation_id=conversation_id),
        fields=[Message._meta.get_field("client_id")],
    )

    with pytest.raises(ImproperlyConfigured, match="none of the values"):
        query.all(uuid.uuid4())
    with pytest.raises(TypeError, match="takes 1 values, 2 given"):
        query.all(uuid.uuid4(), "extra")


def test_the_orms_own_constants_stay_as_compiled(user):
    # a constant in a filter is the queryset's, not a value: it stays in every run
    conversation = Conversation.objects.create(title="c", created_by=user, next_seq=3)
    done = Message.objects.create(conversation=conversation, role="assistant", seq=1, state=MessageState.COMPLETE)
    Message.objects.create(conversation=conversation, role="assistant", seq=2, state=MessageState.STREAMING)
    query = CompiledQuery(
        lambda conversation_id: Message.objects.filter(conversation_id=conversation_id, state=MessageState.COMPLETE),
        fields=[Message._meta.get_field("conversation")],
    )

    assert [m.id for m in query.all(conversation.id)] == [done.id]
    assert [m.id for m in query.all(conversation.id)] == [done.id] and connection.compiled_plans[query]
    assert query.all(uuid.uuid4()) == []


def _reply_stored() -> CompiledUpdate:
    # A constant in the filter and in the changes, a text, a JSON value and an integer.
    return CompiledUpdate(
        lambda message_id, content, meta, seq: (
            Message.objects.filter(id=message_id, state=MessageState.STREAMING),
            {"content": content, "state": MessageState.COMPLETE, "meta": meta, "seq": seq},
        ),
        fields=[
            Message._meta.pk,
            Message._meta.get_field("content"),
            Message._meta.get_field("meta"),
            Message._meta.get_field("seq"),
        ],
    )


def test_a_compiled_update_changes_what_the_orms_update_changes(user):
    # given two streaming replies and a complete one
    conversation = Conversation.objects.create(title="c", created_by=user, next_seq=4)
    first, second = (
        Message.objects.create(conversation=conversation, role="assistant", seq=seq, state=MessageState.STREAMING)
        for seq in (1, 2)
    )
    done = Message.objects.create(conversation=conversation, role="assistant", seq=3, content="done")
    update = _reply_stored()

    # when each is stored, twice, and the complete one once
    with CaptureQueriesContext(connection) as queries:
        stored = [
            update.run(first.id, "はい、そうです。", {"offline": True, "n": [1]}, 7),
            update.run(second.id, "", {}, 1),
            update.run(first.id, "again", {"offline": False}, 9),
            update.run(done.id, "changed", {}, 1),
        ]

    # then each run was one UPDATE, only a streaming reply changed, with the values of its own run
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["UPDATE"] * 4
    assert stored == [1, 1, 0, 0] and update in connection.compiled_plans
    first.refresh_from_db(), second.refresh_from_db(), done.refresh_from_db()
    assert (first.content, first.state, first.meta, first.seq) == (
        "はい、そうです。",
        MessageState.COMPLETE,
        {"offline": True, "n": [1]},
        7,
    )
    assert (second.content, second.state, second.meta, second.seq) == ("", MessageState.COMPLETE, {}, 1)
    assert (done.content, done.state) == ("done", MessageState.COMPLETE)


def test_a_compiled_update_sets_a_timestamp_and_counts_with_an_expression(user):
    conversation = Conversation.objects.create(title="c", created_by=user, next_seq=4)
    moved = CompiledUpdate(
        lambda conversation_id, at: (
            Conversation.objects.filter(id=conversation_id),
            {"next_seq": F("next_seq") + 2, "last_message_at": at},
        ),
        fields=[Conversation._meta.pk, Conversation._meta.get_field("last_message_at")],
    )
    at = timezone.now() - datetime.timedelta(days=3)

    assert moved.run(conversation.id, at) == 1
    assert moved.run(conversation.id, at + datetime.timedelta(hours=1)) == 1
    assert moved.run(uuid.uuid4(), at) == 0

    conversation.refresh_from_db()
    assert conversation.next_seq == 8 and conversation.last_message_at == at + datetime.timedelta(hours=1)


def test_a_compiled_update_refuses_what_it_cannot_run_as_one_statement(user):
    sliced = CompiledUpdate(
        lambda seq: (Message.objects.filter(seq=seq)[:1], {"content": "x"}), fields=[Message._meta.get_field("seq")]
    )
    with pytest.raises(ImproperlyConfigured, match="plain queryset"):
        sliced.run(1)
    with pytest.raises(TypeError, match="no None"):
        _reply_stored().run(uuid.uuid4(), None, {}, 1)
    lost = CompiledUpdate(
        lambda seq: (Message.objects.filter(content="x"), {"content": "y"}), fields=[Message._meta.get_field("seq")]
    )
    with pytest.raises(ImproperlyConfigured, match="fill none"):
        lost.run(1)


def test_a_compiled_insert_stores_what_bulk_create_stores_in_one_statement(user):
    # given two messages built alike, one list for the ORM and one for the compiled INSERT
    conversation = Conversation.objects.create(title="c", created_by=user, next_seq=9)
    at = timezone.now()

    def built(first_seq):
        return [
            Message(
                conversation=conversation,
                sender=user,
                role="user",
                content="すしが すきです。",
                seq=first_seq,
                client_id=f"c{first_seq}",
                meta={"n": [1, "二"]},
                created_at=at,
            ),
            Message(
                conversation=conversation,
                role="assistant",
                seq=first_seq + 1,
                state=MessageState.STREAMING,
                created_at=at,
            ),
        ]

    insert = CompiledInsert(Message)
    by_orm = Message.objects.bulk_create(built(1))
    mine = built(3)

    # when the compiled INSERT stores its list, then one row more
    with CaptureQueriesContext(connection) as queries:
        insert.insert(mine)
        insert.insert(built(5)[1:])

    # then each was one INSERT, the rows read back as the ORM's, and the instances know they are stored
    assert [q["sql"].split()[0] for q in queries.captured_queries] == ["INSERT", "INSERT"]
    assert insert in connection.compiled_plans
    stored = {m.seq: m for m in Message.objects.filter(conversation=conversation)}
    assert sorted(stored) == [1, 2, 3, 4, 6]
    for orm, compiled in zip(by_orm, mine, strict=True):
        assert _fields(stored[compiled.seq]) == {
            **_fields(stored[orm.seq]),
            "id": compiled.id,
            "seq": compiled.seq,
            "client_id": compiled.client_id,
        }
        assert not compiled._state.adding and compiled._state.db == "default"
    assert stored[3].meta == {"n": [1, "二"]} and stored[3].created_at == at


def test_a_compiled_insert_reads_back_each_rows_auto_primary_key(user):
    rows = [
        AIInteraction(user=user, purpose=purpose, provider="offline", status="ok", stored_prompt=[{"role": "user"}])
        for purpose in ("reply", "findings", "vocabulary")
    ]
    insert = CompiledInsert(AIInteraction)

    insert.insert(rows)

    assert all(isinstance(row.pk, int) for row in rows) and len({row.pk for row in rows}) == 3
    assert [AIInteraction.objects.get(pk=row.pk).purpose for row in rows] == ["reply", "findings", "vocabulary"]
    with pytest.raises(ValueError, match="must be unset"):
        insert.insert(rows[:1])
