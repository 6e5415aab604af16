"""Rolling Redis counters up into `PlacementDay` rows, and making days final 48 hours after they end (UTC).

Each flush takes a batch of counter hashes and resets them in one Lua script (read and delete together, so a
count made meanwhile lands in a fresh hash for the next flush), then adds them to their rows, one UPDATE per
row. If writing fails the counts are put back in Redis; only a crash of this process between the script and
the commit loses that one batch. A count for a day already final becomes a dated `PlacementAdjustment`,
never an edit of the final row.
"""
from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

from redis import Redis
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .counting import DIRTY, PREFIX, counters_key, script, sketch_key
from .models import Channel, Placement, PlacementAdjustment, PlacementDay

log = logging.getLogger(__name__)

BATCH = 1000
FINAL_AFTER = timedelta(hours=48)
FIGURES = ("served", "viewable", "clicks")
LATE = "Counted after this day was final (rolled up late from the counters)."

# KEYS[1] dirty set; ARGV[1] batch size, ARGV[2] key prefix. Returns member, fields, member, fields, ...
TAKE = """
local out = {}
for _, m in ipairs(redis.call('SPOP', KEYS[1], ARGV[1])) do
  local key = ARGV[2] .. ':n:' .. m
  out[#out + 1] = m
  out[#out + 1] = redis.call('HGETALL', key)
  redis.call('DEL', key)
end
return out
"""


def final_before(now: datetime) -> date:
    """Days before this one are final at `now`: day D ends at D+1 00:00 UTC and is final 48 hours later."""
    return (now - FINAL_AFTER).date()


def take(conn: Redis, batch: int = BATCH) -> list[tuple[int, date, Channel, dict[str, int]]]:
    """Read and reset up to `batch` counter hashes at once: [(placement, day, channel, {field: count})]."""
    raw = script(conn, TAKE)(keys=[DIRTY], args=[batch, PREFIX])
    taken = []
    for name, flat in zip(raw[::2], raw[1::2]):
        pid, day, channel = (name.decode() if isinstance(name, bytes) else name).split(":")
        pairs = [v.decode() if isinstance(v, bytes) else v for v in flat]
        counts = {pairs[i]: int(pairs[i + 1]) for i in range(0, len(pairs), 2)}
        taken.append((int(pid), date.fromisoformat(day), Channel(channel), counts))
    return taken


def put_back(conn: Redis, taken) -> None:
    """Return counts taken by a flush that could not write them (INCR, so nothing counted since is lost)."""
    pipe = conn.pipeline(transaction=True)
    for pid, day, channel, counts in taken:
        for field, value in counts.items():
            pipe.hincrby(counters_key(pid, day, channel), field, value)
        pipe.sadd(DIRTY, f"{pid}:{day.isoformat()}:{channel.value}")
    pipe.execute()


def flush(conn: Redis, now: datetime, batch: int = BATCH) -> int:
    """Move one batch of counters into the database (the caller commits); how many rows it touched."""
    taken = take(conn, batch)
    if not taken:
        return 0
    pipe = conn.pipeline(transaction=False)
    for pid, day, channel, _ in taken:
        pipe.pfcount(sketch_key(pid, day))
    uniques = pipe.execute()
    try:
        known = set(db.session.scalars(db.select(Placement.id).where(Placement.id.in_({t[0] for t in taken}))))
        for (pid, day, channel, counts), unique in zip(taken, uniques):
            if pid in known:
                add(pid, day, channel, counts, unique if channel is Channel.WEB else 0, now)
        db.session.flush()
    except Exception:
        db.session.rollback()
        put_back(conn, taken)
        raise
    return len(taken)


def _row(pid: int, day: date, channel: Channel, now: datetime) -> PlacementDay:
    """The day's row, locked; made (final already if its day is) when there is none yet."""
    query = db.select(PlacementDay).filter_by(placement_id=pid, day=day, channel=channel).with_for_update()
    row = db.session.scalar(query)
    if row is not None:
        return row
    final = day < final_before(now)
    try:
        with db.session.begin_nested():
            row = PlacementDay(placement_id=pid, day=day, channel=channel, served=0, unique=0, viewable=0, clicks=0,
                               discarded={}, final=final, finalized_at=now if final else None)
            db.session.add(row)
        return row
    except IntegrityError:  # another flush made it meanwhile
        return db.session.scalar(query.execution_options(populate_existing=True))


def add(pid: int, day: date, channel: Channel, counts: dict[str, int], unique: int, now: datetime) -> None:
    """Add counts to the day's row; for a final day, record them as a dated adjustment instead."""
    row = _row(pid, day, channel, now)
    figures = {name: counts.get(name, 0) for name in FIGURES}
    discarded = {f.split(":", 1)[1]: n for f, n in counts.items() if f.startswith("discarded:")}
    more_unique = max(unique - row.unique, 0)
    if row.final:
        deltas = {**{k: v for k, v in figures.items() if v}, **({"unique": more_unique} if more_unique else {}),
                  **{f"discarded:{k}": v for k, v in discarded.items() if v}}
        if deltas:
            db.session.add(PlacementAdjustment(placement_id=pid, day=day, channel=channel, deltas=deltas,
                                               reason=LATE, created_at=now))
        return
    merged = dict(row.discarded or {})
    for reason, n in discarded.items():
        merged[reason] = merged.get(reason, 0) + n
    db.session.execute(db.update(PlacementDay).where(PlacementDay.id == row.id).values(
        served=PlacementDay.served + figures["served"], viewable=PlacementDay.viewable + figures["viewable"],
        clicks=PlacementDay.clicks + figures["clicks"], unique=PlacementDay.unique + more_unique,
        discarded=merged).execution_options(synchronize_session=False))
    db.session.expire(row)


def finalize(now: datetime) -> int:
    """Mark every day that ended 48 hours ago or more as final (the caller commits); how many rows."""
    result = db.session.execute(db.update(PlacementDay).where(
        PlacementDay.final.is_(False), PlacementDay.day < final_before(now)).values(final=True, finalized_at=now)
        .execution_options(synchronize_session=False))
    return result.rowcount or 0
