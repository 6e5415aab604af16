"""The scholarship fund: restricted money (donations and plans' shares) less what scholarships drew from it.

Read from the month totals kept beside the entries, so it costs one indexed statement however long the ledger.
"""
from __future__ import annotations

from datetime import date

from ..extensions import db
from .models import FUND_INCOME, Account
from .models import LedgerMonthTotal as Totals


def balance(hub_id: int, currency: str, *, before: date | None = None) -> int:
    """What the fund holds (minor units of `currency`), now or at the start of month `before`."""
    when = [Totals.month < before] if before is not None else []
    total = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(Totals.amount_minor), 0))
        .where(Totals.hub_id == hub_id, Totals.currency == currency,
               Totals.account.in_((*FUND_INCOME, Account.SCHOLARSHIPS)), *when))
    return -int(total)  # fund income is credited (negative); scholarships spending is debited (positive)
