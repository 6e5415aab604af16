"""LocalGateway: a test-mode stand-in for Stripe that keeps its objects in the database and sends
Stripe-shaped, signed events through the real webhook path."""
from __future__ import annotations

import json
import secrets
from datetime import datetime, timezone

import stripe
from dateutil.relativedelta import relativedelta
from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from .. import jobs
from ..database import UTCDateTime, added_unless_taken, utcnow
from ..errors import NotOurs, ValidationFailed
from ..extensions import db
from ..urls import external_url
from .fees import standard_fee
from .gateway import Checkout, Gateway, GatewayError, PaymentDetails, Subscription, webhook_secret
from .local_payments import LocalPayments
from .local_plans import LocalInvoices, card_of
from .webhooks import ingest

API_VERSION = "2026-10-28.endive"

#: Stripe's test cards and what they do here, as they do at Stripe.
CARDS = {
    "4242424242424242": "ok",
    "4000000000000341": "fails_on_renewal",  # attaches, then every later charge fails
    "4000000000000002": "Your card was declined.",
    "4000000000009995": "Your card has insufficient funds.",
}


class LocalObject(db.Model):
    """One object the local gateway keeps (checkout session, customer, subscription, invoice, event)."""

    __tablename__ = "local_gateway_objects"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    data: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


def _new_id(prefix: str) -> str:
    return f"{prefix}_local_{secrets.token_hex(8)}"


def _ts(moment: datetime) -> int:
    return int(moment.timestamp())


