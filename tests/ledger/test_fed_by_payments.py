"""Payments, refunds and disputes reach the ledger once each, from the processor's own figures, in any order."""
from __future__ import annotations

import time
from datetime import timedelta

import time_machine

from microhub import jobs
from microhub.billing.models import EventStatus, PaymentEvent
from microhub.database import utcnow
from microhub.extensions import db
from microhub.ledger import chain
from microhub.ledger.models import Account, GroupKind, LedgerEntry, LedgerGroup
from microhub.memberships.models import Membership, MembershipStatus

from ..factories import UserFactory, organizer_of
from ..payments.helpers import hub_with_plan, post_event
from ..payments.test_lifecycle import advance, paid_member
from ..payments.test_lifecycle import test_late_payment_after_the_hold_expired_and_the_hub_filled_is_refunded_never_admitted as late_refund  # noqa: E501


def balances(hub) -> dict[Account, int]:
    db.session.expire_all()
    rows = db.session.execute(db.select(LedgerEntry.account, db.func.sum(LedgerEntry.amount_minor))
                              .where(LedgerEntry.hub_id == hub.id).group_by(LedgerEntry.account)).all()
    return {account: total for account, total in rows if total}


def event(event_id, event_type, obj, *, created=None):
    return {"id": event_id, "object": "event", "type": event_type, "created": created or int(time.time()),
            "data": {"object": obj}, "livemode": False}


def test_a_test_mode_payment_and_its_renewal_are_income_less_stripes_standard_fee(client):
    hub, plan = hub_with_plan()  # 9.00 EUR a month
    _, organizer = organizer_of(hub=hub)
    user = paid_member(client, hub, plan)
    advance(client, organizer, hub, db.session.scalar(db.select(Membership).filter_by(user_id=user.id)))
    assert balances(hub) == {Account.MEMBERSHIP_INCOME: -1800, Account.CASH: 1722, Account.PROCESSOR_FEES: 78}
    payments = db.session.scalars(db.select(LedgerGroup).filter_by(hub_id=hub.id)).all()
    assert [g.kind for g in payments] == [GroupKind.PAYMENT, GroupKind.PAYMENT]
    assert all(g.details["fee_estimated"] and g.charge_ref for g in payments)
    assert chain.verify(hub.id).ok


def test_a_repeated_invoice_paid_delivery_writes_nothing_twice(client):
    hub, plan = hub_with_plan()
    paid_member(client, hub, plan)
    stored = db.session.scalar(db.select(PaymentEvent).filter_by(type="invoice.paid"))
    again = {**stored.payload, "id": "evt_again_" + stored.stripe_id}  # Stripe may send the news twice
    assert post_event(client, again).status_code == 200
    assert balances(hub)[Account.MEMBERSHIP_INCOME] == -900
    assert db.session.scalar(db.select(db.func.count(LedgerGroup.id))) == 1


def test_a_refund_processed_before_its_payment_waits_and_then_is_written_once(client):
    late_refund(client)  # the refund's event is processed before the invoice's: it waits
    [waiting] = db.session.scalars(db.select(PaymentEvent).filter_by(type="charge.refunded")).all()
    assert waiting.status is EventStatus.PENDING and "PaymentNotRecorded" in waiting.last_error
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        jobs.tick()
    hub = db.session.scalar(db.select(LedgerGroup)).hub_id
    db.session.expire_all()
    assert db.session.get(PaymentEvent, waiting.id).status is EventStatus.PROCESSED
    totals = dict(db.session.execute(db.select(LedgerEntry.account, db.func.sum(LedgerEntry.amount_minor))
                                     .where(LedgerEntry.hub_id == hub).group_by(LedgerEntry.account)).all())
    assert totals == {Account.MEMBERSHIP_INCOME: -900, Account.REFUNDS: 900, Account.CASH: -39,
                      Account.PROCESSOR_FEES: 39}  # Stripe keeps its fee on a refund


