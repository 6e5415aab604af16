"""What the processor reports after a payment, written into the ledger: refunds and disputed funds."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ..database import utcnow
from ..errors import NotOurs
from ..extensions import db
from ..hubs.models import Hub
from .models import MONEY_IN, Account, GroupKind, LedgerGroup
from .services import Line, PaymentNotRecorded, post, record_refund


#: A refund or dispute of a charge whose payment is not in the ledger is retried this long after the event (the
#: payment's own news may arrive later); after that it is another product's charge, and ignored.
WAIT_FOR_PAYMENT = timedelta(hours=1)


def _when(event) -> datetime:
    return datetime.fromtimestamp(event.created, tz=timezone.utc)


def _payment(charge_ref, event) -> LedgerGroup:
    payment = db.session.scalar(db.select(LedgerGroup).where(LedgerGroup.charge_ref == charge_ref,
                                                             LedgerGroup.kind.in_(MONEY_IN)))
    if payment is not None:
        return payment
    if utcnow() - _when(event) < WAIT_FOR_PAYMENT:
        raise PaymentNotRecorded(f"no payment for charge {charge_ref} in the ledger yet; trying again later")
    raise NotOurs(f"charge {charge_ref} paid for nothing in this installation's ledger")


def on_refund_issued(charge: dict, *, event) -> None:
    """A receiver of `signals.refund_issued`: the charge's refunds so far (cumulative), each minor unit once."""
    refunded = charge.get("amount_refunded")
    if not isinstance(charge.get("id"), str) or type(refunded) is not int or refunded <= 0:
        return
    _payment(charge["id"], event)
    record_refund(charge["id"], refunded_total=refunded, currency=str(charge.get("currency", "")).upper(),
                  occurred_at=_when(event), details={"event": event.stripe_id})


def on_dispute_funds(dispute: dict, *, event) -> None:
    """A receiver of `signals.dispute_funds_moved`: each of the dispute's balance transactions (funds withdrawn
    with the dispute fee, or reinstated) is written once, against the disputed payment's hub."""
    payment = _payment(dispute.get("charge"), event)
    hub = db.session.get(Hub, payment.hub_id)
    for txn in dispute.get("balance_transactions") or ():
        amount, fee, currency = txn.get("amount"), txn.get("fee", 0), str(txn.get("currency", "")).upper()
        if type(amount) is not int or type(fee) is not int or not isinstance(txn.get("id"), str):
            continue
        lines = [Line(account, value, currency) for account, value in
                 ((Account.CASH, amount - fee), (Account.DISPUTES, -amount), (Account.PROCESSOR_FEES, fee)) if value]
        post(hub, kind=GroupKind.DISPUTE, source=("balance_transaction", txn["id"]), lines=lines,
             occurred_at=_when(event), actor="stripe", memo="Disputed payment", charge_ref=dispute.get("charge"),
             details={"dispute": dispute.get("id"), "event": event.stripe_id})
