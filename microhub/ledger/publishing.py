"""Publishing a closed month: its figures frozen once, in order, under the chain's lock; and months overdue."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..database import added_unless_taken
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from .models import LedgerGroup, LedgerHead
from .report_models import MonthReport, ReportReminder
from .reports import current_month, figures_for, next_month
from .services import lock_chain

#: A closed month still unpublished this long after it ended reminds the organizers, once.
REMIND_AFTER = timedelta(days=15)


def parse_month(text: str | None) -> date | None:
    """"2026-03" as the first day of that month; None for anything else (no exceptions, no odd years)."""
    text = (text or "").strip()
    if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isascii() or not (text[:4] + text[5:]).isdigit():
        return None
    year, month = int(text[:4]), int(text[5:])
    return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def unpublished_before(hub_id: int, month: date) -> date | None:
    """The earliest month before `month` with movements that is not published yet.

    Months are published in order, so those are the months after the last published one: the first of them
    is the first (hub_id, month) index entry past it, one probe however many movements the hub has.
    """
    last = db.session.scalar(db.select(db.func.max(MonthReport.month)).where(MonthReport.hub_id == hub_id))
    after = [LedgerGroup.month > last] if last is not None else []
    return db.session.scalar(db.select(db.func.min(LedgerGroup.month)).where(
        LedgerGroup.hub_id == hub_id, LedgerGroup.month < month, *after))


def publish_month(hub: Hub, month: date, *, note: str, user_id: int | None) -> MonthReport:
    """Freeze `month`'s figures as its report; only a closed month with movements, once, and in order.

    The chain's head is locked first, so no movement lands in the month between reading its figures and
    storing them; afterwards `services.post` books that month's late movements into the next open month.
    """
    if month >= current_month(hub):
        raise ValidationFailed(f"{month:%B %Y} is not over yet: a month is published once it has ended.")
    lock_chain(hub.id)
    if db.session.scalar(db.select(MonthReport.id).filter_by(hub_id=hub.id, month=month)) is not None:
        raise Conflict(f"{month:%B %Y} is published already; later movements show as adjustments.")
    earlier = unpublished_before(hub.id, month)
    if earlier is not None:
        raise ValidationFailed(f"Publish {earlier:%B %Y} first: months are published in order.")
    figures = figures_for(hub, month)
    if figures["hash"] is None:
        raise ValidationFailed(f"{month:%B %Y} has no movements to report.")
    figures["final"] = True
    report = MonthReport(hub_id=hub.id, month=month, note=(note or "").strip(), figures=figures,
                         final_hash=figures["hash"], published_by_id=user_id)
    if not added_unless_taken(report):
        raise Conflict(f"{month:%B %Y} is published already.")
    return report


def month_end(hub: Hub, month: date) -> datetime:
    """The moment `month` ended in the hub's time zone."""
    return datetime.combine(next_month(month), datetime.min.time(), tzinfo=ZoneInfo(hub.timezone))


#: How many closed months back the reminder looks: a month unpublished for longer has been reminded already.
RECENT_MONTHS = 13


def overdue(now: datetime, limit: int = 200) -> list[tuple[int, date]]:
    """(hub id, month) of closed months with movements, unpublished and not reminded, ended 15 days ago or more.

    One query finds the candidates loosely (in UTC, with a day to spare); each hub's zone decides exactly.
    """
    latest_month = (now - REMIND_AFTER + timedelta(days=1)).date().replace(day=1)
    # Every hub with a ledger, crossed with the year of months before `latest_month`: each pair is one probe of
    # the (hub_id, month) index, so the tick never scans a big hub's movements.
    window = [latest_month]
    for _ in range(RECENT_MONTHS):
        window.append((window[-1] - timedelta(days=1)).replace(day=1))
    months = db.union_all(*(db.select(db.literal(m, type_=db.Date).label("month")) for m in window[1:])).subquery()
    pair = (LedgerHead.hub_id, months.c.month)
    rows = db.session.execute(
        db.select(*pair).select_from(LedgerHead).join(months, db.true())
        .where(db.select(LedgerGroup.id).where(LedgerGroup.hub_id == pair[0], LedgerGroup.month == pair[1]).exists(),
               ~db.select(MonthReport.id).where(MonthReport.hub_id == pair[0], MonthReport.month == pair[1]).exists(),
               ~db.select(ReportReminder.id).where(ReportReminder.hub_id == pair[0],
                                                   ReportReminder.month == pair[1]).exists())
        .order_by(*pair).limit(limit)).all()
    hubs = {h.id: h for h in db.session.scalars(db.select(Hub).where(Hub.id.in_({r[0] for r in rows})))}
    return [(hub_id, month) for hub_id, month in rows if month_end(hubs[hub_id], month) + REMIND_AFTER <= now]


def claim_reminder(hub_id: int, month: date) -> bool:
    """Win the one reminder for this month: True for exactly one caller, ever."""
    return added_unless_taken(ReportReminder(hub_id=hub_id, month=month))
