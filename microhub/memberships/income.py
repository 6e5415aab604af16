"""What a paid membership invoice brings in: the gross, the processor's fee, the plan's share for scholarships and
the rest, in the hub's ledger."""
from __future__ import annotations

from ..billing.models import Plan
from ..billing.processing import subscription_of
from ..billing.provider import gateway
from ..database import parse_id
from ..errors import NotOurs
from ..extensions import db
from ..hubs.models import Hub
from ..ledger.models import Account
from ..ledger.services import record_payment
from .billing_receipts import send_receipt
from .models import Membership, SeatHold


def _paid_by(subscription_ref: str) -> tuple[Hub, Plan | None]:
    """The hub and plan a subscription pays for: its membership's, or (news that came first) the hold's."""
    membership = db.session.scalar(db.select(Membership).filter_by(subscription_ref=subscription_ref))
    if membership is not None:
        return membership.hub, membership.plan
    hold = db.session.get(SeatHold, parse_id(gateway().get_subscription(subscription_ref).metadata.get("hold_id")) or 0)
    if hold is None:
        raise NotOurs(f"subscription {subscription_ref} pays for no membership or hold of this installation")
    return hold.hub, hold.plan


def share_for(plan: Plan | None, hub: Hub, *, gross: int, currency: str) -> int:
    """What of an invoice's gross goes to the scholarship fund: the plan's share, in the hub's currency only.

    An invoice below the plan's price (a discount, a partial scholarship, a prorated change) still sends the
    share, never more than the gross: the share is the plan's promise per payment, and a smaller payment that
    cannot carry it sends all it has. A payment in another currency sends nothing (the share is priced in the
    hub's currency, and money is never converted)."""
    if plan is None or plan.hub_id != hub.id or currency != hub.currency:
        return 0
    return max(0, min(plan.scholarship_share_minor or 0, gross))


def on_payment_received(invoice: dict, *, event) -> None:
    """A receiver of `signals.payment_received`: a membership invoice's money goes into the ledger, once."""
    subscription_ref, invoice_ref = subscription_of(invoice), invoice.get("id")
    if not subscription_ref or not isinstance(invoice_ref, str):
        return  # not a membership's invoice
    hub, plan = _paid_by(subscription_ref)
    paid = gateway().invoice_payment(invoice_ref)  # re-read: the fee comes from the processor, not the event
    if paid is None:
        return
    facts = {"invoice": invoice_ref, "balance_transaction": paid.balance_transaction_ref,
             "fee_estimated": paid.fee_estimated, **paid.notes}
    written = record_payment(hub, source=("invoice", invoice_ref), income=Account.MEMBERSHIP_INCOME, gross=paid.gross,
                   fee=paid.fee, currency=paid.currency, occurred_at=paid.paid_at, charge_ref=paid.charge_ref,
                   details=facts, memo="Membership payment",
                   scholarship_share=share_for(plan, hub, gross=paid.gross, currency=paid.currency))
    if written is not None:  # once per invoice: the ledger wrote it just now (see billing_receipts)
        send_receipt(subscription_ref, invoice_ref, paid)
