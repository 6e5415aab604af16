"""Counting placements as pages and e-mails show them: on the server, once per viewer per placement per hour,
in Redis counters (INCR only) that the tick rolls up into `PlacementDay` rows (`rollups.py`).

A page waits for one Redis round trip (a Lua script) when a view may count, plus, once every few minutes, one for
the day's salt; views known not to count (bots, staff, the sponsor's people, repeats this process saw) are added up
in the process and written within `SPONSOR_TALLY_SECONDS` (`tally.py`).
Bots, the hub's staff and the sponsor's own people are not counted; they are counted as discarded, by reason.
When Redis is unreachable the page still renders with working click links, nothing is counted, and a warning
is logged (then counting rests for `REST_SECONDS`, so a dead Redis does not slow every page).
"""
from __future__ import annotations

import logging
import time
from datetime import date, datetime

from flask import current_app
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy import bindparam

from ..database import utcnow
from ..extensions import db
from ..hubs.access import STAFF, USER_ID, checked, roles_known
from ..hubs.models import HubRole
from ..jobs import redis_connection
from . import tally
from .bots import is_bot
from .clicks import EMAIL_TOKEN_AGE, WEB_TOKEN_AGE, click_base, click_url
from .models import Channel, Placement, PlacementStatus, SponsorPerson
from .viewers import day_salt, viewer_key, viewer_of

log = logging.getLogger(__name__)

PREFIX = "microhub:sponsors"
#: The set of counter hashes that have something the tick has not rolled up yet ("<placement>:<day>:<channel>").
DIRTY = f"{PREFIX}:dirty"
ONCE_PER = 3600  # a viewer counts once per placement per hour
DAY_KEYS_TTL = 3 * 24 * 3600  # unique-viewer sketches outlive their day until it is final
REST_SECONDS = 30
_resting_until = 0.0
_told_off = False

