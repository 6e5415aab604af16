"""Placements' periodic work (listed in `microhub.wiring.PERIODIC_TASKS`): requests nobody decided before their
start, approvals left unpaid at `pay_by`, and paid placements turned on at their start and off at their end.
Each move is one conditional UPDATE, and on and off each win their marker, so double ticks do each thing once."""
from __future__ import annotations

from .. import audit
from ..database import update_where, utcnow
from ..extensions import db
from ..hubs.models import Hub
from .models import Placement, PlacementStatus as P
from .notices import tell_sponsor

BATCH = 500


def _due(*conditions) -> list[int]:
    return list(db.session.scalars(db.select(Placement.id).where(*conditions).order_by(Placement.id).limit(BATCH)))


def _expire(placement_id: int, status: P, why: str) -> None:
    if update_where(Placement, placement_id, Placement.status == status, status=P.EXPIRED, reason=why):
        placement = db.session.get(Placement, placement_id)
        audit.record("placement.expired", placement, actor_label="scheduler", reason=why)
        hub = db.session.get(Hub, placement.hub_id)
        tell_sponsor(placement.sponsor_id, f"Your placement in {hub.name} expired", "sponsor_placement_update",
                     hub=hub, placement=placement, what="expired")
    db.session.commit()


def expire_placements() -> None:
    """Requests still undecided when their period starts, and approvals unpaid at `pay_by`, expire."""
    now = utcnow()
    for placement_id in _due(Placement.status == P.REQUESTED, Placement.starts_at <= now):
        _expire(placement_id, P.REQUESTED, "No organizer decided the request before its period started.")
    for placement_id in _due(Placement.status == P.APPROVED, Placement.pay_by <= now):
        _expire(placement_id, P.APPROVED, "The placement was not paid in time.")


def turn_placements_on_and_off() -> None:
    """Paid placements go live at their start, live ones end at their end: each exactly once."""
    now = utcnow()
    for placement_id in _due(Placement.status == P.PAID, Placement.starts_at <= now, Placement.turned_on_at.is_(None)):
        if update_where(Placement, placement_id, Placement.status == P.PAID, Placement.turned_on_at.is_(None),
                        status=P.LIVE, turned_on_at=now):
            audit.record("placement.live", db.session.get(Placement, placement_id), actor_label="scheduler")
        db.session.commit()
    for placement_id in _due(Placement.status == P.LIVE, Placement.ends_at <= now, Placement.turned_off_at.is_(None)):
        if update_where(Placement, placement_id, Placement.status == P.LIVE, Placement.turned_off_at.is_(None),
                        status=P.ENDED, turned_off_at=now):
            audit.record("placement.ended", db.session.get(Placement, placement_id), actor_label="scheduler")
        db.session.commit()
