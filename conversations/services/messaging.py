"""Messaging between people: direct conversations, groups, sending, receipts, typing, blocks.

Messages between people use the same tables as practice (Conversation, Membership, Message) and
the same socket. Receipts are watermarks on Membership (`delivered_up_to_seq`, `read_up_to_seq`)
rather than one row per recipient and message: seqs are gap-free and the receipt frames say "up
to seq", so a watermark holds the same information while a send to a 50-member group writes one
Message row instead of fifty-one rows.
"""

import contextlib
import functools
import logging
import re
import time
import uuid
from collections import defaultdict
from functools import partial

from asgiref.sync import async_to_sync
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from accounts.models import User
from config.cache import counter_add
from config.compiled import CompiledQuery
from config.db import after_return
from config.exceptions import Conflict, Forbidden, NotFound
from conversations import events
from conversations.exceptions import ConversationNotFound, InvalidContent, Throttled
from conversations.models import (
    Block,
    Conversation,
    ConversationKind,
    Membership,
    MembershipRole,
    Message,
    MessageRole,
)
from conversations.services.messages import (
    client_id_clean,
    content_clean,
    message_append,
    message_find_by_client_id,
)
from conversations.services.serializers import message_frame

logger = logging.getLogger("parley.messaging")

PEOPLE_KINDS = (ConversationKind.DIRECT, ConversationKind.GROUP)
MAX_GROUP_MEMBERS = 500
TYPING_INTERVAL_SECONDS = 2


class UserNotFound(NotFound):
    default_message = "User not found."


class Blocked(Forbidden):
    code = "blocked"
    default_message = "You cannot exchange direct messages with this user."


class MessageThrottled(Throttled):
    def __init__(self, *, retry_after: float):
        super().__init__()
        self.retry_after = retry_after


def users_send(*, user_ids, payload: dict) -> None:
    """One frame to every socket of each user, through the channel layer, all at once.

    Called from a socket's database call, it is sent by the event loop as soon as that call returns.
    """
    user_ids = list(user_ids)
    if user_ids:
        _event_send(events.users_send, user_ids, payload)


def users_send_each(payloads_by_user: dict) -> None:
    """Frames that differ by user (`{user_id: [frame, ...]}`), as users_send sends them, in one
    channel-layer message (events.users_send_each)."""
    if payloads_by_user:
        _event_send(events.users_send_each, payloads_by_user)


def _event_send(send, *args) -> None:
    """Await `send(*args)` on the event loop once the database call running this returns, or now
    when there is none (after_return)."""
    if not after_return(send, *args):
        async_to_sync(send)(*args)


def users_send_on_commit(*, user_ids, payload: dict) -> None:
    """users_send once the current transaction commits, so a rollback tells nobody anything."""
    transaction.on_commit(partial(users_send, user_ids=list(user_ids), payload=payload))


def _uuid(value, not_found: type[NotFound] = ConversationNotFound) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError) as exc:
        raise not_found() from exc


def user_get(*, user_id) -> User:
    """An active user by id; raises UserNotFound."""
    user = User.objects.filter(id=_uuid(user_id, UserNotFound), is_active=True).first()
    if user is None:
        raise UserNotFound()
    return user


def _blocks_between(a_id, b_id):
    return Block.objects.filter(Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id))


def _blocked_between(a_id, b_id) -> bool:
    return _blocks_between(a_id, b_id).exists()


def user_block(*, user, other_id) -> bool:
    """`user` blocks `other`: no direct messages either way from now on. True when newly blocked."""
    other = user_get(user_id=other_id)
    if other.id == user.id:
        raise Forbidden("You cannot block yourself.", code="block_self")
    _, created = Block.objects.get_or_create(blocker=user, blocked=other)
    return created


def user_unblock(*, user, other_id) -> None:
    """Lift a block `user` made; nothing happens when there was none."""
    Block.objects.filter(blocker=user, blocked_id=_uuid(other_id, UserNotFound)).delete()


def _direct_key(a_id, b_id) -> str:
    return ":".join(sorted([str(a_id), str(b_id)]))


def _direct_find(key: str) -> Conversation | None:
    return Conversation.objects.filter(direct_key=key).first()


