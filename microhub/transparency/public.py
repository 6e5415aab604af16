"""What the public sees: published months as frozen, and the running month live, marked not final.

Unpublished past months never leave this module: every page, export and API answer goes through it.
"""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..hubs.models import Hub
from ..ledger.publishing import unpublished_before
from ..ledger.report_models import MonthReport, Reconciliation
from ..ledger.reports import current_month, figures_for, month_label
from .scholarship_fund import add_organizer_seats

#: The months the charts show.
CHART_MONTHS = 12


def _reconciliations(hub_id: int) -> dict[str, int]:
    return {month_label(m): d for m, d in db.session.execute(
        db.select(Reconciliation.month, Reconciliation.differences).where(Reconciliation.hub_id == hub_id))}


def _document(figures: dict, report: MonthReport | None, differences: int | None) -> dict:
    return {**figures, "final": report is not None, "note": report.note if report else "",
            "published_at": report.published_at.isoformat() if report else None,
            "reconciled": None if differences is None else differences == 0, "differences": differences}


def public_months(hub: Hub) -> list[dict]:
    """Every published month (frozen figures) and the running month (live), newest first; a fixed few queries
    (the seats the organizers funded, for months that did not freeze them, in one)."""
    reports = list(db.session.scalars(db.select(MonthReport).where(MonthReport.hub_id == hub.id)
                                      .order_by(MonthReport.month.desc())))
    checked = _reconciliations(hub.id)
    running = current_month(hub)
    found = []
    if not reports or reports[0].month < running:
        document = _document(figures_for(hub, running), None, checked.get(month_label(running)))
        # Its opening balance then carries months the public does not see: say so, without saying which.
        document["carries_unpublished"] = unpublished_before(hub.id, running) is not None
        found.append(document)
    found += [_document(r.figures, r, checked.get(month_label(r.month))) for r in reports]
    add_organizer_seats(hub, found)
    return found


def public_month(hub: Hub, month: date) -> dict | None:
    """One month as the public may see it, or None: a past month nobody published is not shown."""
    report = db.session.scalar(db.select(MonthReport).filter_by(hub_id=hub.id, month=month))
    if report is None and month != current_month(hub):
        return None
    differences = db.session.scalar(db.select(Reconciliation.differences).filter_by(hub_id=hub.id, month=month))
    document = _document(report.figures if report else figures_for(hub, month), report, differences)
    add_organizer_seats(hub, [document])
    return document


def visible_months(hub: Hub):
    """A SQL condition on a month column: published, or the running month."""
    published = db.select(MonthReport.month).where(MonthReport.hub_id == hub.id)
    return lambda column: db.or_(column.in_(published), column == current_month(hub))


def in_currency(document: dict, currency: str) -> dict | None:
    return next((c for c in document["currencies"] if c["currency"] == currency), None)


def reconciliation_text(document: dict) -> str:
    if document["differences"] is None:
        return "not checked yet"
    if document["differences"] == 0:
        return "reconciled"
    return f"{document['differences']} difference{'s' if document['differences'] != 1 else ''}"
