"""Monthly figures are summed in SQL, add up to the balance, freeze when published, and are published in order."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine
from sqlalchemy import event

from microhub.errors import Conflict, ValidationFailed
from microhub.extensions import db
from microhub.ledger.expense_models import Budget
from microhub.ledger.models import Account, LedgerGroup
from microhub.ledger.publishing import parse_month, publish_month
from microhub.ledger.budgets import budget_for as budgets
from microhub.ledger.reports import figures_for, months

from ..factories import HubFactory
from ..transparency.helpers import at, cash_through, pay, spend, three_months

NOW = at(2026, 4, 10)
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


@pytest.fixture
def in_april():
    with time_machine.travel(NOW, tick=False):
        yield


def test_each_month_opens_where_the_last_closed_and_closes_at_the_balance(app, in_april):
    hub = HubFactory()
    three_months(hub)
    found = {f["month"]: f for f in months(hub)}
    assert list(found) == ["2026-01", "2026-02", "2026-03"]
    jan, feb, mar = found["2026-01"], found["2026-02"], found["2026-03"]
    assert (jan["opening"], jan["income"], jan["refunds"], jan["spending"]) == (0, 2400, 0, 88)
    assert (feb["opening"], feb["income"], feb["refunds"], feb["spending"]) == (2312, 0, 900, 500)
    assert (mar["opening"], mar["income"], mar["spending"]) == (912, 5900, 38)
    assert mar["income_by_source"] == {"income.membership": 900, "income.sponsors": 5000}
    assert feb["spending_by_category"] == {"spending.moderation": 200, "spending.tools": 300}
    for month, figures in zip((JAN, FEB, MAR), (jan, feb, mar)):
        assert figures["closing"] == figures["opening"] + figures["income"] - figures["refunds"] - figures["spending"]
        assert figures["closing"] == cash_through(hub, month)
        detail = figures_for(hub, month)
        assert detail["currencies"][0]["closing"] == figures["closing"]
        assert detail["hash"] == db.session.scalar(db.select(LedgerGroup.hash).filter_by(hub_id=hub.id, month=month)
                                                   .order_by(LedgerGroup.seq.desc()).limit(1))
    assert figures_for(hub, APR)["currencies"][0]["opening"] == mar["closing"]


def test_another_hubs_money_never_counts(app, in_april):
    hub, other = HubFactory(), HubFactory()
    three_months(hub)
    pay(other, "other-1", at(2026, 1, 7), gross=100_000)
    assert [f["closing"] for f in months(hub)] == [2312, 912, 6774]


def count_statements(fn) -> int:
    seen = []
    listener = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(seen)


def test_a_months_figures_take_the_same_statements_however_many_rows(app, in_april):
    hub = HubFactory()
    three_months(hub)
    publish_month(hub, JAN, note="", user_id=None)
    db.session.commit()
    few = count_statements(lambda: (figures_for(hub, MAR), months(hub)))
    for n in range(30):
        pay(hub, f"more-{n}", at(2026, 3, 5 + n % 20))
        spend(hub, f"spent-{n}", at(2026, 2, 1 + n % 25), 10 + n, Account.EVENTS)
    assert count_statements(lambda: (figures_for(hub, MAR), months(hub))) == few


def test_budget_in_force_is_the_latest_row_from_the_month_or_before(app, in_april):
    hub = HubFactory()
    db.session.add_all([Budget(hub_id=hub.id, category=Account.TOOLS, month=JAN, amount_minor=1000),
                        Budget(hub_id=hub.id, category=Account.TOOLS, month=MAR, amount_minor=500),
                        Budget(hub_id=hub.id, category=Account.EVENTS, month=FEB, amount_minor=700)])
    db.session.commit()
    three_months(hub)
    assert budgets(hub.id, JAN) == {Account.TOOLS: 1000}
    assert budgets(hub.id, FEB) == {Account.TOOLS: 1000, Account.EVENTS: 700}
    assert budgets(hub.id, MAR) == {Account.TOOLS: 500, Account.EVENTS: 700}
    lines = figures_for(hub, FEB)["currencies"][0]["budgets"]
    assert lines["spending.tools"] == {"budget": 1000, "actual": 300}
    assert lines["spending.moderation"] == {"budget": None, "actual": 200}


def test_publishing_freezes_a_month_and_a_late_movement_becomes_an_adjustment_next_month(app, in_april):
    hub = HubFactory()
    three_months(hub)
    report = publish_month(hub, JAN, note="All good", user_id=None)
    db.session.commit()
    frozen = report.figures["currencies"][0]
    late = spend(hub, "late-jan", at(2026, 1, 30), 250, memo="January's tool invoice, late")
    assert (late.month, late.adjustment) == (FEB, True)
    assert figures_for(hub, JAN)["currencies"][0] == {**frozen, "adjustments": []}
    assert report.final_hash == frozen_hash(hub, JAN)
    feb = figures_for(hub, FEB)["currencies"][0]
    assert feb["adjustments"] == [{"occurred_at": late.occurred_at.isoformat(), "kind": "expense",
                                   "memo": "January's tool invoice, late", "hash": late.hash, "currency": "EUR",
                                   "amount": -250}]
    assert feb["spending"] == 750 and feb["closing"] == cash_through(hub, FEB)


def frozen_hash(hub, month):
    return db.session.scalar(db.select(LedgerGroup.hash).filter_by(hub_id=hub.id, month=month, adjustment=False)
                             .order_by(LedgerGroup.seq.desc()).limit(1))


def test_months_are_published_once_in_order_and_only_when_over(app, in_april):
    hub = HubFactory()
    three_months(hub)
    with pytest.raises(ValidationFailed, match="Publish January 2026 first"):
        publish_month(hub, FEB, note="", user_id=None)
    publish_month(hub, JAN, note="", user_id=None)
    db.session.commit()
    with pytest.raises(Conflict, match="published already"):
        publish_month(hub, JAN, note="", user_id=None)
    with pytest.raises(ValidationFailed, match="not over yet"):
        publish_month(hub, APR, note="", user_id=None)
    with pytest.raises(ValidationFailed, match="no movements"):
        publish_month(hub, date(2025, 12, 1), note="", user_id=None)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-01", "", None, "1999-12", "2026-1", "２０２６-01",
                                  "2026/01", "9999-01"])
def test_bad_month_names_name_no_month(text):
    assert parse_month(text) is None


def test_a_month_name_is_its_first_day():
    assert parse_month("2026-03") == MAR
