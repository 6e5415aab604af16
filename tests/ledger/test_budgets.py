"""A category's monthly budget holds from its month until a later row; `budget_for` reads a month's in one query;
the two-approval threshold is set on the money page; every change is audited with its actor."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from microhub.audit import AuditEntry
from microhub.errors import DomainError
from microhub.extensions import db
from microhub.ledger import budgets, expenses
from microhub.ledger.expense_models import Budget, MoneySettings
from microhub.ledger.models import Account

from ..factories import organizer_of
from ..helpers import signed_in


def _set(hub, organizer, category, amount, month):
    budgets.set_budget(hub, category=category, amount=amount, month=month, actor=organizer)
    db.session.commit()


def test_a_budget_holds_from_its_month_until_a_later_row_for_its_category(app):
    hub, organizer = organizer_of()
    _set(hub, organizer, "spending.tools", "50.00", "2026-01")
    _set(hub, organizer, "spending.tools", "80.00", "2026-04")
    _set(hub, organizer, "spending.events", "200", "2026-03")
    other, someone = organizer_of()
    _set(other, someone, "spending.tools", "999", "2025-01")
    assert budgets.budget_for(hub.id, date(2025, 12, 1)) == {}
    assert budgets.budget_for(hub.id, date(2026, 2, 14)) == {Account.TOOLS: 5000}
    assert budgets.budget_for(hub.id, date(2026, 3, 1)) == {Account.TOOLS: 5000, Account.EVENTS: 20000}
    assert budgets.budget_for(hub.id, date(2027, 1, 1)) == {Account.TOOLS: 8000, Account.EVENTS: 20000}


def test_budget_for_is_one_query(app):
    hub, organizer = organizer_of()
    for month in ("2026-01", "2026-02", "2026-03"):
        for category in ("spending.tools", "spending.events", "spending.moderation"):
            _set(hub, organizer, category, "10", month)
    hub_id, statements = hub.id, []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        figures = budgets.budget_for(hub_id, date(2026, 2, 1))
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len(figures) == 3 and len(statements) == 1


def test_setting_a_month_twice_replaces_it_and_zero_ends_a_budget(app):
    hub, organizer = organizer_of()
    _set(hub, organizer, "spending.tools", "50", "2026-01")
    _set(hub, organizer, "spending.tools", "60", "2026-01")
    _set(hub, organizer, "spending.tools", "0", "2026-05")
    assert db.session.scalar(db.select(db.func.count()).select_from(Budget)) == 2
    assert budgets.budget_for(hub.id, date(2026, 2, 1)) == {Account.TOOLS: 6000}
    assert budgets.budget_for(hub.id, date(2026, 6, 1)) == {Account.TOOLS: 0}
    entries = db.session.scalars(db.select(AuditEntry).filter_by(action="budget.set")).all()
    assert len(entries) == 3 and {e.actor_id for e in entries} == {organizer.id}


@pytest.mark.parametrize("changes, message", [
    ({"month": "2026-13"}, "YYYY-MM"), ({"month": "March"}, "YYYY-MM"), ({"month": "1999-01"}, "YYYY-MM"),
    ({"amount": "-1"}, "zero or more"), ({"amount": "1.001"}, "decimal places"),
    ({"category": "cash"}, "Not a valid choice"),
])
def test_the_budget_form_refuses_bad_values_with_a_message(app, changes, message):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    data = {"category": "spending.tools", "amount": "50", "month": "2026-03", **changes}
    page = f"/h/{hub.slug}/manage/money"
    response = client.submit(f"{page}/budgets", data, form_url=page)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Budget)) == 0


def test_an_organizer_sets_a_budget_on_the_money_page(app):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money"
    data = {"category": "spending.moderation", "amount": "120.00", "month": "2026-03"}
    assert client.submit(f"{page}/budgets", data, form_url=page).status_code == 302
    assert budgets.budget_for(hub.id, date(2026, 3, 1)) == {Account.MODERATION: 12000}
    assert "€120.00" in client.get(page).get_data(as_text=True)


def test_an_organizer_sets_and_clears_the_two_approval_threshold(app):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money"
    assert client.submit(f"{page}/settings", {"two_approvals_above": "250.00"}, form_url=page).status_code == 302
    assert expenses.two_approvals_above(hub.id) == 25000
    assert 'value="250.00"' in client.get(page).get_data(as_text=True)
    refused = client.submit(f"{page}/settings", {"two_approvals_above": "-3"}, form_url=page)
    assert refused.status_code == 400 and "zero or more" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert expenses.two_approvals_above(hub.id) == 25000
    assert client.submit(f"{page}/settings", {"two_approvals_above": ""}, form_url=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(MoneySettings, hub.id).two_approvals_above is None
    entries = db.session.scalars(db.select(AuditEntry).filter_by(action="money.settings", hub_id=hub.id)).all()
    assert [e.details["two_approvals_above"] for e in entries] == [25000, None]
    assert {e.actor for e in entries} == {organizer.email}


def test_budget_services_refuse_a_category_that_is_not_spending(app):
    hub, organizer = organizer_of()
    with pytest.raises(DomainError, match="spending categories"):
        budgets.set_budget(hub, category="cash", amount="1", month="2026-01", actor=organizer)
