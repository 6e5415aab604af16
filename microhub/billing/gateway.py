"""The one payment interface: `StripeGateway` talks to Stripe, `LocalGateway` is the built-in test mode.

Pages ask a gateway what it can do (`has_test_clock`, `takes_cards`), never which class it is."""
from __future__ import annotations

import hashlib
import hmac
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app

from ..errors import DomainError


class GatewayError(DomainError):
    """The payment provider refused or could not be reached; the message is safe to show."""

    status_code = 502


@dataclass
class Checkout:
    ref: str
    url: str
    expires_at: datetime


@dataclass
class Subscription:
    """What the gateway says about a subscription now: the truth events are reconciled against."""

    ref: str
    status: str  # Stripe's words: active, past_due, unpaid, canceled, incomplete, incomplete_expired, trialing
    customer_ref: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    metadata: dict = field(default_factory=dict)
    #: The price the subscription bills: compared with what a hold was offered before anyone is admitted.
    price_ref: str | None = None
    amount_minor: int | None = None
    currency: str | None = None  # ISO code, upper case
    interval: str | None = None  # month, year
    #: The subscription item billing the price (si_…): what a plan switch changes in place.
    item_ref: str | None = None
    current_period_start: datetime | None = None

    def bills(self, hold) -> bool:
        """True if this subscription charges exactly the price `hold` was offered (id, amount, currency, interval)."""
        return (self.price_ref == hold.price_ref and self.amount_minor == hold.price_minor
                and (self.currency or "").upper() == (hold.currency or "").upper() and self.interval == hold.interval)


@dataclass
class Invoice:
    """One invoice of a subscription as a member sees it: what it charged, for which period, and its receipt."""

    ref: str
    subscription_ref: str | None
    status: str  # draft, open, paid, uncollectible, void
    amount_paid: int  # minor units
    amount_due: int
    currency: str  # ISO code, upper case
    created: datetime
    paid_at: datetime | None = None
    period_start: datetime | None = None
    period_end: datetime | None = None
    number: str | None = None
    #: subscription_create, subscription_cycle, subscription_update…
    billing_reason: str | None = None
    #: The price the invoice bills (for a plan switch: the new one).
    price_ref: str | None = None
    #: The provider's receipt pages (Stripe's hosted invoice page and PDF); None in the test mode.
    hosted_url: str | None = None
    pdf_url: str | None = None
    card_brand: str | None = None
    card_last4: str | None = None


@dataclass
class PaymentDetails:
    """What one paid invoice or one-time checkout brought in, as the processor accounts for it (its balance
    transaction)."""

    charge_ref: str | None
    gross: int  # minor units
    fee: int  # minor units, in the same currency
    currency: str  # ISO code, upper case
    paid_at: datetime
    balance_transaction_ref: str | None = None
    #: True when the fee is computed from the processor's published pricing rather than reported by it.
    fee_estimated: bool = False
    #: Anything worth keeping beside the figures (a fee in another settlement currency, say), never converted.
    notes: dict = field(default_factory=dict)


@dataclass
class ProcessorTransaction:
    """One movement of the processor's balance (Stripe's balance transaction): what reconciliation compares."""

    ref: str
    kind: str  # charge, refund, dispute
    charge_ref: str | None
    amount: int  # signed minor units: in for a charge, out for a refund
    fee: int
    currency: str  # ISO code, upper case
    created: datetime


