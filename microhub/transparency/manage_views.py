"""The organizers' reports page: closed months, and publishing them one by one, in order."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..errors import DomainError
from ..extensions import db
from ..hubs.access import Permission, hub_for
from ..ledger.publishing import parse_month
from ..ledger.reports import current_month, month_label, months
from .forms import PublishForm
from .publishing import publish

bp = Blueprint("transparency_admin", __name__)


def _page(hub, form=None, status=200):
    running = month_label(current_month(hub))
    closed = [m for m in months(hub) if m["month"] < running and m["currency"] == hub.currency]
    next_up = next((m["month"] for m in closed if not m["final"]), None)
    return render_template("transparency/manage.html", hub=hub, closed=list(reversed(closed)), next_up=next_up,
                           form=form or PublishForm(formdata=None), is_organizer=True), status


@bp.route("/h/<slug>/manage/money/reports", methods=["GET", "POST"])
def reports(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = PublishForm()
    if not form.is_submitted():
        return _page(hub)
    if not form.validate():
        return _page(hub, form, 400)
    month = parse_month(form.month.data)
    try:
        if month is None:
            raise DomainError("Say which month to publish, as YYYY-MM.", field="month")
        publish(hub, month, note=form.note.data or "", actor=current_user)
    except DomainError as error:
        db.session.rollback()
        form.month.errors = []  # hidden: its message is flashed instead
        flash(error.message, "error")
        return _page(hub, form, error.status_code)
    db.session.commit()
    flash(f"The report for {month:%B %Y} is published; members who want it get an e-mail.", "success")
    return redirect(url_for("transparency_admin.reports", slug=hub.slug))
