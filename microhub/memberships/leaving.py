"""Leaving gracefully: a paid membership runs to the end of its period; feedback is kept."""
from __future__ import annotations

from .. import audit
from ..billing.gateway import gateway
from ..errors import ValidationFailed
from .lifecycle import transition
from .models import LIVE_STATUSES, Membership, MembershipStatus


def leave(membership: Membership | None, actor, *, feedback: str | None) -> Membership:
    if membership is None or membership.status not in LIVE_STATUSES:
        raise ValidationFailed("You have no running membership here.")
    if feedback and feedback.strip():
        membership.leaving_feedback = feedback.strip()
    if membership.subscription_ref:
        gateway().cancel_subscription(membership.subscription_ref, at_period_end=True)
        membership.cancel_at_period_end = True
        audit.record("membership.cancel_at_period_end", membership, actor=actor,
                     feedback_given=bool(membership.leaving_feedback))
    else:
        transition(membership, MembershipStatus.CANCELED, actor=actor, reason="left")
    return membership


def resume(membership: Membership, actor) -> Membership:
    if membership.status not in LIVE_STATUSES or not membership.subscription_ref:
        raise ValidationFailed("There is nothing to resume.")
    gateway().resume_subscription(membership.subscription_ref)
    membership.cancel_at_period_end = False
    audit.record("membership.resumed", membership, actor=actor)
    return membership
