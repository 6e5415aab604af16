"""Monthly budgets per spending category: an amount from a month on, until a later row for that category."""
from __future__ import annotations

import re
from datetime import date

from .. import audit
from ..database import added_unless_taken
from ..errors import ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from ..money import to_minor
from .expense_models import Budget
from .models import SPENDING_CATEGORIES, Account

#: A month as organizers type it: 2026-03.
_MONTH = re.compile(r"\A(\d{4})-(\d{2})\Z")


def parse_month(text: str) -> date:
    """'2026-03' as the first day of that month; refuses anything else."""
    match = _MONTH.match((text or "").strip())
    if not match or not 2000 <= int(match[1]) <= 2100 or not 1 <= int(match[2]) <= 12:
        raise ValidationFailed("Write the month as YYYY-MM, for example 2026-03.", field="month")
    return date(int(match[1]), int(match[2]), 1)


def set_budget(hub: Hub, *, category: str, amount: str, month: str, actor) -> Budget:
    """The monthly budget of `category` from `month` on (zero: none from then); replaces that month's row."""
    if category not in {c.value for c in SPENDING_CATEGORIES}:
        raise ValidationFailed("Choose one of the spending categories.", field="category")
    amount_minor = to_minor(amount, hub.currency)
    first = parse_month(month)
    budget = db.session.scalar(db.select(Budget).filter_by(hub_id=hub.id, category=Account(category), month=first)
                               .with_for_update())
    before = budget.amount_minor if budget else None
    if budget is None:
        budget = Budget(hub_id=hub.id, category=Account(category), month=first, amount_minor=amount_minor)
        if not added_unless_taken(budget):  # the same month set at the same moment by someone else: change theirs
            budget = db.session.scalar(db.select(Budget).filter_by(hub_id=hub.id, category=Account(category),
                                                                  month=first))
    budget.amount_minor = amount_minor
    db.session.flush()
    audit.record("budget.set", budget, actor=actor, category=category, month=first.isoformat(),
                 amount_minor=amount_minor, currency=hub.currency, before=before)
    return budget


def budget_for(hub_id: int, month: date) -> dict[Account, int]:
    """The monthly budget in force in `month` per spending category (minor units, the hub's currency), in one
    query; a category without a budget row on or before `month` is absent."""
    first = date(month.year, month.month, 1)
    latest = (db.select(Budget.category, db.func.max(Budget.month).label("month"))
              .where(Budget.hub_id == hub_id, Budget.month <= first).group_by(Budget.category).subquery())
    rows = db.session.execute(
        db.select(Budget.category, Budget.amount_minor)
        .join(latest, db.and_(Budget.category == latest.c.category, Budget.month == latest.c.month))
        .where(Budget.hub_id == hub_id))
    return {category: amount for category, amount in rows}


def hub_budgets(hub_id: int) -> list[Budget]:
    """Every budget row of the hub, by category then month: what the money page lists."""
    return list(db.session.scalars(db.select(Budget).filter_by(hub_id=hub_id).order_by(Budget.category, Budget.month)))
