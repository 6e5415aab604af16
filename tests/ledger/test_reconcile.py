"""Reconciliation compares a month of the ledger with the processor's balance transactions, to the minor unit."""
from __future__ import annotations

from datetime import date, timedelta

import time_machine

from microhub import jobs
from microhub.billing.local import LocalObject
from microhub.database import utcnow
from microhub.extensions import db
from microhub.ledger.reconcile import reconcile
from microhub.ledger.report_models import Reconciliation
from microhub.ledger.tasks import recent_months

from ..payments.helpers import hub_with_plan
from ..payments.test_lifecycle import paid_member


def this_month(hub) -> date:
    return recent_months(hub)[1]


def test_test_mode_payments_reconcile_and_a_charge_changed_at_the_processor_is_one_difference(client):
    hub, plan = hub_with_plan()
    paid_member(client, hub, plan)
    paid_member(client, hub, plan)
    assert reconcile(hub, this_month(hub)).differences == 0
    charge = db.session.scalars(db.select(LocalObject).filter_by(kind="charge")).first()
    charge.data = {**charge.data, "amount": charge.data["amount"] + 1}  # one cent the ledger never heard of
    db.session.commit()
    outcome = reconcile(hub, this_month(hub))
    assert outcome.differences == 1 and outcome.details[0]["ref"] == f"charge {charge.id}"
    assert outcome.details[0]["ledger"][0] + 1 == outcome.details[0]["processor"][0]


def test_reconcile_command_prints_each_month_and_its_differences(app, client):
    hub, plan = hub_with_plan(slug="books")
    paid_member(client, hub, plan)
    result = app.test_cli_runner().invoke(args=["ledger", "reconcile", "--hub", "books"])
    assert result.exit_code == 0 and f"books {this_month(hub):%Y-%m}: reconciled" in result.output
    assert app.test_cli_runner().invoke(args=["ledger", "reconcile", "--month", "26-1"]).exit_code == 2


def test_the_tick_reconciles_the_last_two_months_about_nightly(client):
    hub, plan = hub_with_plan()
    paid_member(client, hub, plan)
    jobs.tick()
    months = set(db.session.scalars(db.select(Reconciliation.month).filter_by(hub_id=hub.id)))
    assert months == set(recent_months(hub))
    first = db.session.scalar(db.select(Reconciliation.checked_at).filter_by(hub_id=hub.id, month=this_month(hub)))
    jobs.tick()  # minutes later: not again
    db.session.expire_all()
    assert db.session.scalar(db.select(Reconciliation.checked_at).filter_by(hub_id=hub.id,
                                                                            month=this_month(hub))) == first
    with time_machine.travel(utcnow() + timedelta(hours=21), tick=False):
        jobs.tick()
    db.session.expire_all()
    assert db.session.scalar(db.select(Reconciliation.checked_at).filter_by(hub_id=hub.id,
                                                                            month=recent_months(hub)[1])) > first