def test_partial_refunds_add_up_once_whatever_order_they_arrive_in(client):
    hub, plan = hub_with_plan()
    paid_member(client, hub, plan)
    charge = db.session.scalar(db.select(LedgerGroup)).charge_ref
    for event_id, refunded in (("evt_r2", 600), ("evt_r1", 250), ("evt_r2_again", 600), ("evt_r3", 900)):
        obj = {"id": charge, "object": "charge", "amount_refunded": refunded, "currency": "eur", "refunded": False}
        assert post_event(client, event(event_id, "charge.refunded", obj)).status_code == 200
    assert balances(hub)[Account.REFUNDS] == 900
    assert chain.verify(hub.id).ok


def test_a_dispute_withdraws_the_amount_and_its_fee_and_a_won_dispute_puts_the_amount_back(client):
    hub, plan = hub_with_plan()
    paid_member(client, hub, plan)
    charge = db.session.scalar(db.select(LedgerGroup)).charge_ref
    withdrawn = {"id": "dp_1", "object": "dispute", "charge": charge, "amount": 900, "currency": "eur",
                 "balance_transactions": [{"id": "txn_dp_out", "amount": -900, "fee": 1500, "currency": "eur"}]}
    won = {**withdrawn, "balance_transactions": withdrawn["balance_transactions"] + [
        {"id": "txn_dp_back", "amount": 900, "fee": -1500, "currency": "eur"}]}
    for event_id, kind, obj in (("evt_d1", "charge.dispute.funds_withdrawn", withdrawn),
                                ("evt_d2", "charge.dispute.funds_reinstated", won),
                                ("evt_d1b", "charge.dispute.funds_withdrawn", withdrawn)):
        assert post_event(client, event(event_id, kind, obj)).status_code == 200
    assert balances(hub) == {Account.MEMBERSHIP_INCOME: -900, Account.CASH: 861, Account.PROCESSOR_FEES: 39}
    assert db.session.scalar(db.select(db.func.count(LedgerGroup.id)).filter_by(kind=GroupKind.DISPUTE)) == 2


def test_a_refund_of_a_charge_that_paid_for_nothing_here_is_ignored_after_the_wait(app_factory):
    app = app_factory(JOBS_RAISE=False)
    client = app.test_client()
    old = int(time.time()) - 2 * 3600
    obj = {"id": "ch_someone_else", "object": "charge", "amount_refunded": 500, "currency": "eur"}
    with app.app_context():
        post_event(client, event("evt_foreign_refund", "charge.refunded", obj, created=old))
        post_event(client, event("evt_fresh_refund", "charge.refunded", {**obj, "id": "ch_maybe_later"}))
        db.session.expire_all()
        rows = {e.stripe_id: e for e in db.session.scalars(db.select(PaymentEvent))}
        assert rows["evt_foreign_refund"].status is EventStatus.IGNORED
        assert rows["evt_fresh_refund"].status is EventStatus.PENDING and rows["evt_fresh_refund"].next_attempt_at


def test_stripe_fees_come_from_the_balance_transaction(stripe_app, fake):
    hub, plan = hub_with_plan()
    user = UserFactory()
    db.session.add(Membership(hub_id=hub.id, user_id=user.id, status=MembershipStatus.ACTIVE,
                              subscription_ref="sub_known", customer_ref="cus_known"))
    db.session.commit()
    invoice = fake.paid_invoice(amount=900, fee=41)
    body = event("evt_paid", "invoice.paid", {**invoice, "subscription": "sub_known"})
    fake.objects["sub_known"] = {"id": "sub_known", "object": "subscription", "status": "active",
                                 "customer": "cus_known", "metadata": {}, "cancel_at_period_end": False}
    assert post_event(stripe_app.test_client(), body).status_code == 200
    [group] = db.session.scalars(db.select(LedgerGroup)).all()
    assert group.details["balance_transaction"].startswith("txn_") and not group.details["fee_estimated"]
    assert balances(hub) == {Account.MEMBERSHIP_INCOME: -900, Account.CASH: 859, Account.PROCESSOR_FEES: 41}
