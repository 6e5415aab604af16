"""The public transparency page, its exports, and a member's choice about the report e-mail."""
from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..errors import DomainError
from ..extensions import db
from ..hubs.access import hub_for, require_login
from ..ledger.models import Account
from . import charts, exports
from .forms import ReportEmailForm
from .public import in_currency, public_months, reconciliation_text
from .publishing import set_report_emails, wants_report_emails
from .scholarship_fund import donors_text, seats_text

bp = Blueprint("transparency", __name__)


@bp.app_template_filter("month_name")
def month_name(first_day: str) -> str:
    """"2026-03-01" as "March 2026"."""
    return date.fromisoformat(first_day).strftime("%B %Y")


@bp.app_template_filter("account_label")
def account_label(value: str) -> str:
    return Account(value).label


@bp.get("/h/<slug>/transparency")
def show(slug: str):
    hub = hub_for(slug)
    documents = public_months(hub)
    return render_template("transparency/show.html", hub=hub, documents=documents,
                           month_chart=charts.by_month(documents, hub.currency),
                           category_chart=charts.by_category(documents, hub.currency),
                           in_currency=in_currency, reconciliation_text=reconciliation_text,
                           donors_text=donors_text, seats_text=seats_text)


def _download(hub, fmt: str, what: str, make):
    """An export file: `make(selection, fmt)` gives the CSV text or the JSON document of what the query asks for."""
    if fmt not in ("csv", "json"):
        return Response(f"Exports come as {what}.csv or {what}.json.\n", 404, mimetype="text/plain")
    try:
        chosen = exports.selection(hub, request.args)
    except DomainError as error:
        return Response(error.message + "\n", error.status_code, mimetype="text/plain")
    made = make(chosen, fmt)
    body, mimetype = (made, "text/csv") if fmt == "csv" else (json.dumps(made, indent=1), "application/json")
    filename = f"{hub.slug}-{what}-{chosen.name}.{fmt}"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/h/<slug>/transparency/movements.<fmt>")
def movements(slug: str, fmt: str):
    hub = hub_for(slug)

    def make(chosen: exports.Selection, fmt: str):
        rows = exports.movements(hub, chosen.conditions)
        if fmt == "csv":
            return exports.as_csv(rows)
        return exports.as_json(hub, chosen.name, rows, exports.fund_months(hub, chosen))
    return _download(hub, fmt, "movements", make)


@bp.get("/h/<slug>/transparency/fund.<fmt>")
def fund(slug: str, fmt: str):
    """The scholarship fund of each month a month or a date range touches."""
    hub = hub_for(slug)

    def make(chosen: exports.Selection, fmt: str):
        months = exports.fund_months(hub, chosen)
        return exports.fund_as_csv(months) if fmt == "csv" else exports.fund_as_json(hub, chosen.name, months)
    return _download(hub, fmt, "fund", make)


@bp.route("/h/<slug>/report-emails", methods=["GET", "POST"])
def report_emails(slug: str):
    hub = hub_for(slug)
    require_login()
    wanted = wants_report_emails(hub.id, current_user.id)
    form = ReportEmailForm(choice="send" if wanted else "stop")
    if form.validate_on_submit():
        set_report_emails(hub, current_user, wanted=form.choice.data == "send")
        db.session.commit()
        flash("You will get an e-mail when a monthly report is out." if form.choice.data == "send"
              else f"No more report e-mails from {hub.name}.", "success")
        return redirect(url_for("transparency.report_emails", slug=hub.slug))
    return render_template("transparency/report_emails.html", hub=hub, form=form), 400 if form.errors else 200
