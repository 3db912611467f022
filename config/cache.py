"""One Redis connection pool per process for Django's cache.

Django keeps a cache backend per async context (`caches` is an asgiref Local), and its Redis
backend builds a connection pool per backend instance. Under daphne every socket is a context
of its own that lives as long as the socket, so each socket that touched the cache held its own
pool and Redis connection: 1,000 idle sockets, 1,000 Redis connections and ~12 MiB (Django
ticket #33625). redis-py pools are thread-safe and made to be shared, so every backend instance
takes the one pool of its URL and options.
"""

import threading

import redis


class SharedConnectionPool(redis.ConnectionPool):
    """`OPTIONS["pool_class"]` of the Redis cache: `from_url` hands out one pool per URL and options."""

    _pools: dict[tuple, "SharedConnectionPool"] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs) -> "SharedConnectionPool":
        key = (url, tuple(sorted(kwargs.items())))
        with cls._lock:
            if key not in cls._pools:
                cls._pools[key] = super().from_url(url, **kwargs)
            return cls._pools[key]