class LocalGateway(LocalInvoices, LocalPayments, Gateway):
    name = "local"
    has_test_clock = True
    takes_cards = True

    # -- objects ---------------------------------------------------------------------------------
    def _get(self, ref: str, kind: str) -> LocalObject:
        obj = db.session.get(LocalObject, ref)
        if obj is None or obj.kind != kind:
            raise GatewayError(f"No such {kind}: {ref}")
        return obj

    def _put(self, obj: LocalObject, **changes) -> dict:
        obj.data = {**obj.data, **changes}  # a new dict, so the JSON column sees the change
        return obj.data

    def _add(self, kind: str, prefix: str, data: dict) -> LocalObject:
        obj = LocalObject(id=_new_id(prefix), kind=kind, data={"id": None, **data})
        obj.data = {**obj.data, "id": obj.id, "object": kind, "created": _ts(utcnow())}
        db.session.add(obj)
        return obj

    def _all(self, kind: str) -> list[LocalObject]:
        return list(db.session.scalars(db.select(LocalObject).filter_by(kind=kind).order_by(LocalObject.id)))

    def _claim(self, kind: str, ref: str, data: dict) -> tuple[LocalObject, bool]:
        """The object `ref`, made from `data` unless it exists; True when this call made it (a unique insert)."""
        obj = LocalObject(id=ref, kind=kind, data={**data, "id": ref, "object": kind, "created": _ts(utcnow())})
        made = added_unless_taken(obj)
        return (obj if made else self._get(ref, kind)), made

    # -- events ----------------------------------------------------------------------------------
    def emit(self, event_type: str, obj: dict) -> None:
        """Queue a signed event for delivery after this transaction commits, as Stripe would send it."""
        event = self._add("event", "evt", {"type": event_type, "api_version": API_VERSION, "livemode": False,
                                           "data": {"object": obj}, "pending_webhooks": 1})
        db.session.flush()
        jobs.enqueue(deliver_event, event.id, queue_name=jobs.HIGH)

    # -- Gateway ---------------------------------------------------------------------------------
    def sync_plan(self, plan) -> None:
        return None  # prices live on the plan row; nothing to mirror

    def price_ref(self, plan) -> str:
        return f"price_local_{plan.id}"  # a plan's price never changes, so its id can name it

    def create_checkout(self, *, hold, plan, hub, user, success_url, cancel_url, expires_at) -> Checkout:
        off = self.discount(hold.coupon_ref, hold.price_minor, hold.currency)
        session = self._add("checkout.session", "cs", {
            "mode": "subscription", "status": "open", "client_reference_id": str(user.id),
            "customer_email": user.email, "metadata": {"hold_id": str(hold.id), "hub": hub.slug},
            # What the hold was offered, not what the plan says now: the checkout charges exactly that (less a
            # partial scholarship's coupon, which the subscription keeps for every invoice).
            "price": hold.price_ref, "amount_subtotal": hold.price_minor, "amount_total": hold.price_minor - off,
            "currency": hold.currency.lower(), "interval": hold.interval,
            "discounts": [{"coupon": hold.coupon_ref}] if hold.coupon_ref else [],
            "total_details": {"amount_discount": off},
            "plan_name": plan.name, "hub_name": hub.name, "success_url": success_url, "cancel_url": cancel_url,
            "expires_at": _ts(expires_at), "subscription": None, "customer": None,
        })
        db.session.flush()
        return Checkout(ref=session.id, url=self.checkout_url(session.id), expires_at=expires_at)

    def checkout_url(self, checkout_ref: str) -> str:
        return external_url("local_checkout.page", ref=checkout_ref)

    def session(self, ref: str) -> dict:
        data = self._get(ref, "checkout.session").data
        if data["status"] == "open" and data["expires_at"] < _ts(utcnow()):
            self.expire_checkout(ref)
            data = self._get(ref, "checkout.session").data
        return data

    def expire_checkout(self, checkout_ref: str) -> None:
        obj = self._get(checkout_ref, "checkout.session")
        if obj.data["status"] == "open":
            self.emit("checkout.session.expired", self._put(obj, status="expired"))

    def pay(self, checkout_ref: str, card_number: str) -> dict:
        """The test checkout's Pay button: a test card either pays (events follow) or is refused. Pays once."""
        session = self.session(checkout_ref)
        if session["status"] != "open":
            raise ValidationFailed("This checkout has ended. Start again from the hub's join page.")
        outcome = CARDS.get("".join(ch for ch in card_number if ch.isdigit()))
        if outcome is None:
            raise ValidationFailed("This is a test checkout: use a Stripe test card such as 4242 4242 4242 4242.",
                                   field="card_number")
        if session["mode"] == "payment" and outcome == "fails_on_renewal":
            outcome = "Your card was declined."  # it attaches, then fails when charged: a one-time payment charges now
        if outcome not in ("ok", "fails_on_renewal"):
            raise ValidationFailed(outcome, field="card_number")
        # A unique row claims the payment: of several Pay clicks at once, one inserts it, the others wait and fail.
        if not added_unless_taken(LocalObject(id=f"paid_{checkout_ref}"[:64], kind="payment_claim", data={})):
            raise ValidationFailed("This checkout is paid already.")
        if session["mode"] == "payment":
            return self.pay_once(checkout_ref, session)
        customer = self._add("customer", "cus", {"email": session["customer_email"], "card": outcome,
                                                 **card_of(card_number)})
        now = utcnow()
        sub = self._add("subscription", "sub", {
            "status": "active", "customer": customer.id, "cancel_at_period_end": False,
            "current_period_start": _ts(now), "current_period_end": _ts(self._next_period(now, session["interval"])),
            "metadata": dict(session["metadata"]), "interval": session["interval"], "price": session["price"],
            "amount": session.get("amount_subtotal", session["amount_total"]), "currency": session["currency"],
            "discounts": [d["coupon"] for d in session.get("discounts", [])],
            "amount_off": session.get("total_details", {}).get("amount_discount", 0),
        })
        db.session.flush()
        invoice = self._charge(sub.data, paid=True, reason="subscription_create")
        session = self._put(self._get(checkout_ref, "checkout.session"), status="complete",
                            customer=customer.id, subscription=sub.id, payment_status="paid")
        self.emit("checkout.session.completed", session)
        self.emit("customer.subscription.created", sub.data)
        self.emit("invoice.paid", invoice)
        return session

    @staticmethod
    def _next_period(start: datetime, interval: str) -> datetime:
        return start + (relativedelta(years=1) if interval == "year" else relativedelta(months=1))

    def _charge(self, sub: dict, *, paid: bool, reason: str = "subscription_cycle") -> dict:
        """The subscription's next invoice: its price less its coupon and any credit; nothing is charged at zero."""
        line = self._line(sub["amount"], sub["price"], sub["current_period_start"], sub["current_period_end"],
                          proration=False)
        invoice = self._invoice(sub, paid=paid, reason=reason, lines=[line])
        db.session.flush()
        return invoice

    def get_subscription(self, subscription_ref: str) -> Subscription:
        obj = db.session.get(LocalObject, subscription_ref)
        if obj is None or obj.kind != "subscription":
            raise NotOurs(f"the test-mode gateway has no subscription {subscription_ref}")
        data = obj.data
        return Subscription(
            ref=data["id"], status=data["status"], customer_ref=data["customer"],
            current_period_end=datetime.fromtimestamp(data["current_period_end"], tz=utcnow().tzinfo),
            cancel_at_period_end=data["cancel_at_period_end"], metadata=dict(data["metadata"]),
            price_ref=data.get("price"), amount_minor=data["amount"], currency=data["currency"].upper(),
            interval=data["interval"], item_ref=f"si_{data['id']}",
            current_period_start=datetime.fromtimestamp(data["current_period_start"], tz=timezone.utc),
        )

    def cancel_subscription(self, subscription_ref: str, *, at_period_end: bool) -> None:
        obj = self._get(subscription_ref, "subscription")
        if obj.data["status"] == "canceled":
            return
        if at_period_end:
            if not obj.data["cancel_at_period_end"]:
                self.emit("customer.subscription.updated", self._put(obj, cancel_at_period_end=True))
        else:
            self.emit("customer.subscription.deleted", self._put(obj, status="canceled"))

    def resume_subscription(self, subscription_ref: str) -> None:
        obj = self._get(subscription_ref, "subscription")
        if obj.data["status"] != "canceled" and obj.data["cancel_at_period_end"]:
            self.emit("customer.subscription.updated", self._put(obj, cancel_at_period_end=False))

    def refund_latest_payment(self, subscription_ref: str, *, reason: str) -> None:
        invoices = db.session.scalars(db.select(LocalObject).filter_by(kind="invoice")
                                      .order_by(LocalObject.created_at.desc(), LocalObject.id)).all()
        for invoice in invoices:
            if invoice.data["subscription"] == subscription_ref and invoice.data["status"] == "paid":
                if not invoice.data["charge"]:
                    return  # fully discounted: nothing was charged, nothing to give back
                charge = self._get(invoice.data["charge"], "charge")
                if not charge.data["refunded"]:  # refunding twice is a no-op, like an idempotent Stripe call
                    self.emit("charge.refunded", self._put(charge, refunded=True, amount_refunded=charge.data["amount"],
                                                           refund_reason=reason, refunded_at=_ts(utcnow())))
                return

    def portal_url(self, customer_ref: str, return_url: str) -> str:
        return external_url("memberships.billing")

    def invoice_payment(self, invoice_ref: str) -> PaymentDetails | None:
        """The test mode keeps no balance: the fee is Stripe's standard pricing for the currency (estimated)."""
        invoice = db.session.get(LocalObject, invoice_ref)
        if invoice is None or invoice.kind != "invoice" or invoice.data["status"] != "paid":
            return None
        if not invoice.data["charge"]:
            return None  # a fully discounted invoice: nothing was charged
        charge = self._get(invoice.data["charge"], "charge").data
        currency = charge["currency"].upper()
        return PaymentDetails(charge_ref=charge["id"], gross=charge["amount"], currency=currency,
                              fee=standard_fee(charge["amount"], currency), fee_estimated=True,
                              paid_at=datetime.fromtimestamp(invoice.data["created"], tz=timezone.utc))

    # -- test actions --------------------------------------------------------------------------------
    def advance_period(self, subscription_ref: str) -> str:
        """Jump to the subscription's renewal: it renews, fails (card 0341), or ends if cancelled."""
        obj = self._get(subscription_ref, "subscription")
        sub = obj.data
        if sub["status"] == "canceled":
            return "canceled"
        if sub["cancel_at_period_end"]:
            self.emit("customer.subscription.deleted", self._put(obj, status="canceled"))
            return "canceled"
        card = self._get(sub["customer"], "customer").data["card"]
        if card == "fails_on_renewal":
            if sub["status"] == "past_due":  # retries exhausted: Stripe cancels
                self.emit("customer.subscription.deleted", self._put(obj, status="canceled"))
                return "canceled"
            invoice = self._charge(sub, paid=False)
            self.emit("invoice.payment_failed", invoice)
            self.emit("customer.subscription.updated", self._put(obj, status="past_due"))
            return "past_due"
        end = datetime.fromtimestamp(sub["current_period_end"], tz=utcnow().tzinfo)
        sub = self._put(obj, status="active", current_period_start=sub["current_period_end"],
                        current_period_end=_ts(self._next_period(end, sub["interval"])))
        self.emit("invoice.paid", self._charge(sub, paid=True))
        self.emit("customer.subscription.updated", sub)
        return "renewed"

    def update_card(self, customer_ref: str, card_number: str) -> None:
        """The local billing portal: a new test card, which also pays a past-due subscription."""
        outcome = CARDS.get("".join(ch for ch in card_number if ch.isdigit()))
        if outcome is None or outcome not in ("ok", "fails_on_renewal"):
            raise ValidationFailed(outcome or "Use a Stripe test card such as 4242 4242 4242 4242.",
                                   field="card_number")
        self._put(self._get(customer_ref, "customer"), card=outcome, **card_of(card_number))
        for obj in db.session.scalars(db.select(LocalObject).filter_by(kind="subscription")).all():
            if obj.data["customer"] == customer_ref and obj.data["status"] == "past_due" and outcome == "ok":
                self.emit("invoice.paid", self._charge(obj.data, paid=True))
                self.emit("customer.subscription.updated", self._put(obj, status="active"))


def deliver_event(event_ref: str) -> None:
    """Send one stored local event, signed like Stripe's, into the webhook ingest path."""
    obj = db.session.get(LocalObject, event_ref)
    if obj is None:
        return
    raw = json.dumps(obj.data, separators=(",", ":"))
    header = stripe.WebhookSignature.generate_signature_header(raw, webhook_secret())
    ingest(raw.encode(), header)