def direct_get_or_create(*, user, other_id) -> Conversation:
    """The one direct conversation of a pair, created on first use; raises UserNotFound, Blocked."""
    other = user_get(user_id=other_id)
    if other.id == user.id:
        raise InvalidContent("You cannot message yourself.", fields={"to": ["Is yourself."]})
    if _blocked_between(user.id, other.id):
        raise Blocked()
    key = _direct_key(user.id, other.id)
    conversation = _direct_find(key)
    if conversation is not None:
        return conversation
    try:
        with transaction.atomic():
            conversation = Conversation.objects.create(kind=ConversationKind.DIRECT, direct_key=key, created_by=user)
            Membership.objects.bulk_create(
                [Membership(conversation=conversation, user=member) for member in (user, other)]
            )
    except IntegrityError:
        # Both sides sent their first message at the same moment: the unique direct_key let one
        # insert win; the loser reads the winner's row.
        conversation = Conversation.objects.get(direct_key=key)
    return conversation


def _group_for_member(*, user, group_id, lock: bool = False) -> tuple[Conversation, Membership]:
    memberships = (
        Membership.objects.active()
        .select_related("conversation")
        .filter(conversation_id=_uuid(group_id), user=user, conversation__kind=ConversationKind.GROUP)
    )
    if lock:
        memberships = memberships.select_for_update(of=("self",))
    membership = memberships.first()
    if membership is None:
        raise ConversationNotFound()
    return membership.conversation, membership


def _member_ids_clean(member_ids) -> list[uuid.UUID]:
    if not isinstance(member_ids, list) or len(member_ids) > MAX_GROUP_MEMBERS:
        raise InvalidContent(
            f"members must be a list of at most {MAX_GROUP_MEMBERS} user ids.", fields={"members": ["Invalid."]}
        )
    return list(dict.fromkeys(_uuid(member_id, UserNotFound) for member_id in member_ids))


@transaction.atomic
def group_create(*, owner, name: str, member_ids: list) -> Conversation:
    """A group named `name` with the owner and these members; raises InvalidContent, UserNotFound."""
    name = (name or "").strip() if isinstance(name, str) else ""
    if not name or len(name) > 200:
        raise InvalidContent("A group needs a name of 1 to 200 characters.", fields={"name": ["Invalid."]})
    wanted = [member_id for member_id in _member_ids_clean(member_ids) if member_id != owner.id]
    members = list(User.objects.filter(id__in=wanted, is_active=True))
    if len(members) != len(wanted):
        raise UserNotFound("Some of the members do not exist.")
    group = Conversation.objects.create(kind=ConversationKind.GROUP, title=name, created_by=owner)
    Membership.objects.bulk_create(
        [Membership(conversation=group, user=owner, role=MembershipRole.OWNER)]
        + [Membership(conversation=group, user=member) for member in members]
    )
    _membership_event_on_commit(group=group, user_id=owner.id, action="created")
    return group


def _membership_event_on_commit(*, group: Conversation, user_id, action: str) -> None:
    member_ids = Membership.objects.active().filter(conversation=group).values_list("user_id", flat=True)
    payload = {"type": "membership", "conversation_id": str(group.id), "user_id": str(user_id), "action": action}
    users_send_on_commit(user_ids={*member_ids, user_id}, payload=payload)


@transaction.atomic
def group_member_add(*, actor, group_id, user_id) -> Conversation:
    """The owner adds a user (again); raises ConversationNotFound (404), Forbidden (403), UserNotFound."""
    group, membership = _group_for_member(user=actor, group_id=group_id, lock=True)
    if membership.role != MembershipRole.OWNER:
        raise Forbidden("Only the group's owner can add members.")
    user = user_get(user_id=user_id)
    # A newcomer starts with everything so far counted as read: their unread count is what comes next.
    latest = group.next_seq - 1
    joined, created = Membership.objects.get_or_create(
        conversation=group, user=user, defaults={"delivered_up_to_seq": latest, "read_up_to_seq": latest}
    )
    if not created and joined.left_at is not None:
        joined.left_at, joined.joined_at, joined.role = None, timezone.now(), MembershipRole.MEMBER
        joined.delivered_up_to_seq = joined.read_up_to_seq = latest
        joined.save(update_fields=["left_at", "joined_at", "role", "delivered_up_to_seq", "read_up_to_seq"])
    elif not created:
        return group
    _membership_event_on_commit(group=group, user_id=user.id, action="added")
    return group


