"""The one transition function for membership status; every move is checked and audited."""
from __future__ import annotations

from datetime import timedelta

from .. import audit, signals
from ..database import utcnow
from ..errors import DomainError
from .models import LIVE_STATUSES, Membership, MembershipStatus as S
from .seats import release_seat

#: How long a member whose payment failed keeps the seat while dunning e-mails go out.
GRACE_PERIOD = timedelta(days=7)

ALLOWED = {
    S.PENDING: {S.ACTIVE, S.CANCELED, S.EXPIRED},
    S.ACTIVE: {S.PAST_DUE, S.CANCELED, S.EXPIRED},
    S.PAST_DUE: {S.ACTIVE, S.CANCELED, S.EXPIRED},
    S.CANCELED: set(),
    S.EXPIRED: set(),
}


class IllegalTransition(DomainError):
    status_code = 409


def transition(membership: Membership, to: S, *, actor=None, actor_label: str | None = None,
               reason: str | None = None) -> bool:
    """Move `membership` to `to`; False if it is there already. Ending a live membership frees its seat (offered to
    the waitlist); the domains above hear of every move through `signals.membership_changed`."""
    before = membership.status
    if to == before:
        return False
    if to not in ALLOWED[before]:
        raise IllegalTransition(f"A {before.value} membership cannot become {to.value}.")
    now = utcnow()
    membership.status = to
    if to is S.ACTIVE:
        membership.activated_at = membership.activated_at or now
        membership.grace_until = None
    elif to is S.PAST_DUE:
        membership.grace_until = now + GRACE_PERIOD
        membership.grace_reminded_at = None
    else:
        membership.ended_at = now
        if before in LIVE_STATUSES:
            release_seat(membership.hub_id, scholarship=membership.scholarship)
    audit.record(f"membership.{to.value}", membership, actor=actor, actor_label=actor_label,
                 previous=before.value, reason=reason)
    signals.membership_changed.send(membership, before=before, after=to)
    return True
