"""Presence: a user is online while any of their sockets is open, in any tab and any process.

Each user has one cache entry `{channel_name: expires_at}`. Sockets add themselves on connect
and remove themselves on disconnect; one timer per process (Heartbeats) refreshes the expiry of
all its open sockets together; an entry whose process died simply expires, so nobody stays online
forever. With Redis the entry is shared by every process; with the local-memory cache it is per
process.
"""

import contextlib
import logging
import time

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from config.cache import redis_cache
from config.db import database_async
from config.timers import ProcessTimer
from conversations.models import Membership
from conversations.services.messaging import PEOPLE_KINDS, users_send

logger = logging.getLogger("parley.ws")

HEARTBEAT_SECONDS = 30
ENTRY_TTL_SECONDS = 3 * HEARTBEAT_SECONDS
LOCK_SECONDS = 5


def _key(user_id) -> str:
    return f"presence:{user_id}"


def _lock_key(user_id) -> str:
    return f"presence-lock:{user_id}"


@contextlib.contextmanager
def _user_lock(user_id):
    # Two sockets of one user may connect at once in two processes: the read-modify-write of the
    # entry is serialised by a short cache lock (cache.add is atomic on both backends).
    lock_key = _lock_key(user_id)
    deadline = time.monotonic() + 2
    while not cache.add(lock_key, 1, timeout=LOCK_SECONDS) and time.monotonic() < deadline:
        time.sleep(0.005)
    try:
        yield
    finally:
        cache.delete(lock_key)


def _live(entry: dict | None, now: float) -> dict:
    return {channel: expires for channel, expires in (entry or {}).items() if expires > now}


def _sockets_update(*, user_id, channel_names, present: bool) -> tuple[int, int]:
    """Add, refresh or remove sockets of one user; the number of live sockets before and after."""
    with _user_lock(user_id):
        now = time.time()
        entry = _live(cache.get(_key(user_id)), now)
        before = len(entry)
        for channel_name in channel_names:
            if present:
                entry[channel_name] = now + ENTRY_TTL_SECONDS
            else:
                entry.pop(channel_name, None)
        cache.set(_key(user_id), entry, timeout=ENTRY_TTL_SECONDS)
        return before, len(entry)


def contact_ids(*, user_id) -> list:
    """Everyone who shares an active direct or group conversation with the user."""
    shared = Q(
        conversation__kind__in=PEOPLE_KINDS,
        conversation__memberships__user_id=user_id,
        conversation__memberships__left_at__isnull=True,
    )
    return list(
        Membership.objects.active().filter(shared).exclude(user_id=user_id).values_list("user_id", flat=True).distinct()
    )


def _announce(*, user_id, is_online: bool, last_seen) -> None:
    payload = {
        "type": "presence",
        "user_id": str(user_id),
        "is_online": is_online,
        "last_seen": last_seen.isoformat() if last_seen else None,
    }
    users_send(user_ids=contact_ids(user_id=user_id), payload=payload)


def presence_connect(*, user_id, channel_name: str) -> bool:
    """Count a newly opened socket; on the user's first one mark them online and tell their contacts."""
    before, _ = _sockets_update(user_id=user_id, channel_names=[channel_name], present=True)
    if before:
        return False
    User.objects.filter(id=user_id).update(is_online=True)
    last_seen = User.objects.filter(id=user_id).values_list("last_seen", flat=True).first()
    _announce(user_id=user_id, is_online=True, last_seen=last_seen)
    return True


def presence_heartbeat(*, sockets: dict) -> None:
    """Keep still-open sockets counted: `{channel_name: user_id}`. On Redis every user at once
    (_refresh_many); a user whose entry is being changed meanwhile, and every user on another
    cache, with one update each."""
    by_user: dict = {}
    for channel_name, user_id in sockets.items():
        by_user.setdefault(user_id, []).append(channel_name)
    backend = redis_cache()
    if backend is not None:
        by_user = _refresh_many(backend, by_user)
    for user_id, channel_names in by_user.items():
        _sockets_update(user_id=user_id, channel_names=channel_names, present=True)


def _refresh_many(backend, by_user: dict) -> dict:
    """_sockets_update(present=True) for every user of `by_user` in three Redis round trips, not four
    a user: take their locks, read their entries, write them back and let go of the locks. Returns
    the users whose lock another process held, left to the caller."""
    client = backend._cache.get_client(write=True)
    serializer = backend._cache._serializer
    users = list(by_user)
    locks = [backend.make_and_validate_key(_lock_key(user_id)) for user_id in users]
    pipe = client.pipeline(transaction=False)
    for lock in locks:
        pipe.set(lock, serializer.dumps(1), nx=True, ex=LOCK_SECONDS)
    taken = [n for n, locked in enumerate(pipe.execute()) if locked]
    if taken:
        keys = [backend.make_and_validate_key(_key(users[n])) for n in taken]
        now = time.time()
        pipe = client.pipeline(transaction=False)
        for n, key, stored in zip(taken, keys, client.mget(keys), strict=True):
            entry = _live(None if stored is None else serializer.loads(stored), now)
            entry.update(dict.fromkeys(by_user[users[n]], now + ENTRY_TTL_SECONDS))
            pipe.set(key, serializer.dumps(entry), ex=ENTRY_TTL_SECONDS)
            pipe.delete(locks[n])
        pipe.execute()
    done = {users[n] for n in taken}
    return {user_id: channel_names for user_id, channel_names in by_user.items() if user_id not in done}


_presence_heartbeat = database_async(presence_heartbeat)


class Heartbeats(ProcessTimer):
    """The open sockets of this process, kept counted by one timer rather than a task per socket.

    Every HEARTBEAT_SECONDS the timer refreshes all of them in one call on a worker thread; it
    stops when the last socket is gone and starts again with the next one.
    """

    def __init__(self):
        self.sockets: dict[str, object] = {}

    def add(self, *, channel_name: str, user_id) -> None:
        self.sockets[channel_name] = user_id
        self.start()

    def discard(self, *, channel_name: str) -> None:
        self.sockets.pop(channel_name, None)

    def counts(self, *, channel_name: str) -> bool:
        return channel_name in self.sockets

    async def beat(self) -> None:
        """Refresh every socket now."""
        try:
            await _presence_heartbeat(sockets=dict(self.sockets))
        except Exception:
            # The boundary of the timer: an outage must not stop the next beats.
            logger.exception("presence heartbeat of %s sockets failed", len(self.sockets))

    def busy(self) -> bool:
        return bool(self.sockets)

    def interval(self) -> float:
        return HEARTBEAT_SECONDS

    async def tick(self) -> None:
        await self.beat()


heartbeats = Heartbeats()


def presence_disconnect(*, user_id, channel_name: str) -> bool:
    """Forget a closed socket; after the user's last one record last_seen and tell their contacts."""
    _, after = _sockets_update(user_id=user_id, channel_names=[channel_name], present=False)
    if after:
        return False
    now = timezone.now()
    User.objects.filter(id=user_id).update(is_online=False, last_seen=now)
    _announce(user_id=user_id, is_online=False, last_seen=now)
    return True


def online_ids(*, user_ids) -> set[str]:
    """Which of these users have a live socket now (one cache round trip)."""
    now = time.time()
    entries = cache.get_many([_key(uid) for uid in user_ids])
    return {key.split(":", 1)[1] for key, entry in entries.items() if _live(entry, now)}
