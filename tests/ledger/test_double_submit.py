"""Approve and pay sent many times at once (double clicks, retries) change the expense once: its row is locked."""
from __future__ import annotations

import pytest

from microhub.accounts.models import User
from microhub.errors import DomainError
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.ledger import chain, expenses
from microhub.ledger.expense_models import Expense, ExpenseApproval, ExpenseStatus as S, MoneySettings
from microhub.ledger.models import LedgerGroup

from ..factories import organizer_of
from ..helpers import at_once
from .helpers import submitted

CLICKS = 8


def race(app, act, hub_id: int, expense_id: int, user_id: int) -> list[str]:
    """Every click arrives at the same instant, each on its own connection."""
    def click(loaded) -> str:
        hub, user = loaded
        try:
            act(hub, expense_id, actor=user)
            db.session.commit()
            return "done"
        except DomainError:
            db.session.rollback()
            return "refused"

    return at_once(app, range(CLICKS), lambda _: (db.session.get(Hub, hub_id), db.session.get(User, user_id)), click)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_pay_clicked_eight_times_at_once_writes_one_ledger_group(app_factory):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": CLICKS + 2, "max_overflow": 0})
    with app.app_context():
        hub, organizer = organizer_of()
        expense = submitted(hub, organizer)
        expenses.approve(hub, expense.id, actor=organizer)
        db.session.commit()
        ids = hub.id, expense.id, organizer.id
    outcomes = race(app, expenses.pay, *ids)
    with app.app_context():
        assert sorted(outcomes) == ["done"] + ["refused"] * (CLICKS - 1)
        assert db.session.scalar(db.select(db.func.count()).select_from(LedgerGroup)) == 1
        assert db.session.get(Expense, ids[1]).status is S.PAID and chain.verify(ids[0]).ok


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_approve_clicked_eight_times_at_once_by_one_organizer_counts_once(app_factory):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": CLICKS + 2, "max_overflow": 0})
    with app.app_context():
        hub, first = organizer_of()
        organizer_of(hub)
        db.session.add(MoneySettings(hub_id=hub.id, two_approvals_above=0))
        expense = submitted(hub, first)
        ids = hub.id, expense.id, first.id
    outcomes = race(app, expenses.approve, *ids)
    with app.app_context():
        assert sorted(outcomes) == ["done"] + ["refused"] * (CLICKS - 1)
        assert db.session.scalar(db.select(db.func.count()).select_from(ExpenseApproval)) == 1
        assert db.session.get(Expense, ids[1]).status is S.SUBMITTED
