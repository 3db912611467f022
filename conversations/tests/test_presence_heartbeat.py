"""The process's heartbeat keeps every open socket counted, on Redis in a few round trips for all users."""

import time
import uuid

import pytest
from django.core.cache import cache

from config.cache import redis_cache
from conversations.services import presence


def test_a_beat_refreshes_every_socket_and_keeps_other_processes_sockets(cache_commands):
    # given two users with a socket here, one of whom also has a live socket in another process
    # and a lapsed one that process lost
    alice, bob = uuid.uuid4(), uuid.uuid4()
    now = time.time()
    cache.set(presence._key(alice), {"elsewhere": now + 60, "lost": now - 1}, timeout=presence.ENTRY_TTL_SECONDS)
    cache_commands.clear()

    # when the process beats
    presence.presence_heartbeat(sockets={"here-a1": alice, "here-a2": alice, "here-b": bob})
    beat = list(cache_commands)

    # then both are counted with every live socket, for a whole entry lifetime, the lapsed one gone
    entries = {user_id: cache.get(presence._key(user_id)) for user_id in (alice, bob)}
    assert set(entries[alice]) == {"elsewhere", "here-a1", "here-a2"} and set(entries[bob]) == {"here-b"}
    assert entries[alice]["here-a1"] >= now + presence.ENTRY_TTL_SECONDS - 1
    assert presence.online_ids(user_ids=[alice, bob]) == {str(alice), str(bob)}
    if redis_cache() is not None:
        # in three round trips for both users (their locks, their entries, the writes), locks let go
        assert beat == ["pipeline", "MGET", "pipeline"]
        assert not cache.get(presence._lock_key(alice)) and not cache.get(presence._lock_key(bob))


@pytest.mark.skipif(redis_cache() is None, reason="the local-memory cache refreshes user by user")
def test_a_user_whose_entry_another_process_is_changing_is_refreshed_after_it(cache_commands):
    # given a user whose lock another process holds (opening a socket, say) and one whose is free
    busy, free = uuid.uuid4(), uuid.uuid4()
    cache.add(presence._lock_key(busy), 1, timeout=1)
    cache_commands.clear()

    presence.presence_heartbeat(sockets={"here-busy": busy, "here-free": free})
    beat = list(cache_commands)

    # the free one went with the batch, the busy one on its own once the lock lapsed
    assert beat[:3] == ["pipeline", "MGET", "pipeline"] and len(beat) > 3
    assert presence.online_ids(user_ids=[busy, free]) == {str(busy), str(free)}
