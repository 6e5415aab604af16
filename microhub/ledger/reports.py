"""A hub's monthly figures, summed in SQL: opening, income, refunds, spending by category, closing, budgets."""
from __future__ import annotations

from collections import defaultdict
from datetime import date

from ..database import utcnow
from ..extensions import db
from ..hubs.models import Hub
from .budgets import budget_for
from .fund_report import fund_month
from .models import SPENDING_CATEGORIES, Account, LedgerEntry, LedgerGroup
from .models import LedgerMonthTotal as Totals
from .report_models import MonthReport
from .services import month_of

#: The version of the figures' shape, stored with every published month and served by the API.
SCHEMA_VERSION = 1
#: The months an index shows besides every published one.
RECENT_MONTHS = 12


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def current_month(hub: Hub) -> date:
    """The running month in the hub's time zone: the only one still open to new movements of its own."""
    return month_of(hub, utcnow())


def _summary(month: date, currency: str, opening: int, sums: dict[Account, int]) -> dict:
    """The figures of one month in one currency from its per-account sums (income accounts are negative)."""
    income = {a.value: -amount for a, amount in sums.items() if a.is_income}
    spending = {a.value: amount for a, amount in sums.items() if a.is_spending}
    refunds = sums.get(Account.REFUNDS, 0)
    closing = opening + sum(income.values()) - refunds - sum(spending.values())
    return {"month": month_label(month), "currency": currency, "opening": opening,
            "income": sum(income.values()), "refunds": refunds, "spending": sum(spending.values()),
            "closing": closing, "income_by_source": dict(sorted(income.items())),
            "spending_by_category": dict(sorted(spending.items()))}


def _published(hub_id: int) -> dict[date, MonthReport]:
    return {r.month: r for r in db.session.scalars(db.select(MonthReport).where(MonthReport.hub_id == hub_id))}


def months(hub: Hub) -> list[dict]:
    """Every month with entries, oldest first, live from the ledger: the last 12 months and every published one.

    One read of the hub's month totals (kept beside the entries by `services.post`) and of the published months.
    """
    rows = db.session.execute(
        db.select(Totals.month, Totals.currency, Totals.account, db.func.sum(Totals.amount_minor))
        .where(Totals.hub_id == hub.id)
        .group_by(Totals.month, Totals.currency, Totals.account)).all()
    published = _published(hub.id)
    sums: dict[tuple[date, str], dict[Account, int]] = defaultdict(dict)
    for month, currency, account, amount in rows:  # aggregated rows: a handful per month
        sums[(month, currency)][account] = int(amount)
    balance: dict[str, int] = defaultdict(int)
    found = []
    for (month, currency), by_account in sorted(sums.items()):
        figures = _summary(month, currency, balance[currency], by_account)
        balance[currency] = figures["closing"]
        figures["final"] = month in published
        found.append(figures)
    cutoff = _months_back(current_month(hub), RECENT_MONTHS - 1)
    return [f for f in found if f["final"] or f["month"] >= month_label(cutoff)]


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _opening(hub_id: int, month: date) -> dict[str, int]:
    """CASH before `month`, per currency: the last published closing before it plus the months since.

    A published month never changes (later movements are booked as adjustments), so its frozen closing is
    the true balance at its end, and the sum below reads only the months after it through the index.
    """
    last = db.session.scalar(db.select(MonthReport).where(MonthReport.hub_id == hub_id, MonthReport.month < month)
                             .order_by(MonthReport.month.desc()).limit(1))
    opening = {c["currency"]: c["closing"] for c in (last.figures["currencies"] if last else [])}
    since = [Totals.month > last.month] if last else []
    for currency, amount in db.session.execute(
            db.select(Totals.currency, db.func.sum(Totals.amount_minor))
            .where(Totals.hub_id == hub_id, Totals.account == Account.CASH, Totals.month < month,
                   *since).group_by(Totals.currency)):
        opening[currency] = opening.get(currency, 0) + int(amount)
    return opening


def _adjustments(hub_id: int, month: date) -> list[dict]:
    """Movements booked into `month` because their own month was published already, with their cash effect."""
    cash = db.func.coalesce(db.func.sum(LedgerEntry.amount_minor).filter(LedgerEntry.account == Account.CASH), 0)
    rows = db.session.execute(
        db.select(LedgerGroup.occurred_at, LedgerGroup.kind, LedgerGroup.memo, LedgerGroup.hash,
                  LedgerEntry.currency, cash)
        .join(LedgerEntry, LedgerEntry.group_id == LedgerGroup.id)
        .where(LedgerGroup.hub_id == hub_id, LedgerGroup.month == month, LedgerGroup.adjustment.is_(True))
        .group_by(LedgerGroup.id, LedgerGroup.occurred_at, LedgerGroup.kind, LedgerGroup.memo, LedgerGroup.hash,
                  LedgerEntry.currency, LedgerGroup.seq)
        .order_by(LedgerGroup.seq)).all()
    return [{"occurred_at": at.isoformat(), "kind": kind.value, "memo": memo, "hash": hash_, "currency": currency,
             "amount": int(amount)} for at, kind, memo, hash_, currency, amount in rows]


def final_hash(hub_id: int, month: date) -> str | None:
    """The hash of the month's last group in the chain, or None for a month without movements."""
    return db.session.scalar(db.select(LedgerGroup.hash).where(LedgerGroup.hub_id == hub_id, LedgerGroup.month == month)
                             .order_by(LedgerGroup.seq.desc()).limit(1))


def figures_for(hub: Hub, month: date) -> dict:
    """One month's figures, live from the ledger, per currency (the hub's own first), with budgets and adjustments.

    A fixed number of statements whatever the number of rows: the month's GROUP BY, the opening balance, the
    budgets, the adjustments, the final hash, whether it is published, and the scholarship fund's two.
    """
    rows = db.session.execute(
        db.select(Totals.currency, Totals.account, db.func.sum(Totals.amount_minor))
        .where(Totals.hub_id == hub.id, Totals.month == month)
        .group_by(Totals.currency, Totals.account)).all()
    sums: dict[str, dict[Account, int]] = defaultdict(dict)
    for currency, account, amount in rows:
        sums[currency][account] = int(amount)
    opening = _opening(hub.id, month)
    currencies = sorted(set(sums) | {c for c, v in opening.items() if v} | {hub.currency},
                        key=lambda c: (c != hub.currency, c))
    planned = budget_for(hub.id, month)
    adjustments = _adjustments(hub.id, month)
    per_currency = []
    for currency in currencies:
        figures = _summary(month, currency, opening.get(currency, 0), sums.get(currency, {}))
        figures["budgets"] = _budget_lines(figures, planned if currency == hub.currency else {})
        figures["adjustments"] = [a for a in adjustments if a["currency"] == currency]
        per_currency.append(figures)
    published = db.session.scalar(db.select(MonthReport.id).filter_by(hub_id=hub.id, month=month)) is not None
    return {"schema_version": SCHEMA_VERSION, "month": month_label(month), "final": published,
            "hash": final_hash(hub.id, month), "currencies": per_currency,
            "scholarship_fund": fund_month(hub, month, sums.get(hub.currency, {}))}


def _budget_lines(figures: dict, planned: dict[Account, int]) -> dict[str, dict]:
    spent = figures["spending_by_category"]
    return {c.value: {"budget": planned.get(c), "actual": spent.get(c.value, 0)}
            for c in SPENDING_CATEGORIES if c in planned or c.value in spent}
