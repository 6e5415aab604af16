"""What the processor reports after a payment, written into the ledger: refunds and disputed funds."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, select

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


#: The hub of the payment (or donation) a charge paid for. Built once with a bound parameter (its compiled form is
#: found by identity), and Core on the session's connection: it flushes nothing. What receivers before this one
#: added (the refund's audit entry) is not sent ahead of a lookup that often ends the attempt with a rollback, and
#: a payment is never left unflushed in the session (`post` flushes what it writes), so none can be missed.
_PAID_HUB = select(LedgerGroup.__table__.c.hub_id).where(
    LedgerGroup.__table__.c.charge_ref == bindparam("charge_ref"), LedgerGroup.__table__.c.kind.in_(MONEY_IN)).limit(1)


def _paid_hub_id(charge_ref, event) -> int:
    """The hub whose ledger holds the charge's payment; PaymentNotRecorded while it may still come, else NotOurs."""
    hub_id = db.session.connection().scalar(_PAID_HUB, {"charge_ref": charge_ref})
    if hub_id is not None:
        return hub_id
    if utcnow() - _when(event) < WAIT_FOR_PAYMENT:
        raise PaymentNotRecorded(f"no payment for charge {charge_ref} in the ledger yet; trying again later")
    raise NotOurs(f"charge {charge_ref} paid for nothing in this installation's ledger")


def on_refund_issued(charge: dict, *, event) -> None:
    """A receiver of `signals.refund_issued`: the charge's refunds so far (cumulative), each minor unit once."""
    refunded = charge.get("amount_refunded")
    if not isinstance(charge.get("id"), str) or type(refunded) is not int or refunded <= 0:
        return
    _paid_hub_id(charge["id"], event)
    record_refund(charge["id"], refunded_total=refunded, currency=str(charge.get("currency", "")).upper(),
                  occurred_at=_when(event), details={"event": event.stripe_id})


def on_dispute_funds(dispute: dict, *, event) -> None:
    """A receiver of `signals.dispute_funds_moved`: each of the dispute's balance transactions (funds withdrawn
    with the dispute fee, or reinstated) is written once, against the disputed payment's hub."""
    hub = db.session.get(Hub, _paid_hub_id(dispute.get("charge"), event))
    for txn in dispute.get("balance_transactions") or ():
        amount, fee, currency = txn.get("amount"), txn.get("fee", 0), str(txn.get("currency", "")).upper()
        if type(amount) is not int or type(fee) is not int or not isinstance(txn.get("id"), str):
            continue
        lines = [Line(account, value, currency) for account, value in
                 ((Account.CASH, amount - fee), (Account.DISPUTES, -amount), (Account.PROCESSOR_FEES, fee)) if value]
        post(hub, kind=GroupKind.DISPUTE, source=("balance_transaction", txn["id"]), lines=lines,
             occurred_at=_when(event), actor="stripe", memo="Disputed payment", charge_ref=dispute.get("charge"),
             details={"dispute": dispute.get("id"), "event": event.stripe_id})
