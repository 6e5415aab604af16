"""Receipts: the e-mail a member gets for every paid membership invoice (the first payment, each renewal, a plan
switch's proration), and what the billing page and the receipt page show of an invoice.

The receipt goes out where the invoice's money is written to the ledger (`income.on_payment_received`), in the same
transaction and only when that write happened: the ledger's one-group-per-invoice rule makes it once per invoice,
however often and in whatever order `invoice.paid` arrives. An invoice that moved no money (a full scholarship, a
downgrade's credit) has no ledger entry and sends no receipt; it is still listed on the billing page."""
from __future__ import annotations

from ..billing.gateway import Invoice, PaymentDetails
from ..billing.models import Plan
from ..billing.provider import gateway
from ..billing.services import plan_for_price
from ..database import parse_id
from ..email import send_email
from ..extensions import db
from ..money import format_money
from ..urls import external_url
from .models import Membership, SeatHold

#: What an invoice was for, in a member's words (Stripe's `billing_reason`).
REASONS = {"subscription_create": "First payment", "subscription_cycle": "Renewal",
           "subscription_update": "Plan change"}


def reason_of(invoice: Invoice) -> str:
    return REASONS.get(invoice.billing_reason or "", "Payment")


def receipt_link(invoice: Invoice) -> str:
    """Stripe's hosted invoice page; in the test mode (no hosted page) MicroHub's own printable receipt."""
    if invoice.hosted_url:
        return invoice.hosted_url
    if gateway().takes_cards:
        return external_url("memberships.receipt", invoice_ref=invoice.ref)
    return external_url("memberships.billing")


def plan_billed(hub_id: int, invoice: Invoice | None, fallback: Plan | None) -> Plan | None:
    """The plan an invoice bills (a switch's invoice: the new plan), else `fallback`."""
    return (plan_for_price(hub_id, invoice.price_ref) if invoice is not None else None) or fallback


def _payer(subscription_ref: str):
    """(user, hub, plan) of the membership the subscription pays, or of its hold when the membership is not made yet."""
    membership = db.session.scalar(db.select(Membership).filter_by(subscription_ref=subscription_ref))
    if membership is not None:
        return membership.user, membership.hub, membership.plan
    hold_id = parse_id(gateway().get_subscription(subscription_ref).metadata.get("hold_id"))
    hold = db.session.get(SeatHold, hold_id) if hold_id else None
    return (hold.user, hold.hub, hold.plan) if hold is not None else (None, None, None)


def send_receipt(subscription_ref: str, invoice_ref: str, paid: PaymentDetails) -> None:
    """E-mail the payer a receipt for one paid invoice; call it once per invoice (see the module's docstring)."""
    user, hub, plan = _payer(subscription_ref)
    if user is None:
        return
    invoice = gateway().get_invoice(invoice_ref)
    plan = plan_billed(hub.id, invoice, plan)
    amount = format_money(paid.gross, paid.currency)
    send_email(user.email, f"Receipt for {hub.name}: {amount}", "membership_receipt", user=user, hub=hub, plan=plan,
               invoice=invoice, amount=amount, paid=paid, reason=reason_of(invoice) if invoice else "Payment",
               link=receipt_link(invoice) if invoice else external_url("memberships.billing"),
               billing=external_url("memberships.billing"), hub_link=external_url("hubpage.show", slug=hub.slug),
               test_mode=gateway().takes_cards)
