"""What payment events do to memberships: activation, renewal, dunning, ending, late-payment refunds.

Every entry point re-reads the subscription from the gateway and applies what it says now, so a
duplicated or out-of-order event leaves the same state as the events delivered once, in order.
"""
from __future__ import annotations

from .. import audit, signals
from ..billing.gateway import Subscription
from ..billing.processing import subscription_of
from ..billing.services import plan_for_price
from ..billing.provider import gateway
from ..database import parse_id, utcnow
from ..email import send_email
from ..errors import NotOurs
from ..extensions import db
from ..urls import external_url
from .joining import release_hold
from .lifecycle import transition
from .models import HoldStatus, Membership, MembershipStatus as S, SeatHold
from .queries import live_membership, pending_membership
from .seats import pool_of

STRIPE = "stripe"
PAID = ("active", "trialing")
UNPAID = ("past_due", "unpaid")
ENDED = ("canceled", "incomplete_expired")


class EventMismatch(ValueError):
    """The event names a hold or checkout that does not match what we stored: refuse to act on it."""


def _hold_id(session: dict) -> int | None:
    """The hold a subscription checkout was made for; None for any other checkout (not this domain's)."""
    if session.get("mode") == "payment":
        return None  # a one-time payment is another domain's
    return parse_id((session.get("metadata") or {}).get("hold_id"))


#: What memberships answer for a checkout that is not a hold's (billing.processing.CLAIMED).
NOT_A_HOLD = "it carries no hold_id of ours in its metadata"


def on_checkout_completed(session: dict, *, event) -> bool | str:
    """A receiver of `signals.checkout_completed`: True when the checkout was a hold's (see processing.CLAIMED)."""
    hold_id = _hold_id(session)
    if hold_id is None:
        return NOT_A_HOLD
    checkout_completed(hold_id, session.get("id"), subscription_of(session))
    return True


def on_checkout_expired(session: dict, *, event) -> bool | str:
    """A receiver of `signals.checkout_expired`: True when the checkout was a hold's."""
    hold_id = _hold_id(session)
    if hold_id is None:
        return NOT_A_HOLD
    checkout_expired(hold_id, session.get("id"))
    return True


def on_subscription_changed(subscription_ref: str, *, event) -> None:
    """A receiver of `signals.subscription_changed`."""
    sync_subscription(subscription_ref)


def checkout_completed(hold_id: int, checkout_ref: str, subscription_ref: str | None) -> None:
    hold = db.session.get(SeatHold, hold_id, with_for_update=True, populate_existing=True)
    if hold is None:
        raise NotOurs(f"checkout {checkout_ref} names hold {hold_id}, which this installation does not have")
    if hold.checkout_ref != checkout_ref:
        raise EventMismatch(f"checkout {checkout_ref} does not belong to hold {hold_id}")
    if subscription_ref:
        _settle(hold, gateway().get_subscription(subscription_ref))


def checkout_expired(hold_id: int, checkout_ref: str) -> None:
    hold = db.session.get(SeatHold, hold_id, with_for_update=True, populate_existing=True)
    if hold is not None and hold.checkout_ref == checkout_ref:
        release_hold(hold, actor_label=STRIPE, reason="checkout expired")


def sync_subscription(subscription_ref: str) -> None:
    """Bring the membership paid by `subscription_ref` in line with the gateway's subscription."""
    sub = gateway().get_subscription(subscription_ref)
    membership = db.session.scalar(
        db.select(Membership).filter_by(subscription_ref=subscription_ref).with_for_update()
    )
    if membership is not None:
        _apply(membership, sub)
        return
    hold_id = str(sub.metadata.get("hold_id", ""))
    hold = db.session.get(SeatHold, parse_id(hold_id), with_for_update=True) if parse_id(hold_id) else None
    if hold is None:
        raise NotOurs(f"subscription {subscription_ref} belongs to no membership or hold of this installation")
    _settle(hold, sub)  # the subscription's news arrived before its checkout.session.completed


