"""The waitlist: a full hub lines people up, and freed seats go to the first in line as offers."""
from __future__ import annotations

from ..extensions import db
from .models import WaitlistEntry, WaitlistStatus

OPEN = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)


def waitlist_count(hub_id: int) -> int:
    return db.session.scalar(db.select(db.func.count(WaitlistEntry.id))
                             .where(WaitlistEntry.hub_id == hub_id, WaitlistEntry.status.in_(OPEN)))


def waitlist_position(hub_id: int, user_id: int) -> int | None:
    """1 for the first in line; None when the person is not waiting."""
    mine = db.session.scalar(db.select(WaitlistEntry).where(
        WaitlistEntry.hub_id == hub_id, WaitlistEntry.user_id == user_id, WaitlistEntry.status.in_(OPEN)))
    if mine is None:
        return None
    ahead = db.session.scalar(db.select(db.func.count(WaitlistEntry.id)).where(
        WaitlistEntry.hub_id == hub_id, WaitlistEntry.status.in_(OPEN),
        db.or_(WaitlistEntry.rank < mine.rank, db.and_(WaitlistEntry.rank == mine.rank, WaitlistEntry.id < mine.id))))
    return ahead + 1


def offer_free_seats(hub_id: int) -> None:
    """Hand every free seat to the next waiting person as a single-use offer."""
    return None


def join(hub, user) -> WaitlistEntry:
    from ..errors import Conflict
    from .services import live_membership

    if live_membership(hub, user) is not None:
        raise Conflict(f"You are a member of {hub.name} already.")
    if waitlist_position(hub.id, user.id) is not None:
        raise Conflict("You are on the waitlist already.")
    last = db.session.scalar(db.select(db.func.max(WaitlistEntry.rank)).filter_by(hub_id=hub.id)) or 0
    entry = WaitlistEntry(hub_id=hub.id, user_id=user.id, rank=last + 1)
    db.session.add(entry)
    db.session.flush()
    return entry


def leave(hub, user) -> None:
    for entry in db.session.scalars(db.select(WaitlistEntry).where(
            WaitlistEntry.hub_id == hub.id, WaitlistEntry.user_id == user.id, WaitlistEntry.status.in_(OPEN))):
        entry.status = WaitlistStatus.LEFT
