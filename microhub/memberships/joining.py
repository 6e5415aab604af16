"""Joining a hub: a seat hold taken atomically, a checkout, and the hold's release or expiry."""
from __future__ import annotations

from datetime import timedelta

from .. import audit, jobs
from ..accounts.models import User
from ..billing.gateway import GatewayError
from ..billing.models import Plan
from ..billing.provider import gateway
from ..database import added_unless_taken, update_where, utcnow
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hubs.access import found_in_hub, in_hub
from ..hubs.models import Hub
from ..urls import external_url
from . import waitlist
from .lifecycle import transition
from .models import HoldStatus, Membership, MembershipStatus, OfferStatus, SeatHold, WaitlistOffer, WaitlistStatus
from .queries import live_membership, open_hold, pending_membership
from .seats import SEATS, release_seat

#: Stripe refuses a checkout expiring less than 30 minutes after the request; 40 leaves ten minutes for a slow
#: retry of the same request (same key, same `expires_at`). The hold outlives its checkout.
CHECKOUT_MINUTES = 40
HOLD_MINUTES = 45


class HubFull(Conflict):
    """No seat is free; the person is offered the waitlist instead."""


def plan_of(hub: Hub, plan_id) -> Plan:
    plan = in_hub(Plan, plan_id, hub_id=hub.id)
    if plan is None or not plan.active:
        raise ValidationFailed("Pick one of this hub's plans.", field="plan")
    return plan


class SeatHeld(Conflict):
    """The person holds a seat here already, for another plan; they finish or cancel that checkout first."""


def start_join(hub: Hub, user: User, plan_id, *, offer_id: int | None = None, scholarship: bool = False,
               coupon_ref: str | None = None) -> SeatHold:
    """Hold a seat for `user` on `plan_id`, or raise; never more seats than the cap, however many try at once.

    A waitlist offer (`offer_id`) or a scholarship award (`scholarship`, paying the plan less `coupon_ref`) kept
    the seat already. A second click (or two at once) gets the same hold back: one open hold per person.
    """
    kept = offer_id is not None or scholarship
    plan = plan_of(hub, plan_id)
    if live_membership(hub, user) is not None:
        raise Conflict(f"You are a member of {hub.name} already.")
    held = open_hold(hub.id, user.id)
    if held is not None:
        return _same_plan(held, plan)
    if not kept and not SEATS.take(hub.id):
        raise HubFull(f"{hub.name} is full right now. Join the waitlist and you'll get an e-mail when a seat frees.")
    hold = SeatHold(hub_id=hub.id, user_id=user.id, plan_id=plan.id, offer_id=offer_id, scholarship=scholarship,
                    coupon_ref=coupon_ref,
                    expires_at=utcnow() + timedelta(minutes=HOLD_MINUTES), price_ref=gateway().price_ref(plan),
                    price_minor=plan.price_minor, currency=hub.currency, interval=plan.interval.value)
    if not added_unless_taken(hold):  # a simultaneous click won: its hold is the one
        if not kept:
            SEATS.give_back(hub.id)  # never offered: this click's seat was only ever counted, not held
        return _same_plan(open_hold(hub.id, user.id), plan)
    stale = pending_membership(hub.id, user.id)
    if stale is not None:
        transition(stale, MembershipStatus.EXPIRED, actor=user, reason="superseded by a new join")
        db.session.flush()
    db.session.add(Membership(hub_id=hub.id, user_id=user.id, plan_id=plan.id, status=MembershipStatus.PENDING,
                              scholarship=scholarship))
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
    pending = pending_membership(hold.hub_id, hold.user_id)
    if pending is not None:
        transition(pending, MembershipStatus.EXPIRED, actor=actor, actor_label=actor_label, reason=reason)
    audit.record("hold.released", hold, actor=actor, actor_label=actor_label, reason=reason)
    release_seat(hold.hub_id, scholarship=hold.scholarship)
    return True


