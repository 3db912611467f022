"""The client's address: X-Forwarded-For is believed only when it comes from a configured proxy.

The proxies in TRUSTED_PROXIES (addresses or networks) are stripped from the right of the chain
(REMOTE_ADDR, then the forwarded addresses from the nearest hop outwards); the first address no
trusted proxy vouches for is the client. With no trusted proxies the header is ignored, so a
client cannot pick its own address to dodge a per-address limit.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    """The address of the client behind any trusted proxies (request.META's REMOTE_ADDR otherwise)."""
    meta = request.META
    remote = meta.get("REMOTE_ADDR") or ""
    networks = _networks(tuple(settings.TRUSTED_PROXIES))
    if not networks or not _trusted(remote, networks):
        return remote
    hops = [hop.strip() for hop in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            return hop
    return hops[0] if hops else remote
