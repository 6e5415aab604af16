"""The seat counter: the only code that changes `Hub.seats_taken`, so the cap holds under any load."""
from __future__ import annotations

from sqlalchemy.orm.util import identity_key

from ..extensions import db
from ..hubs.models import Hub


def take_seat(hub_id: int) -> bool:
    """Take one seat if one is free; False when the hub is full.

    One conditional UPDATE: PostgreSQL re-checks the WHERE after waiting on a concurrent writer,
    and SQLite serializes writers, so two buyers of the last seat can never both succeed.
    """
    result = db.session.execute(
        db.update(Hub)
        .where(Hub.id == hub_id, Hub.seats_taken < Hub.cap)
        .values(seats_taken=Hub.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    _expire_counter(hub_id)
    return result.rowcount == 1


def release_seat(hub_id: int) -> None:
    """Give one seat back; freeing capacity needs no lock."""
    db.session.execute(
        db.update(Hub)
        .where(Hub.id == hub_id, Hub.seats_taken > 0)
        .values(seats_taken=Hub.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )
    _expire_counter(hub_id)


def _expire_counter(hub_id: int) -> None:
    # The UPDATE bypassed the ORM; a Hub already loaded must re-read its counter.
    hub = db.session.identity_map.get(identity_key(Hub, hub_id))
    if hub is not None:
        db.session.expire(hub, ["seats_taken"])
