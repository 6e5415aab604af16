"""What the processor reports after a payment finds that payment by its charge, and only by its charge."""
from __future__ import annotations

import time

from microhub.billing.models import EventStatus, PaymentEvent
from microhub.database import utcnow
from microhub.extensions import db
from microhub.ledger.models import Account, GroupKind, LedgerGroup
from microhub.ledger.services import record_payment

from ..factories import HubFactory
from ..payments.helpers import post_event


def test_a_dispute_naming_no_charge_is_never_booked_against_a_payment_that_has_none(client):
    hub = HubFactory()
    # A payment recorded without a charge (the demo's placements and awards are): a dispute naming no charge is
    # not its dispute.
    record_payment(hub, source=("demo", "1"), income=Account.MEMBERSHIP_INCOME, gross=900, fee=0, currency="EUR",
                   occurred_at=utcnow(), charge_ref=None, details={}, memo="Demo")
    db.session.commit()
    dispute = {"id": "dp_no_charge", "object": "dispute", "amount": 900, "currency": "eur",
               "balance_transactions": [{"id": "txn_no_charge", "amount": -900, "fee": 1500, "currency": "eur"}]}
    body = {"id": "evt_dispute_no_charge", "object": "event", "type": "charge.dispute.funds_withdrawn",
            "created": int(time.time()), "data": {"object": dispute}, "livemode": False}
    assert post_event(client, body).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(LedgerGroup.id)).filter_by(kind=GroupKind.DISPUTE)) == 0
    waiting = db.session.scalar(db.select(PaymentEvent).filter_by(stripe_id="evt_dispute_no_charge"))
    assert waiting.status is EventStatus.PENDING and waiting.last_error.startswith("PaymentNotRecorded")
