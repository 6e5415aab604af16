"""Expenses move draft → submitted → approved → paid (or rejected), one or two organizers approve, and paying
writes one balanced ledger group, once."""
from __future__ import annotations

import pytest

from microhub.audit import AuditEntry
from microhub.errors import DomainError
from microhub.extensions import db
from microhub.ledger import chain, expenses
from microhub.ledger.expense_models import Expense, ExpenseApproval, ExpenseStatus as S, MoneySettings
from microhub.ledger.models import Account, LedgerEntry, LedgerGroup

from ..factories import organizer_of
from ..helpers import signed_in
from .helpers import expense_data, info, receipts_dir, submitted  # noqa: F401

pytestmark = pytest.mark.usefixtures("receipts_dir")


def _threshold(hub, minor):
    db.session.add(MoneySettings(hub_id=hub.id, two_approvals_above=minor))
    db.session.commit()


def _status(expense_id):
    db.session.expire_all()
    return db.session.get(Expense, expense_id).status


def test_an_expense_goes_from_draft_to_paid_through_the_pages_and_writes_one_balanced_group(app):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    base = f"/h/{hub.slug}/manage/money"
    response = client.submit(f"{base}/expenses/new", expense_data(hub, amount="45.90"))
    assert response.status_code == 302
    expense = db.session.scalar(db.select(Expense))
    assert (expense.status, expense.amount_minor, expense.currency) == (S.DRAFT, 4590, "EUR")
    page = f"{base}/expenses/{expense.id}"
    for action in ("submit", "approve", "pay"):
        assert client.submit(f"{page}/{action}", {}, form_url=page).status_code == 302
    expense = db.session.get(Expense, expense.id)
    assert expense.status is S.PAID and expense.paid_at is not None
    group = db.session.get(LedgerGroup, expense.ledger_group_id)
    assert group.source_ref == str(expense.id) and group.actor == organizer.email
    assert {(e.account, e.amount_minor) for e in group.entries} == {(Account.TOOLS, 4590), (Account.CASH, -4590)}
    assert group.memo == expense.description and group.month == expense.spent_on.replace(day=1)
    assert chain.verify(hub.id).ok
    actions = set(db.session.scalars(db.select(AuditEntry.action).filter_by(actor_id=organizer.id)))
    assert {"expense.draft", "expense.submitted", "expense.approved", "expense.paid"} <= actions
    assert "Paid" in client.get(page).get_data(as_text=True)


def test_paying_twice_writes_one_group_and_says_it_is_paid_already(app):
    hub, organizer = organizer_of()
    expense = submitted(hub, organizer)
    expenses.approve(hub, expense.id, actor=organizer)
    expenses.pay(hub, expense.id, actor=organizer)
    db.session.commit()
    with pytest.raises(DomainError, match="approved expense can be paid"):
        expenses.pay(hub, expense.id, actor=organizer)
    db.session.rollback()
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    answer = client.submit(f"{page}/pay", {}, form_url=f"/h/{hub.slug}/manage/money", follow_redirects=True)
    assert "this one is paid" in answer.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(LedgerGroup)) == 1
    assert db.session.scalar(db.select(db.func.sum(LedgerEntry.amount_minor))) == 0
    assert chain.verify(hub.id).ok


def test_above_the_threshold_two_different_organizers_must_approve(app):
    hub, first = organizer_of()
    _, second = organizer_of(hub)
    _threshold(hub, 10_000)
    expense = submitted(hub, first, amount="100.01")
    expenses.approve(hub, expense.id, actor=first)
    db.session.commit()
    assert _status(expense.id) is S.SUBMITTED
    with pytest.raises(DomainError, match="another organizer"):
        expenses.approve(hub, expense.id, actor=first)  # the same person again does not count
    db.session.rollback()
    assert _status(expense.id) is S.SUBMITTED
    with pytest.raises(DomainError, match="approved expense can be paid"):
        expenses.pay(hub, expense.id, actor=first)
    db.session.rollback()
    expenses.approve(hub, expense.id, actor=second)
    db.session.commit()
    assert _status(expense.id) is S.APPROVED
    approvers = set(db.session.scalars(db.select(ExpenseApproval.user_id).filter_by(expense_id=expense.id)))
    assert approvers == {first.id, second.id}


def test_the_same_organizer_approving_twice_through_the_page_is_refused_with_a_message(app):
    hub, first = organizer_of()
    organizer_of(hub)
    _threshold(hub, 0)
    expense = submitted(hub, first)
    client = signed_in(app, first)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    client.submit(f"{page}/approve", {}, form_url=page)
    answer = client.submit(f"{page}/approve", {}, form_url=page, follow_redirects=True).get_data(as_text=True)
    assert "You approved this expense already" in answer
    assert _status(expense.id) is S.SUBMITTED
    assert db.session.scalar(db.select(db.func.count()).select_from(ExpenseApproval)) == 1