def _settle(hold: SeatHold, sub: Subscription) -> None:
    """Turn a paid hold into an active membership, or refund a payment that came too late for a seat."""
    if str(sub.metadata.get("hold_id")) != str(hold.id):
        raise EventMismatch(f"subscription {sub.ref} was not created for hold {hold.id}")
    if hold.status is HoldStatus.CONVERTED:
        membership = db.session.scalar(db.select(Membership).filter_by(subscription_ref=sub.ref))
        if membership is not None:
            _apply(membership, sub)
        return
    if sub.status not in PAID + UNPAID:
        return  # never paid (incomplete), or over before we heard of it: the hold runs out by itself
    if not sub.bills(hold):  # paid, but not the price this seat was offered at: never admitted
        _refund(hold, sub, why="wrong_price")
        return
    has_seat = hold.status is HoldStatus.HELD
    already_member = live_membership(hold.hub, hold.user)
    if already_member is not None or (not has_seat and not pool_of(hold.scholarship).take(hold.hub_id)):
        _refund(hold, sub, why="already_member" if already_member is not None else "late")
        return
    membership = pending_membership(hold.hub_id, hold.user_id) if has_seat else None
    if membership is None:
        membership = Membership(hub_id=hold.hub_id, user_id=hold.user_id, plan_id=hold.plan_id, status=S.PENDING,
                                scholarship=hold.scholarship)
        db.session.add(membership)
    membership.plan_id = hold.plan_id
    membership.subscription_ref = sub.ref
    membership.customer_ref = sub.customer_ref
    hold.status = HoldStatus.CONVERTED
    db.session.flush()
    audit.record("hold.converted", hold, actor_label=STRIPE, subscription=sub.ref, late=not has_seat)
    _apply(membership, sub)
    db.session.flush()
    sponsors = [block for _, block in signals.sponsor_blocks_asked.send(hold.hub, where="welcome_email",
                                                                         user=hold.user) if block]
    send_email(hold.user.email, f"Welcome to {hold.hub.name}", "membership_welcome",
               user=hold.user, hub=hold.hub, link=external_url("hubpage.show", slug=hold.hub.slug), sponsors=sponsors,
               membership=membership, plan=hold.plan, price_minor=hold.price_minor, currency=hold.currency,
               interval=hold.interval, billing=external_url("memberships.billing"))


def _follow_price(membership: Membership, sub: Subscription) -> None:
    """A plan switch lands here: the membership takes the plan of the hub whose price the subscription now bills."""
    if membership.plan is not None and gateway().names_price(membership.plan, sub.price_ref):
        return
    billed = plan_for_price(membership.hub_id, sub.price_ref)
    if billed is not None and billed.id != membership.plan_id:
        audit.record("membership.plan_changed", membership, actor_label=STRIPE, previous=membership.plan_id,
                     plan=billed.id, subscription=sub.ref)
        membership.plan_id, membership.plan = billed.id, billed


def _apply(membership: Membership, sub: Subscription) -> None:
    membership.customer_ref = sub.customer_ref
    membership.current_period_end = sub.current_period_end
    membership.cancel_at_period_end = sub.cancel_at_period_end
    if membership.status in (S.CANCELED, S.EXPIRED):
        return  # an ended membership stays ended; a returning person joins again
    _follow_price(membership, sub)
    if sub.status in PAID:
        transition(membership, S.ACTIVE, actor_label=STRIPE, reason=f"subscription {sub.status}")
    elif sub.status in UNPAID and membership.status is S.ACTIVE:
        transition(membership, S.PAST_DUE, actor_label=STRIPE, reason="payment failed")
        send_email(membership.user.email, f"Your payment for {membership.hub.name} failed", "payment_failed",
                   user=membership.user, hub=membership.hub, membership=membership,
                   link=external_url("memberships.billing"))
    elif sub.status in ENDED:
        ended = S.EXPIRED if membership.status is S.PAST_DUE else S.CANCELED
        transition(membership, ended, actor_label=STRIPE, reason=f"subscription {sub.status}")


def _refund(hold: SeatHold, sub: Subscription, *, why: str) -> None:
    """Refund and stop a subscription that may not become a membership: it came too late for a seat, the person
    is in already, or it charges another price than the hold was offered (`why`: late, already_member, wrong_price)."""
    if hold.status is HoldStatus.CONVERTED:
        return
    gw = gateway()
    # Both calls are idempotent; afterwards the subscription reads as canceled, so a repeated event stops above.
    gw.refund_latest_payment(sub.ref, reason={"late": "seat no longer available", "already_member": "already a member",
                                              "wrong_price": "price does not match the offer"}[why])
    gw.cancel_subscription(sub.ref, at_period_end=False)
    release_hold(hold, actor_label=STRIPE, reason=f"payment refunded: {why}")
    audit.record("payment.refunded_late" if why != "wrong_price" else "payment.refunded_wrong_price", hold,
                 actor_label=STRIPE, subscription=sub.ref, why=why, paid_minor=sub.amount_minor,
                 paid_currency=sub.currency, paid_interval=sub.interval, offered_minor=hold.price_minor,
                 offered_currency=hold.currency)
    send_email(hold.user.email, f"Your payment for {hold.hub.name} was refunded", "late_payment_refunded",
               user=hold.user, hub=hold.hub, why=why, hold=hold, sub=sub,
               link=external_url("memberships.join", slug=hold.hub.slug))


def end_grace(membership_id: int) -> None:
    """A past-due member whose grace period ran out loses the seat; the subscription is stopped too."""
    membership = db.session.get(Membership, membership_id, with_for_update=True, populate_existing=True)
    if membership is None or membership.status is not S.PAST_DUE or membership.grace_until >= utcnow():
        return
    if membership.subscription_ref:
        gateway().cancel_subscription(membership.subscription_ref, at_period_end=False)
    transition(membership, S.EXPIRED, actor_label="scheduler", reason="grace period over")
