"""Who a viewer is, for one day only: an HMAC of network prefix, browser family, hub and placement under a salt
that rotates daily. The salt lives in Redis for two days and nowhere else; no cookie, no raw address is kept."""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
import time
from datetime import date
from functools import lru_cache

from redis import Redis

#: A day's salt outlives its day by one (late clicks and flushes still see it), then Redis drops it.
SALT_TTL = 2 * 24 * 3600
#: How long a process trusts the salt it read before asking Redis again.
SALT_CACHE_SECONDS = 300
_salts: dict[date, tuple[bytes, float]] = {}

#: Browser families, first match wins (Edge and Opera also say "Chrome", Chrome also says "Safari").
FAMILIES = (
    ("Edge", re.compile(r"Edg(e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Samsung", re.compile(r"SamsungBrowser/")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)


def salt_key(day: date) -> str:
    return f"microhub:sponsors:salt:{day.isoformat()}"


def day_salt(conn: Redis, day: date) -> bytes:
    """The salt of `day` (UTC): made once by whichever process asks first (SET NX), read by all the others."""
    cached = _salts.get(day)
    if cached and cached[1] > time.monotonic():
        return cached[0]
    pipe = conn.pipeline(transaction=True)
    pipe.set(salt_key(day), secrets.token_hex(32), nx=True, ex=SALT_TTL)
    pipe.get(salt_key(day))
    salt = pipe.execute()[1]
    _salts.clear()  # only one day is ever cached
    _salts[day] = (salt, time.monotonic() + SALT_CACHE_SECONDS)
    return salt


def forget_salts() -> None:
    """Drop this process's cached salt (tests, and after Redis was flushed)."""
    _salts.clear()


def ip_prefix(address: str | None) -> str:
    """The /24 network of an IPv4 address or the /48 of an IPv6 one; the address itself is never kept."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return "unknown"
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip).rsplit(".", 1)[0] + ".0/24"
    return str(ipaddress.ip_network(f"{ip}/48", strict=False))


def browser_family(user_agent: str | None) -> str:
    agent = (user_agent or "")[:1000]
    for name, pattern in FAMILIES:
        if pattern.search(agent):
            return name
    return "Other"


@lru_cache(maxsize=4096)
def viewer_of(address: str | None, user_agent: str | None) -> str:
    """What the key is made from: the network prefix and the browser family, never the address itself (remembered
    per process for the last few thousand address and agent pairs: parsing both costs more than the key)."""
    return f"{ip_prefix(address)}|{browser_family(user_agent)}"


def viewer_key(salt: bytes, viewer: str, *, hub_id: int, placement_id: int) -> str:
    """The day's key of one viewer (`viewer_of`) of one placement: the same all day, unrelated to the next day's."""
    return hmac.new(salt, f"{viewer}|{hub_id}|{placement_id}".encode(), hashlib.sha256).hexdigest()[:32]