class Gateway(ABC):
    name: str
    #: A test clock: `advance_period` jumps a subscription to its renewal (the local test mode has one).
    has_test_clock: bool = False
    #: Members give a new card on MicroHub's own billing page (`update_card`), not the provider's portal.
    takes_cards: bool = False

    @abstractmethod
    def sync_plan(self, plan) -> None:
        """Make sure the plan's product and price exist with the provider; store their ids on the plan."""

    @abstractmethod
    def price_ref(self, plan) -> str:
        """The provider's id of the plan's price (created if needed): what a checkout for the plan charges."""

    @abstractmethod
    def create_checkout(self, *, hold, plan, hub, user, success_url: str, cancel_url: str,
                        expires_at: datetime) -> Checkout:
        """Start a subscription checkout for `hold`; the person is sent to `Checkout.url`. A hold with a
        `coupon_ref` (a partial award) is billed the plan's price less the coupon."""

    @abstractmethod
    def scholarship_coupon(self, *, hub, amount_off: int, currency: str) -> str:
        """The provider's id of a coupon taking `amount_off` minor units off every invoice, forever: a partial
        scholarship award. The same hub, amount and currency always give the same coupon."""

    @abstractmethod
    def create_payment_checkout(self, *, hub, amount_minor: int, currency: str, description: str, email: str,
                                metadata: dict, success_url: str, cancel_url: str, expires_at: datetime,
                                idempotency_key: str, submit_type: str = "donate") -> Checkout:
        """Start a one-time payment checkout (a donation, or a sponsor's placement with `submit_type` "pay": the
        word on the payment button); a retry with the same key gets the same checkout."""

    @abstractmethod
    def checkout_payment(self, checkout_ref: str) -> PaymentDetails | None:
        """Re-read a one-time checkout: what its payment brought in, or None while (or if) nothing was paid."""

    @abstractmethod
    def checkout_url(self, checkout_ref: str) -> str:
        """Where to send the person to finish an open checkout."""

    @abstractmethod
    def expire_checkout(self, checkout_ref: str) -> None:
        """End an open checkout early so it can no longer be paid."""

    @abstractmethod
    def get_subscription(self, subscription_ref: str) -> Subscription: ...

    @abstractmethod
    def cancel_subscription(self, subscription_ref: str, *, at_period_end: bool) -> None: ...

    @abstractmethod
    def resume_subscription(self, subscription_ref: str) -> None:
        """Undo a cancel-at-period-end."""

    @abstractmethod
    def refund_latest_payment(self, subscription_ref: str, *, reason: str) -> None:
        """Refund the newest paid invoice of the subscription in full."""

    @abstractmethod
    def refund_charge(self, charge_ref: str, amount_minor: int, *, reason: str, idempotency_key: str) -> None:
        """Refund `amount_minor` of a one-time payment's charge (part of it, or all); a retry with the same key
        refunds nothing more. The processor then reports the charge's cumulative refunds (`charge.refunded`)."""

    @abstractmethod
    def portal_url(self, customer_ref: str, return_url: str) -> str: ...

    @abstractmethod
    def invoice_payment(self, invoice_ref: str) -> PaymentDetails | None:
        """Re-read a paid invoice: its gross, the processor's fee and its charge; None if nothing was charged."""

    @abstractmethod
    def balance_transactions(self, start: datetime, end: datetime) -> list[ProcessorTransaction]:
        """Every balance movement from `start` up to `end` (memberships and one-time payments alike), with the
        charge each belongs to."""

    @abstractmethod
    def list_invoices(self, subscription_ref: str) -> list[Invoice]:
        """Every invoice of the subscription, newest first."""

    @abstractmethod
    def get_invoice(self, invoice_ref: str) -> Invoice | None:
        """One invoice, or None if the provider has no such invoice."""

    @abstractmethod
    def preview_plan_change(self, subscription_ref: str, *, plan, proration_date: int) -> int:
        """What switching the subscription to `plan`'s price at `proration_date` (unix seconds) charges now, in minor
        units (negative: a credit kept for the next invoices)."""

    @abstractmethod
    def change_plan(self, subscription_ref: str, *, plan, proration_date: int) -> None:
        """Switch the subscription's item to `plan`'s price with prorations invoiced at once (always_invoice); the
        provider then sends customer.subscription.updated and the proration invoice's events."""

    def names_price(self, plan, price_ref: str | None) -> bool:
        """True when `price_ref` is the provider's price of `plan` (without creating anything)."""
        return price_ref is not None and plan.stripe_price_id == price_ref

    def advance_period(self, subscription_ref: str) -> str:
        """Jump to the subscription's renewal; returns what happened (renewed, past_due, canceled)."""
        raise GatewayError("This payment provider has no test clock.")

    def update_card(self, customer_ref: str, card_number: str) -> None:
        """Take a new card for the customer; a past-due subscription is paid with it."""
        raise GatewayError("Cards are changed on the payment provider's own page.")


def webhook_secret() -> str:
    """STRIPE_WEBHOOK_SECRET when set (whichever gateway is active), else one derived from SECRET_KEY."""
    configured = current_app.config["STRIPE_WEBHOOK_SECRET"]
    if configured:
        return configured
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"local-webhooks", hashlib.sha256).hexdigest()
    return f"whsec_local_{digest[:32]}"
