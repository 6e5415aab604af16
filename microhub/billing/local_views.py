"""The local gateway's checkout page, clearly marked TEST MODE, taking Stripe's test cards."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template

from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from .forms import CardForm
from .gateway import GatewayError
from .local import LocalGateway
from .provider import local_gateway

bp = Blueprint("local_checkout", __name__, url_prefix="/billing/test-checkout")


def _local() -> LocalGateway:
    gw = local_gateway()
    if gw is None:
        abort(404)  # with Stripe configured, Stripe's own checkout is the only one
    return gw


@bp.route("/<ref>", methods=["GET", "POST"])
def page(ref: str):
    gw = _local()
    try:
        session = gw.session(ref)
    except GatewayError:
        abort(404)
    db.session.commit()  # an expiry noticed just now is kept
    form = CardForm()
    if session["status"] == "open" and form.validate_on_submit():
        try:
            session = gw.pay(ref, form.card_number.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            return redirect(session["success_url"])
    status = 400 if form.errors else 200
    return render_template("billing/test_checkout.html", session=session, form=form), status
