"""The local gateway's checkout page, clearly marked TEST MODE, taking Stripe's test cards."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..errors import DomainError
from ..extensions import db
from ..forms import Form, show_error
from .gateway import GatewayError, gateway
from .local import LocalGateway

bp = Blueprint("local_checkout", __name__, url_prefix="/billing/test-checkout")


class CardForm(Form):
    card_number = StringField("Card number", validators=[DataRequired(), Length(max=30)],
                              render_kw={"inputmode": "numeric", "autocomplete": "cc-number"},
                              description="Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; "
                                          "4000 0000 0000 9995 has insufficient funds; 4000 0000 0000 0341 pays now "
                                          "and fails at renewal.")
    expiry = StringField("Expiry (MM/YY)", default="12/34", validators=[DataRequired(), Length(max=7)],
                         render_kw={"autocomplete": "cc-exp"})
    cvc = StringField("CVC", default="123", validators=[DataRequired(), Length(min=3, max=4)],
                      render_kw={"inputmode": "numeric", "autocomplete": "cc-csc"})


def _local() -> LocalGateway:
    gw = gateway()
    if not isinstance(gw, LocalGateway):
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
