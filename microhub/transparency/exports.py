"""Public movements as CSV or JSON, for one month or a date range: one row per public movement line; and the
scholarship fund of the months they touch, one row per month.

Schema version 1 (documented in README.md, "Transparency exports"): date, month, kind, account, label, memo,
amount_minor, currency, direction, adjustment, hash; the fund's columns are `FUND_COLUMNS`. Fields are only ever
added within a version.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..errors import NotFound, ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from ..ledger.models import Account, LedgerEntry, LedgerGroup
from ..ledger.publishing import parse_month
from ..ledger.reports import SCHEMA_VERSION, month_label
from .public import public_month, public_months, visible_months
from .scholarship_fund import FUND, public_fund

COLUMNS = ("date", "month", "kind", "account", "label", "memo", "amount_minor", "currency", "direction",
           "adjustment", "hash")
#: The fund's CSV: one row per month; donors and the organizers' reasons joined with "; ".
FUND_COLUMNS = ("month", *FUND)
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


@dataclass(frozen=True)
class Selection:
    """What an export covers: its name (in the file name), the SQL conditions on movements, and the first and
    last report months it touches."""

    name: str
    conditions: list
    first: date
    last: date


def selection(hub: Hub, args) -> Selection:
    """What `args` asks for: `month=YYYY-MM`, or `from` and `to` (both dates)."""
    if "month" in args:
        month = parse_month(args.get("month"))
        if month is None:
            raise ValidationFailed("'month' is a month written YYYY-MM, such as 2026-03.")
        if public_month(hub, month) is None:
            raise NotFound(f"{month_label(month)} is not published.")
        return Selection(month_label(month), [LedgerEntry.month == month], month, month)
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
    return Selection(f"{start}_{end}", [LedgerGroup.occurred_at >= after, LedgerGroup.occurred_at < before],
                     start.replace(day=1), end.replace(day=1))


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


def fund_months(hub: Hub, chosen: Selection) -> list[dict]:
    """The scholarship fund of each shown month the selection touches, oldest first (a month published before
    the fund was reported has none)."""
    return [{"month": d["month"], **public_fund(d)} for d in reversed(public_months(hub))
            if chosen.first <= date.fromisoformat(d["month"] + "-01") <= chosen.last and public_fund(d)]


def _words(text: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: memos and names are words, so quote them.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def as_csv(rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "memo": _words(row["memo"]), "adjustment": "true" if row["adjustment"] else "false"})
    return out.getvalue()


def fund_as_csv(months: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FUND_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for month in months:
        writer.writerow({**month, "donors": _words("; ".join(month["donors"])),
                         "organizer_reasons": _words("; ".join(month["organizer_reasons"]))})
    return out.getvalue()


def as_json(hub: Hub, name: str, rows: list[dict], fund: list[dict]) -> dict:
    return {"schema_version": SCHEMA_VERSION, "hub": hub.slug, "selection": name, "columns": list(COLUMNS),
            "movements": rows, "scholarship_fund": fund}


def fund_as_json(hub: Hub, name: str, months: list[dict]) -> dict:
    return {"schema_version": SCHEMA_VERSION, "hub": hub.slug, "selection": name, "columns": list(FUND_COLUMNS),
            "scholarship_fund": months}