@transaction.atomic
def group_member_remove(*, actor, group_id, user_id) -> None:
    """The owner removes a member, or a member leaves; the removed user no longer sees the group.

    Raises ConversationNotFound (404) when the actor or the target is not a member, Forbidden (403)
    when a member tries to remove someone else. An owner who leaves hands the group to the member
    who joined first.
    """
    group, membership = _group_for_member(user=actor, group_id=group_id, lock=True)
    target_id = _uuid(user_id, UserNotFound)
    if target_id != actor.id and membership.role != MembershipRole.OWNER:
        raise Forbidden("Only the group's owner can remove other members.")
    active = Membership.objects.active().filter(conversation=group)
    target = active.filter(user_id=target_id).first()
    if target is None:
        raise UserNotFound("This user is not a member of the group.")
    _membership_event_on_commit(group=group, user_id=target_id, action="removed")
    target.left_at = timezone.now()
    target.save(update_fields=["left_at"])
    if target.role == MembershipRole.OWNER:
        heir = active.exclude(id=target.id).order_by("joined_at").first()
        if heir is not None:
            heir.role = MembershipRole.OWNER
            heir.save(update_fields=["role"])


def _rate() -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*s?\s*", str(settings.MESSAGE_RATE))
    if match is None:
        raise ValueError(f"MESSAGE_RATE must look like '30/10s', not {settings.MESSAGE_RATE!r}.")
    return int(match[1]), int(match[2])


def message_throttle_check(*, user_id) -> None:
    """Count one send against the user's MESSAGE_RATE window; raises MessageThrottled when over it."""
    limit, period = _rate()
    now = time.time()
    count = counter_add(f"message-rate:{user_id}:{int(now // period)}", 1, period + 1)
    if count > limit:
        raise MessageThrottled(retry_after=period - now % period)


def message_send(*, sender, content, client_id=None, conversation_id=None, to=None) -> tuple[Message, bool]:
    """Store a message in a DM (`to` a user) or a conversation once per client_id; members hear of it after commit.

    Returns the message and whether it is new (a resend returns the original and stores nothing).
    The next message of an existing DM takes one statement on PostgreSQL (_direct_append), the rest
    one transaction. Raises InvalidContent, ConversationNotFound (404 for non-members), UserNotFound,
    Blocked, MessageThrottled, and Conflict when the client_id was used for a message in another
    conversation.
    """
    content = content_clean(content=content)
    client_id = client_id_clean(client_id=client_id)
    if to is None and conversation_id is None:
        raise InvalidContent("Say who the message is for: `to` or `group_id`.", fields={"to": ["Required."]})
    direct_key = _direct_key(sender.id, _uuid(to, UserNotFound)) if to is not None else None
    conversation_id = _uuid(conversation_id) if to is None else None
    # First, as for a practice turn: a flood is refused unstored, resends included.
    message_throttle_check(user_id=sender.id)
    try:
        appended = (
            _direct_append(sender=sender, content=content, client_id=client_id, direct_key=direct_key)
            if direct_key
            else None
        )
        if appended is not None:
            message, created = appended
            if created:
                users_send_on_commit(user_ids=_direct_members(direct_key), payload=message_frame(message))
            return appended
        with transaction.atomic():
            return _message_store(
                sender=sender,
                content=content,
                client_id=client_id,
                conversation_id=conversation_id,
                to=to,
                direct_key=direct_key,
            )
    except IntegrityError:
        # A resend racing its original: the unique (sender, client_id) let the first one in.
        existing = message_find_by_client_id(sender=sender, client_id=client_id)
        if existing is None:
            raise
        if conversation_id is not None and existing.conversation_id != conversation_id:
            raise Conflict("This client_id was already used for another message.", code="client_id_reused") from None
        return existing, False