# KEYS: dirty, then per placement (counters, seen-marker, unique sketch); ARGV: seen TTL, sketch TTL, then per
# placement (dirty member, discard reason or "", viewer key). Returns {1 per counted placement, else 0} and
# {seconds its seen-marker has left (0 for a view discarded for who is looking)}.
SERVE = """
local counted, left = {}, {}
for i = 1, (#KEYS - 1) / 3 do
  local counters, seen, sketch = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
  local member, reason, viewer = ARGV[3 * i], ARGV[3 * i + 1], ARGV[3 * i + 2]
  counted[i], left[i] = 0, 0
  if reason == '' then
    if redis.call('SET', seen, '1', 'NX', 'EX', ARGV[1]) then
      redis.call('HINCRBY', counters, 'served', 1)
      redis.call('PFADD', sketch, viewer)
      redis.call('EXPIRE', sketch, ARGV[2])
      counted[i], left[i] = 1, tonumber(ARGV[1])
    else
      reason, left[i] = 'repeat', redis.call('TTL', seen)
    end
  end
  if reason ~= '' then redis.call('HINCRBY', counters, 'discarded:' .. reason, 1) end
  redis.call('SADD', KEYS[1], member)
end
return {counted, left}
"""
# KEYS: once-marker ("" for none), counters, dirty; ARGV: marker TTL, field, dirty member. 1 if counted.
BUMP = """
if KEYS[1] ~= '' and not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('HINCRBY', KEYS[2], ARGV[2], 1)
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""


_scripts: dict = {}


def script(conn: Redis, text: str):
    """A Lua script run by its SHA (EVALSHA, loaded on first use), made once per connection."""
    key = (id(conn), text)
    made = _scripts.get(key)
    if made is None:
        made = _scripts[key] = conn.register_script(text)
    return made


def member(placement_id: int, day: date, channel: Channel) -> str:
    return f"{placement_id}:{day.isoformat()}:{channel.value}"


def counters_key(placement_id: int, day: date, channel: Channel) -> str:
    return f"{PREFIX}:n:{member(placement_id, day, channel)}"


def sketch_key(placement_id: int, day: date) -> str:
    return f"{PREFIX}:u:{placement_id}:{day.isoformat()}"


def counting_redis() -> Redis | None:
    """The Redis counters live in, or None when it is not configured or is resting after a failure."""
    global _told_off
    if time.monotonic() < _resting_until:
        return None
    conn = redis_connection(current_app)
    if conn is None and not _told_off:
        _told_off = True
        log.info("sponsor counting is off: REDIS_URL is not set (pages show placements, nothing is counted)")
    return conn


def _rest(what: str, exc: Exception) -> None:
    global _resting_until
    _resting_until = time.monotonic() + REST_SECONDS
    log.warning("sponsor counting: Redis unreachable, %s not counted (pages still render; counting resumes "
                "in %ss): %s", what, REST_SECONDS, exc)


def resume() -> None:
    """Count again at once (tests, and after Redis is known to be back)."""
    global _resting_until
    _resting_until = 0.0


def count_served(placements, *, hub_id: int, request, user, channel: Channel = Channel.WEB) -> dict[int, str]:
    """Count the showing of these placements on a page of hub `hub_id` and give each its signed click URL.

    `placements` are `Placement` rows or `display.Shown` rows the page already loaded (no query) or their ids
    (one query). Only live
    placements of that hub are counted and returned (`{placement_id: click_url}`); others are left out. A view is
    discarded with a reason ("bot", "staff", "sponsor", "repeat") instead of counted. With
    `channel=Channel.EMAIL` each placement counts as sent (`count_sent`) and gets an absolute e-mail link.
    """
    live = _live(placements, hub_id)
    if not live:
        return {}
    if channel is Channel.EMAIL:
        return {pid: _sent(pid, hub_id) for pid in sorted(live)}
    reasons = _reasons(live, hub_id, request, user)
    counted = _record_served(live, reasons, hub_id, request)
    base = click_base()
    return {pid: click_url(pid, hub_id, Channel.WEB, counted=pid in counted, base=base) for pid in sorted(live)}


def _live(placements, hub_id: int) -> dict[int, int]:
    """{placement id: sponsor id} of the live placements of this hub among `placements` (rows or ids)."""
    placements = list(placements)
    if all(isinstance(p, Placement) for p in placements):
        return {p.id: p.sponsor_id for p in placements if p.hub_id == hub_id and p.status is PlacementStatus.LIVE}
    if all(hasattr(p, "placement_id") and hasattr(p, "sponsor_id") for p in placements):
        return {p.placement_id: p.sponsor_id for p in placements}  # display.Shown: read live, of this hub
    ids = {int(getattr(p, "id", p)) for p in placements}
    if not ids:
        return {}
    return dict(db.session.execute(db.select(Placement.id, Placement.sponsor_id).where(
        Placement.id.in_(ids), Placement.hub_id == hub_id, Placement.status == PlacementStatus.LIVE)).all())


#: Asked with the person's roles by a page that shows placements (`access.roles_and`): are they one of any sponsor's
#: people at all? Nearly nobody is, and then counting needs no look-up of which sponsors they belong to.
SPONSOR_PERSON = "sponsors.person"
VIEWER_CHECKS = {SPONSOR_PERSON: db.exists().where(SponsorPerson.user_id == USER_ID)}
_STAFF_HERE = db.select(HubRole.id).where(HubRole.hub_id == bindparam("hub_id"),
                                          HubRole.user_id == bindparam("user_id"), HubRole.role.in_(STAFF)).limit(1)
_OWN_SPONSORS = db.select(SponsorPerson.sponsor_id).where(
    SponsorPerson.user_id == bindparam("user_id"), SponsorPerson.sponsor_id.in_(bindparam("ids", expanding=True)))


def _reasons(live: dict[int, int], hub_id: int, request, user) -> dict[int, str]:
    """Why each placement's view is not counted ("" when it is): bot, staff, the sponsor's own people."""
    if is_bot(request.headers.get("User-Agent")):
        return dict.fromkeys(live, "bot")
    reasons = dict.fromkeys(live, "")
    if not getattr(user, "is_authenticated", False):
        return reasons
    known = roles_known(hub_id, user.id)  # the page asked already: no second round trip
    if known is not None:
        staff = known & STAFF or None
    else:
        staff = db.session.scalar(_STAFF_HERE, {"hub_id": hub_id, "user_id": user.id})
    if staff is not None:
        return dict.fromkeys(live, "staff")
    if checked(hub_id, user.id, SPONSOR_PERSON) is False:  # the page asked with the roles: nobody's people
        return reasons
    own = set(db.session.scalars(_OWN_SPONSORS, {"user_id": user.id, "ids": sorted(set(live.values()))}))
    return {pid: "sponsor" if sponsor_id in own else "" for pid, sponsor_id in live.items()}


def _record_served(live: dict[int, int], reasons: dict[int, str], hub_id: int, request) -> set[int]:
    """Count the views Redis must decide on (one script, one round trip), tally those known not to count."""
    conn = counting_redis()
    if conn is None or not live:
        return set()
    day = utcnow().date()
    seconds = current_app.config.get("SPONSOR_TALLY_SECONDS", 0)
    try:
        salt = day_salt(conn, day)
        who = viewer_of(request.remote_addr, request.headers.get("User-Agent"))
        asks, known = [], []
        for pid in sorted(live):
            viewer = viewer_key(salt, who, hub_id=hub_id, placement_id=pid)
            seen, reason = f"{PREFIX}:seen:{viewer}", reasons[pid]
            if not reason and tally.known_repeat(seen, seconds):
                reason = "repeat"
            if reason and seconds > 0:
                known.append((counters_key(pid, day, Channel.WEB), f"discarded:{reason}",
                              member(pid, day, Channel.WEB)))
            else:
                asks.append((pid, viewer, seen, reason))
        counted = _serve(conn, asks, day, seconds) if asks else set()
    except RedisError as exc:
        _rest(f"{len(live)} placement views", exc)
        return set()
    if known:
        tally.add(conn, DIRTY, known, seconds)
    return counted


def _serve(conn: Redis, asks: list[tuple[int, str, str, str]], day: date, seconds: float) -> set[int]:
    """Run the SERVE script for (placement id, viewer key, seen-marker, reason) views; the ids counted."""
    keys, args = [DIRTY], [ONCE_PER, DAY_KEYS_TTL]
    for pid, viewer, seen, reason in asks:
        keys += [counters_key(pid, day, Channel.WEB), seen, sketch_key(pid, day)]
        args += [member(pid, day, Channel.WEB), reason, viewer]
    flags, left = script(conn, SERVE)(keys=keys, args=args)
    for (_, _, seen, _), ttl in zip(asks, left):
        tally.remember(seen, int(ttl), seconds)
    return {pid for (pid, *_), flag in zip(asks, flags) if int(flag)}


def bump(placement_id: int, channel: Channel, field: str, *, once: str | None = None,
         at: datetime | None = None) -> bool:
    """Add one to a figure of today's counters; with `once`, only the first time that marker is seen (within
    the channel's token age). False when not counted (seen before, or Redis unreachable)."""
    conn = counting_redis()
    if conn is None:
        return False
    day = (at or utcnow()).date()
    ttl = EMAIL_TOKEN_AGE if channel is Channel.EMAIL else WEB_TOKEN_AGE
    marker = f"{PREFIX}:once:{field}:{once}" if once else ""
    try:
        done = script(conn, BUMP)(keys=[marker, counters_key(placement_id, day, channel), DIRTY],
                                  args=[int(ttl.total_seconds()), field, member(placement_id, day, channel)])
    except RedisError as exc:
        _rest(f"a {field} of placement {placement_id}", exc)
        return False
    return bool(int(done))


def count_sent(placement_id: int) -> str:
    """Count one e-mail carrying this placement as sent, and give its absolute click URL (good for 30 days).
    No tracking pixel: opens are not counted, only sends and clicks."""
    hub_id = db.session.scalar(db.select(Placement.hub_id).where(Placement.id == placement_id))
    if hub_id is None:
        raise LookupError(f"no placement {placement_id}")
    return _sent(placement_id, hub_id)


def _sent(placement_id: int, hub_id: int) -> str:
    counted = bump(placement_id, Channel.EMAIL, "served")
    return click_url(placement_id, hub_id, Channel.EMAIL, counted=counted, external=True)
