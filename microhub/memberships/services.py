"""Membership rules: admitting a person into a seat and letting them leave."""
from __future__ import annotations

from ..accounts.models import User
from ..database import utcnow
from ..errors import Conflict
from ..extensions import db
from ..hubs.models import Hub
from .models import LIVE_STATUSES, Membership, MembershipStatus
from .seats import take_seat


def live_membership(hub: Hub, user: User) -> Membership | None:
    return db.session.scalar(
        db.select(Membership).where(
            Membership.hub_id == hub.id, Membership.user_id == user.id, Membership.status.in_(LIVE_STATUSES)
        )
    )


def admit(hub: Hub, user: User) -> Membership:
    """Give `user` an active membership and a seat, or raise Conflict when already in or full."""
    if live_membership(hub, user) is not None:
        raise Conflict(f"{user.name} is a member of {hub.name} already.")
    if not take_seat(hub.id):
        raise Conflict(f"{hub.name} is full.")
    membership = Membership(hub_id=hub.id, user_id=user.id, status=MembershipStatus.ACTIVE, activated_at=utcnow())
    db.session.add(membership)
    db.session.flush()
    return membership


