"""Giving to a hub's scholarship fund: the donation form (anyone, signed in or not) and the thank-you page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, session
from flask_login import current_user

from ..database import parse_id
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from ..hubs.access import hub_for, in_hub_or_404
from ..ledger import fund
from ..money import format_money
from . import donations
from .donation_forms import DonationForm
from .models import Donation

bp = Blueprint("donations", __name__)

#: Each network address may start this many donations: every one opens a checkout with the payment provider.
PER_ADDRESS = "10 per minute; 60 per hour"
#: The donations this browser started (the newest few): only they, and a signed-in donor's own, have a thank-you page.
_MINE, _KEEP = "donations", 20


@bp.route("/h/<slug>/scholarships/donate", methods=["GET", "POST"])
def donate(slug: str):
    hub = hub_for(slug)
    signed_in = current_user.is_authenticated
    form = DonationForm()
    low, high = donations.limits(hub.currency)
    form.amount.description = (f"In {hub.currency}, from {format_money(low, hub.currency)} to "
                               f"{format_money(high, hub.currency)}: for example 25 or 25.50.")
    if request.method == "GET" and signed_in:
        form.email.data, form.public_name.data = current_user.email, current_user.name
    status = 200
    if form.validate_on_submit():
        info = donations.DonationInfo(amount=form.amount.data, email=form.email.data, show_name=form.show_name.data,
                                      public_name=form.public_name.data)
        try:
            donation = donations.start(hub, info, user=current_user if signed_in else None)
            with current_app.extensions["microhub.limiter"].limit(PER_ADDRESS):  # counted once the gift is valid
                db.session.commit()
            _remember(donation.id)
            return redirect(donations.open_checkout(hub, donation))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status_code
    elif form.errors:
        status = 400
    cancelled = request.method == "GET" and parse_id(request.args.get("cancelled")) is not None
    return render_template("scholarships/donate.html", hub=hub, form=form, cancelled=cancelled,
                           fund=fund.balance(hub.id, hub.currency)), status


@bp.get("/h/<slug>/scholarships/donated/<int:donation_id>")
def donated(slug: str, donation_id: int):
    """Thanks, and "confirming…" until the payment's event marked the donation paid."""
    hub = hub_for(slug)
    donation = in_hub_or_404(Donation, donation_id, hub_id=hub.id)
    mine = donation.id in session.get(_MINE, []) or (
        current_user.is_authenticated and donation.user_id == current_user.id)
    if not mine:
        abort(404)  # another person's gift: its amount and name are theirs
    return render_template("scholarships/donated.html", hub=hub, donation=donation)


def _remember(donation_id: int) -> None:
    session[_MINE] = [*session.get(_MINE, []), donation_id][-_KEEP:]
