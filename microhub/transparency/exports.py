"""Public movements as CSV or JSON, for one month or a date range: one row per public movement line.

Schema version 1 (documented in README.md, "Transparency exports"): date, month, kind, account, label, memo,
amount_minor, currency, direction, adjustment, hash.
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from ..ledger.models import Account, LedgerEntry, LedgerGroup
from ..ledger.publishing import parse_month
from ..ledger.reports import SCHEMA_VERSION, month_label
from .public import public_month, visible_months

COLUMNS = ("date", "month", "kind", "account", "label", "memo", "amount_minor", "currency", "direction",
           "adjustment", "hash")
#: The longest range one export covers.
MAX_DAYS = 366
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


def _day(text: str | None, name: str) -> date:
    try:
        day = date.fromisoformat((text or "").strip())
    except ValueError:
        raise ValidationFailed(f"'{name}' is a date written YYYY-MM-DD, such as 2026-03-01.") from None
    if not EARLIEST <= day <= LATEST or len((text or "").strip()) != 10:
        raise ValidationFailed(f"'{name}' is a date written YYYY-MM-DD between {EARLIEST} and {LATEST}.")
    return day


def selection(hub: Hub, args) -> tuple[str, list]:
    """The name and SQL conditions of what `args` asks for: `month=YYYY-MM`, or `from` and `to` (both dates)."""
    if "month" in args:
        month = parse_month(args.get("month"))
        if month is None:
            raise ValidationFailed("'month' is a month written YYYY-MM, such as 2026-03.")
        if public_month(hub, month) is None:
            raise NotFound(f"{month_label(month)} is not published.")
        return month_label(month), [LedgerEntry.month == month]
    if "from" not in args or "to" not in args:
        raise ValidationFailed("Ask for one month (?month=YYYY-MM) or a range (?from=YYYY-MM-DD&to=YYYY-MM-DD).")
    start, end = _day(args.get("from"), "from"), _day(args.get("to"), "to")
    if end < start:
        raise ValidationFailed("'to' comes before 'from': give the earlier date first.")
    if (end - start).days >= MAX_DAYS:
        raise ValidationFailed(f"A range covers at most {MAX_DAYS} days; ask for several.")
    zone = ZoneInfo(hub.timezone)
    after = datetime.combine(start, datetime.min.time(), tzinfo=zone)
    before = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return f"{start}_{end}", [LedgerGroup.occurred_at >= after, LedgerGroup.occurred_at < before]


def movements(hub: Hub, conditions: list) -> list[dict]:
    """Public movement lines (every account but the balance) of published months and the running month."""
    shown = visible_months(hub)
    rows = db.session.execute(
        db.select(LedgerGroup.occurred_at, LedgerGroup.month, LedgerGroup.kind, LedgerGroup.memo,
                  LedgerGroup.adjustment, LedgerGroup.hash, LedgerEntry.account, LedgerEntry.amount_minor,
                  LedgerEntry.currency)
        .join(LedgerEntry, LedgerEntry.group_id == LedgerGroup.id)
        .where(LedgerEntry.hub_id == hub.id, LedgerEntry.account != Account.CASH, shown(LedgerEntry.month),
               *conditions)
        .order_by(LedgerGroup.seq, LedgerEntry.account)).all()
    zone = ZoneInfo(hub.timezone)
    return [_row(row, zone) for row in rows]


def _row(row, zone: ZoneInfo) -> dict:
    occurred_at, month, kind, memo, adjustment, hash_, account, amount, currency = row
    incoming = account.is_income
    return {"date": occurred_at.astimezone(zone).date().isoformat(), "month": month_label(month),
            "kind": kind.value, "account": account.value, "label": account.label, "memo": memo,
            "amount_minor": -amount if incoming else amount, "currency": currency,
            "direction": "in" if incoming else "out", "adjustment": bool(adjustment), "hash": hash_}


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        # A spreadsheet runs a cell starting with = + - @ as a formula: memos are words, so quote them.
        memo = row["memo"]
        writer.writerow({**row, "memo": f"'{memo}" if memo[:1] in ("=", "+", "-", "@", "\t", "\r") else memo,
                         "adjustment": "true" if row["adjustment"] else "false"})
    return out.getvalue()


def as_json(hub: Hub, name: str, rows: list[dict]) -> dict:
    return {"schema_version": SCHEMA_VERSION, "hub": hub.slug, "selection": name, "columns": list(COLUMNS),
            "movements": rows}