def hold_of(user: User, hub: Hub, hold_id) -> SeatHold:
    """The hold named in a URL, only if it is this person's and this hub's; otherwise 'not found'."""
    return found_in_hub(SeatHold, hold_id, "That checkout is not yours or does not exist.", hub_id=hub.id,
                        user_id=user.id)


def cancel_checkout(hold: SeatHold, user: User) -> None:
    if release_hold(hold, actor=user, reason="checkout cancelled") and hold.checkout_ref:
        jobs.enqueue(expire_checkout, hold.id)


def expire_checkout(hold_id: int) -> None:
    """Close the provider's checkout for a released hold, so it can no longer be paid."""
    hold = db.session.get(SeatHold, hold_id)
    if hold is not None and hold.checkout_ref and hold.status is HoldStatus.RELEASED:
        gateway().expire_checkout(hold.checkout_ref)
        db.session.commit()


def expire_hold(hold_id: int) -> None:
    """Release a hold whose time ran out; locked, so two ticks at once release it once."""
    hold = db.session.get(SeatHold, hold_id, with_for_update=True, populate_existing=True)
    if hold is not None and hold.expires_at < utcnow() and release_hold(hold, actor_label="scheduler",
                                                                       reason="hold expired"):
        if hold.checkout_ref:
            jobs.enqueue(expire_checkout, hold.id)


def open_checkout(hub: Hub, hold: SeatHold, user: User) -> str:
    """Create (or reuse) the one checkout of a committed hold; returns where to send the person.

    It commits: the provider is called between two transactions, after the seat is surely the hold's. When
    the provider fails, the hold is released (committed) and GatewayError raised.
    """
    # The row lock makes a second click wait for the first one's checkout and then reuse it.
    hold = db.session.get(SeatHold, hold.id, with_for_update=True, populate_existing=True)
    if hold.checkout_ref is not None:
        ref = hold.checkout_ref
        db.session.commit()
        return gateway().checkout_url(ref)
    try:
        checkout = gateway().create_checkout(
            hold=hold, plan=hold.plan, hub=hub, user=user,
            success_url=external_url("memberships.confirming", slug=hub.slug, hold_id=hold.id),
            cancel_url=external_url("memberships.cancelled", slug=hub.slug, hold_id=hold.id),
            # From the hold, not the clock: a retried call then sends the same parameters with its key.
            expires_at=hold.created_at + timedelta(minutes=CHECKOUT_MINUTES),
        )
    except GatewayError:
        db.session.rollback()
        hold = db.session.get(SeatHold, hold.id, with_for_update=True, populate_existing=True)
        release_hold(hold, actor=user, reason="payment provider unavailable")
        db.session.commit()
        raise
    if not update_where(SeatHold, hold.id, SeatHold.checkout_ref.is_(None), checkout_ref=checkout.ref):
        # Only where the lock is not enforced (SQLite) can another request have won: keep its checkout.
        gateway().expire_checkout(checkout.ref)
        db.session.commit()
        return gateway().checkout_url(db.session.get(SeatHold, hold.id).checkout_ref)
    db.session.commit()
    return checkout.url


def accept_offer(hub: Hub, user: User, offer: WaitlistOffer, plan_id) -> SeatHold:
    """Use a waitlist offer: its seat becomes a hold on `plan_id` (the seat count does not move)."""
    offer = waitlist.check_open(waitlist.locked(offer.id))
    offer.status = OfferStatus.USED
    entry = waitlist.locked_entry(offer.entry_id)
    entry.status = WaitlistStatus.JOINED
    hold = start_join(hub, user, plan_id, offer_id=offer.id)
    if hold.offer_id != offer.id:
        # The person held a seat already (a join in progress): the offer's seat goes to the next in line.
        SEATS.release(hub.id)
    audit.record("waitlist.accepted", offer, actor=user, hold_id=hold.id, plan_id=hold.plan_id)
    return hold
