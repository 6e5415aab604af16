"""The public JSON API of a hub's transparency report: its months, and one month in detail."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify

from ..hubs.access import hub_for
from ..ledger.publishing import parse_month
from ..ledger.reports import SCHEMA_VERSION
from .public import public_month, public_months
from .scholarship_fund import public_fund

bp = Blueprint("transparency_api", __name__, url_prefix="/api/v1")

TOTALS = ("month", "currency", "opening", "income", "refunds", "spending", "closing")
DETAILS = ("income_by_source", "spending_by_category", "budgets", "adjustments")


def month_summary(document: dict, figures: dict) -> dict:
    return {**{key: figures[key] for key in TOTALS}, "final": document["final"],
            "reconciled": document["reconciled"], "hash": document["hash"]}


def month_detail(document: dict) -> dict:
    first, *others = document["currencies"]
    return {"schema_version": SCHEMA_VERSION, **month_summary(document, first),
            **{key: first[key] for key in DETAILS}, "note": document["note"],
            "published_at": document["published_at"], "differences": document["differences"],
            "scholarship_fund": public_fund(document),
            "other_currencies": [{**month_summary(document, f), **{k: f[k] for k in DETAILS}} for f in others]}


@bp.get("/hubs/<slug>/transparency")
def months(slug: str):
    hub = hub_for(slug)
    return jsonify({"schema_version": SCHEMA_VERSION, "hub": hub.slug, "currency": hub.currency,
                    "months": [month_summary(d, f) for d in public_months(hub) for f in d["currencies"]]})


@bp.get("/hubs/<slug>/transparency/<month>")
def month(slug: str, month: str):
    hub = hub_for(slug)
    when = parse_month(month)
    document = public_month(hub, when) if when else None
    if document is None:
        abort(404)
    return jsonify(month_detail(document))
