"""Leaving gracefully: a paid membership runs to the end of its period; feedback is kept."""
from __future__ import annotations

from .. import audit
from ..accounts.models import User
from ..billing.provider import gateway
from ..email import send_email
from ..extensions import db
from ..hubs.models import HubRole, Role
from ..urls import external_url
from ..errors import ValidationFailed
from .lifecycle import transition
from .models import LIVE_STATUSES, Membership, MembershipStatus


def leave(membership: Membership | None, actor, *, feedback: str | None) -> Membership:
    """End a membership gracefully: a paid one at the end of its period, any other at once. The person and the
    hub's organizers are told, once per departure."""
    if membership is not None:  # locked: a double-submitted leave waits here and then finds it done
        membership = db.session.get(Membership, membership.id, with_for_update=True, populate_existing=True)
    if membership is None or membership.status not in LIVE_STATUSES:
        raise ValidationFailed("You have no running membership here.")
    if membership.cancel_at_period_end:
        raise ValidationFailed("You are leaving already: your membership ends at the end of the paid period.")
    if feedback and feedback.strip():
        membership.leaving_feedback = feedback.strip()
    if membership.subscription_ref:
        gateway().cancel_subscription(membership.subscription_ref, at_period_end=True)
        membership.cancel_at_period_end = True
        audit.record("membership.cancel_at_period_end", membership, actor=actor,
                     feedback_given=bool(membership.leaving_feedback))
    else:
        transition(membership, MembershipStatus.CANCELED, actor=actor, reason="left")
    _tell(membership)
    return membership


def seat_ends(membership: Membership):
    """When the seat (and the cohort places with it) goes: the end of the paid period, or now."""
    return membership.current_period_end if membership.subscription_ref and membership.current_period_end else None


def _tell(membership: Membership) -> None:
    hub, person = membership.hub, membership.user
    ends = seat_ends(membership)
    send_email(person.email, f"You are leaving {hub.name}", "membership_leaving", user=person, hub=hub,
               membership=membership, ends=ends, link=external_url("hubpage.show", slug=hub.slug))
    organizers = db.session.scalars(db.select(User).join(HubRole, HubRole.user_id == User.id)
                                    .where(HubRole.hub_id == hub.id, HubRole.role == Role.ORGANIZER)).all()
    for organizer in organizers:
        send_email(organizer.email, f"{person.name} is leaving {hub.name}", "membership_leaving_organizer",
                   user=organizer, person=person, hub=hub, membership=membership, ends=ends,
                   link=external_url("hubpage.manage", slug=hub.slug))


def resume(membership: Membership, actor) -> Membership:
    if membership.status not in LIVE_STATUSES or not membership.subscription_ref:
        raise ValidationFailed("There is nothing to resume.")
    gateway().resume_subscription(membership.subscription_ref)
    membership.cancel_at_period_end = False
    audit.record("membership.resumed", membership, actor=actor)
    return membership
