"""Shared steps for the money tests: a receipts folder of the test's own, expense data, a quick expense."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import current_app

from microhub.extensions import db
from microhub.ledger import expenses
from microhub.ledger.expense_models import Expense

PDF = b"%PDF-1.7\n% a tiny receipt\n"


@pytest.fixture
def receipts_dir(app, tmp_path, monkeypatch):
    """Receipts land in this test's own folder, for the served app and the test's app alike."""
    for each in (app, current_app._get_current_object()):
        monkeypatch.setattr(each, "instance_path", str(tmp_path))
    return tmp_path / "receipts"


def stored_files(folder) -> list:
    return sorted(folder.iterdir()) if folder.exists() else []


def expense_data(hub, **changes) -> dict:
    """Valid form data for a new expense in `hub`; `changes` replace fields."""
    day = expenses.today_in(hub) - timedelta(days=3)
    return {"amount": "45.90", "currency": hub.currency, "category": "spending.tools", "spent_on": day.isoformat(),
            "payee": "Forum Host Ltd", "description": "Forum hosting, March", **changes}


def info(hub, **changes) -> expenses.ExpenseInfo:
    data = expense_data(hub, **changes)
    data["spent_on"] = date.fromisoformat(data["spent_on"])
    return expenses.ExpenseInfo(**data)


def submitted(hub, organizer, **changes) -> Expense:
    """A submitted expense, made through the services as the pages would."""
    expense = expenses.create_draft(hub, info(hub, **changes), actor=organizer)
    expenses.submit(hub, expense.id, actor=organizer)
    db.session.commit()
    return expense
