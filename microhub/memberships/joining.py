"""Joining a hub: a seat hold taken atomically, a checkout, and the hold's release or expiry."""
from __future__ import annotations

from datetime import timedelta

from flask import current_app

from .. import audit, jobs
from ..accounts.models import User
from ..billing.models import Plan
from ..billing.gateway import gateway
from ..database import added_unless_taken, parse_id, utcnow
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from .lifecycle import transition
from .models import HoldStatus, Membership, MembershipStatus, SeatHold
from .seats import release_seat, take_seat
from .services import live_membership

#: Stripe refuses a checkout expiring less than 30 minutes after the request; 40 leaves ten minutes for a slow
#: retry of the same request (same key, same `expires_at`). The hold outlives its checkout.
CHECKOUT_MINUTES = 40
HOLD_MINUTES = 45


class HubFull(Conflict):
    """No seat is free; the person is offered the waitlist instead."""


def plan_of(hub: Hub, plan_id) -> Plan:
    plan = db.session.get(Plan, parse_id(plan_id)) if parse_id(plan_id) else None
    if plan is None or plan.hub_id != hub.id or not plan.active:
        raise ValidationFailed("Pick one of this hub's plans.", field="plan")
    return plan


def pending_membership(hub_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(db.select(Membership).filter_by(hub_id=hub_id, user_id=user_id,
                                                             status=MembershipStatus.PENDING))


def open_hold(hub_id: int, user_id: int) -> SeatHold | None:
    return db.session.scalar(db.select(SeatHold).filter_by(hub_id=hub_id, user_id=user_id, status=HoldStatus.HELD))


class SeatHeld(Conflict):
    """The person holds a seat here already, for another plan; they finish or cancel that checkout first."""


def start_join(hub: Hub, user: User, plan_id, *, offer_id: int | None = None) -> SeatHold:
    """Hold a seat for `user` on `plan_id`, or raise; never more seats than the cap, however many try at once.

    A second click (or two at once) gets the same hold back: the database allows one open hold per person.
    """
    plan = plan_of(hub, plan_id)
    if live_membership(hub, user) is not None:
        raise Conflict(f"You are a member of {hub.name} already.")
    held = open_hold(hub.id, user.id)
    if held is not None:
        return _same_plan(held, plan)
    if offer_id is None and not take_seat(hub.id):
        raise HubFull(f"{hub.name} is full right now. Join the waitlist and you'll get an e-mail when a seat frees.")
    hold = SeatHold(hub_id=hub.id, user_id=user.id, plan_id=plan.id, offer_id=offer_id,
                    expires_at=utcnow() + timedelta(minutes=HOLD_MINUTES), price_ref=gateway().price_ref(plan),
                    price_minor=plan.price_minor, currency=hub.currency, interval=plan.interval.value)
    if not added_unless_taken(hold):  # a simultaneous click won: its hold is the one
        if offer_id is None:
            release_seat(hub.id)
        return _same_plan(open_hold(hub.id, user.id), plan)
    stale = pending_membership(hub.id, user.id)
    if stale is not None:
        transition(stale, MembershipStatus.EXPIRED, actor=user, reason="superseded by a new join")
        db.session.flush()
    db.session.add(Membership(hub_id=hub.id, user_id=user.id, plan_id=plan.id, status=MembershipStatus.PENDING))
    db.session.flush()
    audit.record("hold.taken", hold, actor=user, plan_id=plan.id, price_minor=hold.price_minor,
                 currency=hold.currency, expires_at=hold.expires_at.isoformat())
    return hold


def _same_plan(held: SeatHold | None, plan: Plan) -> SeatHold:
    # A checkout is bound to the price it was made for: a different plan never rides on an open checkout.
    if held is None:
        raise Conflict("Your seat is already held. Reload the page to continue.")
    if held.plan_id != plan.id:
        raise SeatHeld(f"Your seat is already held for the {held.plan.name} plan. Finish that payment, "
                       "or cancel it below to choose another plan.", field="plan")
    return held


def release_hold(hold: SeatHold, *, actor=None, actor_label: str | None = None, reason: str) -> bool:
    """Give a held seat back (checkout cancelled or expired); False if the hold was not held any more."""
    if hold.status is not HoldStatus.HELD:
        return False
    hold.status = HoldStatus.RELEASED
    hold.released_at = utcnow()
    release_seat(hold.hub_id)
    pending = pending_membership(hold.hub_id, hold.user_id)
    if pending is not None:
        transition(pending, MembershipStatus.EXPIRED, actor=actor, actor_label=actor_label, reason=reason)
    audit.record("hold.released", hold, actor=actor, actor_label=actor_label, reason=reason)
    from .waitlist import offer_free_seats

    offer_free_seats(hold.hub_id)
    return True


def hold_of(user: User, hub: Hub, hold_id) -> SeatHold:
    """The hold named in a URL, only if it is this person's and this hub's; otherwise 'not found'."""
    hold = db.session.get(SeatHold, parse_id(hold_id)) if parse_id(hold_id) else None
    if hold is None or hold.user_id != user.id or hold.hub_id != hub.id:
        raise ValidationFailed("That checkout is not yours or does not exist.")
    return hold


def cancel_checkout(hold: SeatHold, user: User) -> None:
    if release_hold(hold, actor=user, reason="checkout cancelled") and hold.checkout_ref:
        jobs.enqueue(expire_checkout, hold.id)


def expire_checkout(hold_id: int) -> None:
    """Close the provider's checkout for a released hold, so it can no longer be paid."""
    hold = db.session.get(SeatHold, hold_id)
    if hold is not None and hold.checkout_ref and hold.status is HoldStatus.RELEASED:
        gateway().expire_checkout(hold.checkout_ref)
        db.session.commit()


@jobs.periodic
def expire_holds() -> None:
    """Release holds whose time ran out; each is locked, so two ticks at once release it once."""
    due = db.session.scalars(
        db.select(SeatHold.id).where(SeatHold.status == HoldStatus.HELD, SeatHold.expires_at < utcnow()).limit(500)
    ).all()
    for hold_id in due:
        hold = db.session.get(SeatHold, hold_id, with_for_update=True, populate_existing=True)
        if hold is not None and release_hold(hold, actor_label="scheduler", reason="hold expired"):
            if hold.checkout_ref:
                jobs.enqueue(expire_checkout, hold.id)
        db.session.commit()
    current_app.logger.debug("released %d expired holds", len(due))
