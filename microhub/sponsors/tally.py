"""Views that cannot count, added up in the process and written to Redis together, at most
`SPONSOR_TALLY_SECONDS` later (1 s; 0 in tests: written at once), so a page only waits on Redis when Redis's answer
decides something: whether this view is the viewer's first of the hour.

Two kinds of view are known not to count without asking: those discarded for who is looking (a bot, the hub's
staff, the sponsor's own people), and repeats this process has seen itself, while the once-per-hour marker it saw
set in Redis is still there (its expiry is remembered from the script's answer; a marker is never deleted before
it, so a view before then is a repeat, as the script would have said). Their `discarded:<reason>` figures and the
dirty set reach Redis in one pipeline: on the next view after the interval, or from the process's tally thread when no view comes,
and when the process exits. A sponsor's figures may lag by that interval; a worker killed outright loses at most
that interval's discarded views, never a counted one (counted views are still written before the page answers).
"""
from __future__ import annotations

import atexit
import logging
import os
import threading
import time
from collections import Counter

from redis import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

#: Past this many remembered markers the process forgets them all (they are only a shortcut; Redis decides).
MOST_MARKERS = 100_000

_lock = threading.Lock()
_pending: Counter = Counter()  # (counters key, field, dirty member) → how many
_state: dict = {"conn": None, "due": 0.0, "thread_of": None, "dirty_set": None}
_markers: dict[str, float] = {}  # seen-marker key → monotonic time before which Redis certainly holds it


def known_repeat(marker: str, seconds: float) -> bool:
    """True when this process saw `marker` set in Redis and it has not expired yet (only with a tally on)."""
    return seconds > 0 and _markers.get(marker, 0.0) > time.monotonic()


def remember(marker: str, ttl: int, seconds: float) -> None:
    """The marker exists in Redis for `ttl` more seconds (as the script just read it); a second's margin."""
    if seconds <= 0 or ttl <= 1:
        return
    if len(_markers) >= MOST_MARKERS:
        _markers.clear()
    _markers[marker] = time.monotonic() + ttl - 1


def forget() -> None:
    """Drop remembered markers and pending figures (tests, and after Redis was flushed)."""
    with _lock:
        _markers.clear()
        _pending.clear()


def add(conn: Redis, dirty_set: str, counts: list[tuple[str, str, str]], seconds: float) -> None:
    """Add one to each (counters key, field, dirty member); written now with no interval, else when due."""
    with _lock:
        _pending.update(counts)
        _state["conn"], _state["dirty_set"] = conn, dirty_set
        now = time.monotonic()
        if seconds > 0 and now < _state["due"]:
            _arm(seconds)
            return
        _state["due"] = now + seconds
    flush()


def _arm(seconds: float) -> None:
    """One thread per process writes what is pending every `seconds`, for when no later view does (called under
    the lock; started on first need, so a forked worker starts its own)."""
    if _state["thread_of"] != os.getpid():
        _state["thread_of"] = os.getpid()
        threading.Thread(target=_keep_flushing, args=(seconds,), name="sponsor-tally", daemon=True).start()


def _keep_flushing(seconds: float) -> None:
    while True:
        time.sleep(seconds)
        flush()


def flush() -> None:
    """Write every pending figure in one pipeline; on a Redis failure they are dropped with a warning, as a view
    is when Redis is down."""
    with _lock:
        taken, conn, dirty_set = dict(_pending), _state["conn"], _state["dirty_set"]
        _pending.clear()
    if not taken or conn is None:
        return
    pipe = conn.pipeline(transaction=False)
    for (key, field, member), n in taken.items():
        pipe.hincrby(key, field, n)
        pipe.sadd(dirty_set, member)
    try:
        pipe.execute()
    except RedisError as exc:
        log.warning("sponsor counting: Redis unreachable, %s discarded views not written: %s",
                    sum(taken.values()), exc)


atexit.register(flush)
