"""What a paid membership invoice brings in: the gross, the processor's fee and the rest, in the hub's ledger."""
from __future__ import annotations

from ..billing.processing import subscription_of
from ..billing.provider import gateway
from ..database import parse_id
from ..errors import NotOurs
from ..extensions import db
from ..hubs.models import Hub
from ..ledger.models import Account
from ..ledger.services import record_payment
from .models import Membership, SeatHold


def _hub_paid_by(subscription_ref: str) -> Hub:
    """The hub a subscription pays for: its membership's, or (news that came first) the hold it was made for."""
    membership = db.session.scalar(db.select(Membership).filter_by(subscription_ref=subscription_ref))
    if membership is not None:
        return membership.hub
    hold = db.session.get(SeatHold, parse_id(gateway().get_subscription(subscription_ref).metadata.get("hold_id")) or 0)
    if hold is None:
        raise NotOurs(f"subscription {subscription_ref} pays for no membership or hold of this installation")
    return hold.hub


def on_payment_received(invoice: dict, *, event) -> None:
    """A receiver of `signals.payment_received`: a membership invoice's money goes into the ledger, once."""
    subscription_ref, invoice_ref = subscription_of(invoice), invoice.get("id")
    if not subscription_ref or not isinstance(invoice_ref, str):
        return  # not a membership's invoice
    hub = _hub_paid_by(subscription_ref)
    paid = gateway().invoice_payment(invoice_ref)  # re-read: the fee comes from the processor, not the event
    if paid is None:
        return
    facts = {"invoice": invoice_ref, "balance_transaction": paid.balance_transaction_ref,
             "fee_estimated": paid.fee_estimated, **paid.notes}
    record_payment(hub, source=("invoice", invoice_ref), income=Account.MEMBERSHIP_INCOME, gross=paid.gross,
                   fee=paid.fee, currency=paid.currency, occurred_at=paid.paid_at, charge_ref=paid.charge_ref,
                   details=facts, memo="Membership payment")