def _direct_members(direct_key: str) -> list[uuid.UUID]:
    # A DM's members are the pair in its key: nobody joins or leaves a DM.
    return [uuid.UUID(user_id) for user_id in direct_key.split(":")]


def _column(connection, model, name: str, *, qualified: bool = True) -> str:
    """A model field's column for raw SQL on this connection, quoted (and prefixed by its table)."""
    quote = connection.ops.quote_name
    column = quote(model._meta.get_field(name).column)
    return f"{quote(model._meta.db_table)}.{column}" if qualified else column


@functools.cache
def _direct_append_sql(alias: str) -> tuple[str, list]:
    """_direct_append's statement on this database, and its INSERT's fields in order."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    column = functools.partial(_column, connection)
    bare = functools.partial(_column, connection, qualified=False)
    conversation, block, message = (quote(model._meta.db_table) for model in (Conversation, Block, Message))
    blocker, blocked = column(Block, "blocker"), column(Block, "blocked")
    fields = [field for field in Message._meta.concrete_fields if not field.generated]
    moved = {"conversation": "moved.id", "seq": "moved.seq", "created_at": "moved.at"}
    sent = [bare(Message, name) for name in ("conversation", "seq", "created_at")]
    last_message_at = column(Conversation, "last_message_at")
    sql = (
        # a resend: the sender's message under this client_id, wherever, once the pair's DM exists
        f"WITH resent AS (SELECT {column(Message, 'id')} AS id FROM {message} "
        f"WHERE {column(Message, 'sender')} = %s AND {column(Message, 'client_id')} = %s AND EXISTS "
        f"(SELECT 1 FROM {conversation} WHERE {column(Conversation, 'direct_key')} = %s)), "
        # the seq handed out under the row lock; the time never earlier than the last message's
        f"moved AS (UPDATE {conversation} SET {bare(Conversation, 'next_seq')} = "
        f"{column(Conversation, 'next_seq')} + 1, {bare(Conversation, 'last_message_at')} = "
        f"GREATEST({last_message_at}, %s) "
        f"WHERE {column(Conversation, 'direct_key')} = %s AND {column(Conversation, 'kind')} = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {block} WHERE ({blocker} = %s AND {blocked} = %s) "
        f"OR ({blocker} = %s AND {blocked} = %s)) AND NOT EXISTS (SELECT 1 FROM resent) "
        f"RETURNING {column(Conversation, 'id')} AS id, {column(Conversation, 'next_seq')} - 1 AS seq, "
        f"{last_message_at} AS at), "
        f"stored AS (INSERT INTO {message} ({', '.join(bare(Message, field.name) for field in fields)}) "
        f"SELECT {', '.join(moved.get(field.name, '%s') for field in fields)} FROM moved "
        f"RETURNING {', '.join(sent)}) "
        f"SELECT {', '.join(sent)}, NULL FROM stored UNION ALL SELECT NULL, NULL, NULL, id FROM resent"
    )
    return sql, [field for field in fields if field.name not in moved]


def _direct_append(*, sender, content: str, client_id: str | None, direct_key: str) -> tuple[Message, bool] | None:
    """The next message of an existing DM in one statement on PostgreSQL: the conversation's seq
    moved on (which locks its row, as _people_locked does) and the message inserted with it, unless
    the pair has a block between them; a resend (the sender's client_id used before, wherever, the
    pair's DM existing) stores nothing and returns the original. As message_send: the message and
    whether it is new. Its time is never earlier than the conversation's last message's, whatever
    order racing sends took the lock in.

    None when nothing was stored or found (no DM yet, a block) or on a database that cannot update
    and insert in one statement (SQLite): the transaction of _message_store then decides.
    """
    connection = connections[router.db_for_write(Message)]
    if connection.vendor != "postgresql":
        return None
    first, second = _direct_members(direct_key)
    other_id = second if first == sender.id else first
    sql, fields = _direct_append_sql(connection.alias)
    now = timezone.now()
    message = Message(sender=sender, role=MessageRole.USER, content=content, client_id=client_id, created_at=now)
    prepared = []
    for field in fields:
        value = field.pre_save(message, add=True)
        if hasattr(value, "resolve_expression"):
            raise ImproperlyConfigured(f"_direct_append stores values, not expressions ({field.name}).")
        prepared.append(field.get_db_prep_save(value, connection))
    ids = [Block._meta.get_field("blocker").get_db_prep_value(user_id, connection) for user_id in (sender.id, other_id)]
    params = [
        # no client_id: `= NULL` finds no resend
        ids[0],
        client_id,
        direct_key,
        Conversation._meta.get_field("last_message_at").get_db_prep_save(now, connection),
        direct_key,
        ConversationKind.DIRECT,
        *ids,
        *reversed(ids),
        *prepared,
    ]
    # One statement is atomic on its own; inside a transaction its failure must not end that one.
    atomic = transaction.atomic(using=connection.alias) if connection.in_atomic_block else contextlib.nullcontext()
    with atomic, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    conversation_id, seq, created_at, resent_id = row
    if resent_id is not None:
        return Message.objects.using(connection.alias).get(id=resent_id), False
    message.conversation_id, message.seq, message.created_at = conversation_id, seq, created_at
    message._state.adding, message._state.db = False, connection.alias
    return message, True


def _people_locked(*, sender_id, client_id: str | None, direct_key: str | None = None):
    """The people's conversations, to be narrowed to one and locked; with a client_id, the resend check
    rides on the locking statement: a DM's resend is the sender's message under this client_id
    wherever it is, a group's one in this conversation (elsewhere it is a Conflict)."""
    people = Conversation.objects.select_for_update(of=("self",)).filter(kind__in=PEOPLE_KINDS)
    if client_id is not None:
        sent = Message.objects.filter(sender_id=sender_id, client_id=client_id)
        if direct_key is None:
            sent = sent.filter(conversation_id=OuterRef("id"))
        people = people.annotate(resent_id=Subquery(sent.values("id")[:1]))
    return people


def _pair_locked(direct_key, sender_id, other_id, client_id=None):
    # The DM usually exists: found, locked and checked for blocks in one statement. Unordered: a
    # direct_key names one conversation.
    people = _people_locked(sender_id=sender_id, client_id=client_id, direct_key=direct_key)
    pair = people.filter(direct_key=direct_key).annotate(blocked=Exists(_blocks_between(sender_id, other_id)))
    return pair.order_by()[:1]


_PAIR_FIELDS = [
    Conversation._meta.get_field("direct_key"),
    Block._meta.get_field("blocker"),
    Block._meta.get_field("blocked"),
]
# Compiled once: every direct message runs one of these (config/compiled.py).
_PAIR = CompiledQuery(_pair_locked, fields=_PAIR_FIELDS)
_PAIR_RESENT = CompiledQuery(_pair_locked, fields=[*_PAIR_FIELDS, Message._meta.get_field("client_id")])


def _pair_find(*, direct_key: str, sender_id, other_id, client_id: str | None) -> Conversation | None:
    if client_id is None:
        return _PAIR.first(direct_key, sender_id, other_id)
    return _PAIR_RESENT.first(direct_key, sender_id, other_id, client_id)


def _message_store(*, sender, content, client_id, conversation_id, to, direct_key) -> tuple[Message, bool]:
    """The new message, or the one this client_id already stored there."""
    blocked = None
    if direct_key is not None:
        other_id = uuid.UUID(str(to))  # message_send checked it
        pair = {"direct_key": direct_key, "sender_id": sender.id, "other_id": other_id, "client_id": client_id}
        conversation = _pair_find(**pair)
        if conversation is None:
            direct_get_or_create(user=sender, other_id=to)  # refuses unknown users and blocked pairs
            conversation = _pair_find(**pair)
        blocked = conversation.blocked
    else:
        people = _people_locked(sender_id=sender.id, client_id=client_id)
        conversation = people.filter(id=conversation_id).first()
    if conversation is None:
        raise ConversationNotFound()
    if getattr(conversation, "resent_id", None) is not None:
        return Message.objects.get(id=conversation.resent_id), False
    if conversation.kind == ConversationKind.DIRECT:
        member_ids = _direct_members(conversation.direct_key)
        if blocked is None and sender.id in member_ids:
            blocked = _blocked_between(*member_ids)
    else:
        member_ids = list(
            Membership.objects.active().filter(conversation_id=conversation.id).values_list("user_id", flat=True)
        )
    if sender.id not in member_ids:
        raise ConversationNotFound()
    if blocked:
        raise Blocked()
    message = message_append(
        conversation=conversation, sender=sender, role=MessageRole.USER, content=content, client_id=client_id
    )
    users_send_on_commit(user_ids=member_ids, payload=message_frame(message))
    return message, True


def _watermark_advance(*, user, conversation_id, field: str, up_to_seq) -> int | None:
    """Move one of the user's watermarks forward and tell the senders concerned; None when it did not move."""
    if not isinstance(up_to_seq, int) or isinstance(up_to_seq, bool) or up_to_seq < 0:
        raise InvalidContent("up_to_seq must be a non-negative integer.", fields={"up_to_seq": ["Invalid."]})
    conversation_id = _uuid(conversation_id)

    # Whose messages the advance covers: in a DM, only the other member can have sent any, so
    # whether they did rides on the statement reading the membership.
    def others_sent(after):
        return (
            Message.objects.filter(conversation_id=conversation_id, seq__gt=after, seq__lte=up_to_seq)
            .exclude(sender__isnull=True)
            .exclude(sender=user)
        )

    membership = (
        Membership.objects.active()
        .select_related("conversation")
        .filter(conversation_id=conversation_id, user=user, conversation__kind__in=PEOPLE_KINDS)
        .annotate(others_sent=Exists(others_sent(OuterRef(field))))
        .first()
    )
    if membership is None:
        raise ConversationNotFound()
    up_to_seq = min(up_to_seq, membership.conversation.next_seq - 1)
    before = getattr(membership, field)
    if up_to_seq <= before:
        return None
    # One conditional UPDATE instead of a locked read-modify-write: the watermark only ever moves
    # forward, and when two advances race, the one that finds it already further stops here.
    # Reading a message implies it was delivered.
    moved = Membership.objects.filter(id=membership.id, **{f"{field}__lt": up_to_seq}).update(
        **{field: up_to_seq, "delivered_up_to_seq": Greatest("delivered_up_to_seq", Value(up_to_seq))}
    )
    if not moved:
        return None
    if membership.conversation.kind == ConversationKind.DIRECT:
        others = [uid for uid in _direct_members(membership.conversation.direct_key) if uid != user.id]
        sender_ids = others if membership.others_sent else []
    else:
        sender_ids = others_sent(before).values_list("sender_id", flat=True).distinct()
    payload = {"type": "receipt", "conversation_id": str(membership.conversation_id), "user_id": str(user.id)}
    users_send_on_commit(user_ids=set(sender_ids), payload={**payload, field: up_to_seq})
    return up_to_seq


# Rows of one UPDATE of DM watermarks: three parameters each, well under SQLite's limit.
DELIVERED_ROWS_A_STATEMENT = 500


def _direct_delivered_many(rows: list[tuple[uuid.UUID, uuid.UUID, int]]) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Move the delivered watermark of each `(conversation_id, user_id, seq)` that is a DM membership
    still behind `seq`, in one UPDATE (a chunk of DELIVERED_ROWS_A_STATEMENT); the pairs moved.

    Raw SQL because the ORM's update() neither joins a list of values nor returns the rows it
    moved; UPDATE ... FROM (VALUES ...) RETURNING is the same on PostgreSQL and SQLite (3.35+).
    """
    connection = connections[router.db_for_write(Membership)]
    quote = connection.ops.quote_name
    column = functools.partial(_column, connection)

    member_conversation, member_user = column(Membership, "conversation"), column(Membership, "user")
    delivered = column(Membership, "delivered_up_to_seq")
    conversation_field, user_field = (Membership._meta.get_field(name) for name in ("conversation", "user"))
    moved = set()
    for start in range(0, len(rows), DELIVERED_ROWS_A_STATEMENT):
        chunk = rows[start : start + DELIVERED_ROWS_A_STATEMENT]
        sql = (
            f"UPDATE {quote(Membership._meta.db_table)} "
            f"SET {column(Membership, 'delivered_up_to_seq', qualified=False)} = v.column3 "
            f"FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}) AS v, {quote(Conversation._meta.db_table)} "
            f"WHERE {member_conversation} = v.column1 AND {member_user} = v.column2 AND {delivered} < v.column3 "
            f"AND {column(Membership, 'left_at')} IS NULL AND {column(Conversation, 'id')} = {member_conversation} "
            f"AND {column(Conversation, 'kind')} = %s RETURNING {member_conversation}, {member_user}"
        )
        params = []
        for conversation_id, user_id, seq in chunk:
            params += [
                conversation_field.get_db_prep_value(conversation_id, connection),
                user_field.get_db_prep_value(user_id, connection),
                seq,
            ]
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, ConversationKind.DIRECT])
            moved.update((uuid.UUID(str(c)), uuid.UUID(str(u))) for c, u in cursor.fetchall())
    return moved


def receipts_delivered_all(*, seen: list[tuple[User, dict]]) -> None:
    """What users' sockets received from others, each user once with `{conversation_id: (seq,
    sender_id)}` (the latest message seen in each): the senders get a `receipt`; conversations a
    user left are skipped. One database call for all the sockets of a process.

    Every DM's watermark moves in one UPDATE: the message seen there was the other member's, so its
    sender is the one to tell; those receipts go out in one channel-layer message. The rest (a
    group, or a DM whose watermark another tab moved first) go through receipt_delivered one by one,
    and so does everything when that UPDATE fails (two processes' flushes deadlocking on a user's
    rows, say); one receipt's failure leaves the others written.
    """
    entries = []
    for user, latest in seen:
        for conversation_id, (seq, sender_id) in latest.items():
            with contextlib.suppress(ConversationNotFound):
                entries.append((user, _uuid(conversation_id), seq, sender_id))
    try:
        moved = _direct_delivered_many([(conversation_id, user.id, seq) for user, conversation_id, seq, _ in entries])
    except DatabaseError:
        logger.warning("delivery receipts of %s users: one UPDATE failed, written one by one", len(seen), exc_info=True)
        moved = set()
    receipts = defaultdict(list)
    for user, conversation_id, seq, sender_id in entries:
        if (conversation_id, user.id) in moved:
            receipts[sender_id].append(
                {
                    "type": "receipt",
                    "conversation_id": str(conversation_id),
                    "user_id": str(user.id),
                    "delivered_up_to_seq": seq,
                }
            )
            continue
        try:
            with contextlib.suppress(ConversationNotFound):
                receipt_delivered(user=user, conversation_id=conversation_id, up_to_seq=seq)
        except Exception:
            logger.exception("delivery receipt of user %s in %s not recorded", user.id, conversation_id)
    transaction.on_commit(partial(users_send_each, receipts))


def receipt_delivered(*, user, conversation_id, up_to_seq: int) -> int | None:
    """The user's sockets received messages up to this seq; their senders get a `receipt`."""
    return _watermark_advance(
        user=user, conversation_id=conversation_id, field="delivered_up_to_seq", up_to_seq=up_to_seq
    )


def receipt_read(*, user, conversation_id, up_to_seq: int) -> int | None:
    """The user read messages up to this seq; their senders get a `receipt`. Raises ConversationNotFound."""
    return _watermark_advance(user=user, conversation_id=conversation_id, field="read_up_to_seq", up_to_seq=up_to_seq)


def typing_relay(*, user, conversation_id) -> bool:
    """Tell the other members the user is typing, at most once per TYPING_INTERVAL_SECONDS; False when dropped."""
    member_ids = list(
        Membership.objects.active()
        .filter(conversation_id=_uuid(conversation_id), conversation__kind__in=PEOPLE_KINDS)
        .values_list("user_id", flat=True)
    )
    if user.id not in member_ids:
        raise ConversationNotFound()
    if not cache.add(f"typing:{user.id}:{conversation_id}", 1, timeout=TYPING_INTERVAL_SECONDS):
        return False
    payload = {"type": "typing", "conversation_id": str(conversation_id), "user_id": str(user.id)}
    users_send(user_ids=[uid for uid in member_ids if uid != user.id], payload=payload)
    return True