def test_at_or_below_the_threshold_one_approval_is_enough(app):
    hub, first = organizer_of()
    organizer_of(hub)
    _threshold(hub, 10_000)
    expense = submitted(hub, first, amount="100.00")  # exactly the threshold: not above it
    expenses.approve(hub, expense.id, actor=first)
    db.session.commit()
    assert _status(expense.id) is S.APPROVED


def test_a_hub_with_one_organizer_needs_one_approval_whatever_the_amount(app):
    hub, organizer = organizer_of()
    _threshold(hub, 100)
    expense = submitted(hub, organizer, amount="5000")
    expenses.approve(hub, expense.id, actor=organizer)
    db.session.commit()
    assert _status(expense.id) is S.APPROVED


def test_rejecting_needs_a_reason_and_is_final(app):
    hub, organizer = organizer_of()
    expense = submitted(hub, organizer)
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    refused = client.submit(f"{page}/reject", {"reason": ""}, form_url=page)
    assert refused.status_code == 400 and _status(expense.id) is S.SUBMITTED
    assert client.submit(f"{page}/reject", {"reason": "Not a hub cost"}, form_url=page).status_code == 302
    expense = db.session.get(Expense, expense.id)
    assert (expense.status, expense.rejected_reason) == (S.REJECTED, "Not a hub cost")
    for move in (expenses.approve, expenses.pay, expenses.submit):
        with pytest.raises(DomainError):
            move(hub, expense.id, actor=organizer)
        db.session.rollback()
    assert _status(expense.id) is S.REJECTED
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="expense.rejected"))
    assert entry.actor == organizer.email and entry.details["reason"] == "Not a hub cost"


@pytest.mark.parametrize("move, message", [
    ("pay", "Only an approved expense can be paid; this one is draft"),
    ("approve", "Only a submitted expense can be approved; this one is draft"),
])
def test_illegal_moves_from_a_draft_are_refused_with_a_message(app, move, message):
    hub, organizer = organizer_of()
    expense = expenses.create_draft(hub, info(hub), actor=organizer)
    db.session.commit()
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    answer = client.submit(f"{page}/{move}", {}, form_url=page, follow_redirects=True).get_data(as_text=True)
    assert message in answer
    assert _status(expense.id) is S.DRAFT
    assert db.session.scalar(db.select(db.func.count()).select_from(LedgerGroup)) == 0


def test_a_submitted_expense_no_longer_changes(app):
    hub, organizer = organizer_of()
    expense = submitted(hub, organizer, amount="10.00")
    with pytest.raises(DomainError, match="Only a draft can be changed"):
        expenses.update_draft(hub, expense.id, info(hub, amount="99.00"), actor=organizer)
    db.session.rollback()
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    token = client.csrf_token(f"/h/{hub.slug}/manage/money")
    answer = client.post(page, data={"csrf_token": token, **expense_data(hub, amount="99.00")}, follow_redirects=True)
    assert "Only a draft can be changed" in answer.get_data(as_text=True)
    assert db.session.get(Expense, expense.id).amount_minor == 1000


def test_a_draft_can_be_edited_before_it_is_submitted(app):
    hub, organizer = organizer_of()
    expense = expenses.create_draft(hub, info(hub, amount="10.00"), actor=organizer)
    db.session.commit()
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    assert client.submit(page, expense_data(hub, amount="12.00", category="spending.events")).status_code == 302
    db.session.expire_all()
    expense = db.session.get(Expense, expense.id)
    assert (expense.amount_minor, expense.category, expense.status) == (1200, Account.EVENTS, S.DRAFT)
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="expense.edited")).actor_id == organizer.id


def test_paying_records_the_day_it_was_spent_at_noon_in_the_hubs_zone(app):
    hub, organizer = organizer_of(timezone="America/New_York")
    expense = submitted(hub, organizer, spent_on=(expenses.today_in(hub)).isoformat())
    expenses.approve(hub, expense.id, actor=organizer)
    expenses.pay(hub, expense.id, actor=organizer)
    db.session.commit()
    group = db.session.get(LedgerGroup, db.session.get(Expense, expense.id).ledger_group_id)
    assert group.occurred_at == expenses.occurred_at(hub, expense.spent_on)
    assert group.occurred_at.utcoffset().total_seconds() == 0 and group.occurred_at.hour in (16, 17)
