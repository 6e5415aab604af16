"""Membership rules: admitting a person into a seat without a payment (staff, the demo)."""
from __future__ import annotations

from .. import audit
from ..accounts.models import User
from ..database import utcnow
from ..errors import Conflict
from ..extensions import db
from ..hubs.models import Hub
from .models import Membership, MembershipStatus
from .queries import live_membership
from .seats import SEATS


def admit(hub: Hub, user: User, *, actor=None, reason: str = "admitted", scholarship: bool = False,
          plan_id: int | None = None) -> Membership:
    """Give `user` an active membership and a seat, or raise Conflict when already in or full. A `scholarship`
    member's seat was kept by the award already (the scholarship pool); `plan_id`: the plan it stands in for."""
    if live_membership(hub, user) is not None:
        raise Conflict(f"{user.name} is a member of {hub.name} already.")
    if not scholarship and not SEATS.take(hub.id):
        raise Conflict(f"{hub.name} is full.")
    membership = Membership(hub_id=hub.id, user_id=user.id, status=MembershipStatus.ACTIVE, activated_at=utcnow(),
                            scholarship=scholarship, plan_id=plan_id)
    db.session.add(membership)
    db.session.flush()
    audit.record("membership.admitted", membership, actor=actor,
                 user_id=user.id, reason=reason)
    return membership
