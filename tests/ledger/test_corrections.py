"""A paid expense is corrected, never edited: the ledger keeps the first figures, their reversal and the right
ones, dated now with a public reason; after publication they land in the running month as adjustments."""
from __future__ import annotations

from datetime import timedelta

import pytest

from microhub.audit import AuditEntry
from microhub.extensions import db
from microhub.ledger import chain, expenses
from microhub.ledger.models import Account, GroupKind, LedgerEntry, LedgerGroup
from microhub.ledger.publishing import publish_month
from microhub.ledger.reports import current_month

from ..factories import member_of, organizer_of
from ..helpers import signed_in
from .helpers import info


def paid(hub, organizer, **changes):
    made = expenses.create_draft(hub, info(hub, **changes), actor=organizer)
    for move in (expenses.submit, expenses.approve, expenses.pay):
        move(hub, made.id, actor=organizer)
    db.session.commit()
    return made


def totals(hub) -> dict:
    rows = db.session.execute(db.select(LedgerEntry.account, db.func.sum(LedgerEntry.amount_minor))
                              .where(LedgerEntry.hub_id == hub.id).group_by(LedgerEntry.account)).all()
    return {account: int(total) for account, total in rows if total}


def test_a_correction_reverses_the_paid_figures_and_writes_the_right_ones(app):
    hub, organizer = organizer_of()
    expense = paid(hub, organizer, amount="45.90", category="spending.tools")
    first = expense.ledger_group_id
    expenses.correct(hub, expense.id, amount="54.90", category="spending.events", reason="Typo in the amount",
                     actor=organizer)
    db.session.commit()
    kinds = db.session.scalars(db.select(LedgerGroup.kind).filter_by(hub_id=hub.id).order_by(LedgerGroup.seq)).all()
    assert kinds == [GroupKind.EXPENSE, GroupKind.REVERSAL, GroupKind.CORRECTION]
    assert totals(hub) == {Account.EVENTS: 5490, Account.CASH: -5490}
    assert db.session.get(LedgerGroup, first).entries[0].amount_minor in (4590, -4590)  # the first stays as it was
    assert (expense.amount_minor, expense.category) == (5490, Account.EVENTS) and expense.ledger_group_id != first
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="expense.corrected")).actor == organizer.email
    assert chain.verify(hub.id).ok


def test_a_correction_after_the_month_is_published_lands_in_the_running_month(app):
    hub, organizer = organizer_of()
    last_month = current_month(hub) - timedelta(days=1)
    expense = paid(hub, organizer, amount="10.00", spent_on=last_month.isoformat())
    month = db.session.get(LedgerGroup, expense.ledger_group_id).month
    publish_month(hub, month, note="", user_id=organizer.id)
    db.session.commit()
    expenses.correct(hub, expense.id, amount="12.00", category="spending.tools", reason="Receipt said 12",
                     actor=organizer)
    db.session.commit()
    fixes = db.session.scalars(db.select(LedgerGroup).where(LedgerGroup.kind != GroupKind.EXPENSE)).all()
    assert {g.month for g in fixes} == {current_month(hub)} and all(g.adjustment for g in fixes)
    assert month < current_month(hub)


@pytest.mark.parametrize("changes, message", [
    ({"reason": ""}, "Say why"), ({"amount": "0"}, "more than nothing"), ({"amount": "-3"}, "zero or more"),
    ({"category": "income.membership"}, "Not a valid choice"),
])
def test_a_bad_correction_is_refused_with_a_message_and_changes_nothing(app, changes, message):
    hub, organizer = organizer_of()
    expense = paid(hub, organizer)
    client = signed_in(app, organizer)
    data = {"amount": "12.00", "category": "spending.tools", "reason": "Receipt said 12", **changes}
    url = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    response = client.submit(f"{url}/correct", data, form_url=url)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(LedgerGroup.id))) == 1


def test_only_organizers_correct_and_only_paid_expenses(app):
    hub, organizer = organizer_of()
    expense = paid(hub, organizer)
    member = member_of(hub)
    url = f"/h/{hub.slug}/manage/money/expenses/{expense.id}/correct"
    response = signed_in(app, member).post(url, data={"amount": "1.00", "category": "spending.tools",
                                                     "reason": "mine now"})
    assert response.status_code in (400, 403) and db.session.scalar(db.select(db.func.count(LedgerGroup.id))) == 1
    draft = expenses.create_draft(hub, info(hub), actor=organizer)
    with pytest.raises(expenses.IllegalMove):
        expenses.correct(hub, draft.id, amount="1.00", category="spending.tools", reason="x", actor=organizer)
