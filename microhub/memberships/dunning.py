"""The second dunning e-mail: a past-due member hears once more, two days before the grace period ends."""
from __future__ import annotations

from datetime import timedelta

from ..database import update_where, utcnow
from ..email import send_email
from ..extensions import db
from ..urls import external_url
from .models import Membership, MembershipStatus

#: How long before the grace period ends the last reminder goes out.
REMIND_BEFORE_END = timedelta(days=2)


def send_grace_reminder(membership_id: int) -> None:
    """Sent once per grace period: the conditional UPDATE that sets the marker decides who sends it."""
    now = utcnow()
    claimed = update_where(Membership, membership_id, Membership.grace_reminded_at.is_(None),
                           Membership.status == MembershipStatus.PAST_DUE, grace_reminded_at=now)
    if claimed:
        membership = db.session.get(Membership, membership_id)
        if membership.grace_until > now:  # after a gap the seat may be gone already: no reminder then
            send_email(membership.user.email, f"Your seat in {membership.hub.name} ends soon", "grace_ending",
                       user=membership.user, hub=membership.hub, membership=membership,
                       link=external_url("memberships.billing"))
    db.session.commit()
