"""The member's billing pages: memberships with their invoices and receipts, the test mode's printable receipt,
switching plans, the card and the renewal. Routes of the memberships blueprint (`views.bp`)."""
from __future__ import annotations

import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..billing.gateway import GatewayError
from ..billing.provider import gateway
from ..errors import DomainError
from ..extensions import db
from ..hubs.access import in_hub_or_404
from ..urls import external_url
from . import leaving, plan_switch
from .billing_receipts import plan_billed, reason_of, receipt_link
from .forms import CardForm, SwitchConfirmForm
from .models import LIVE_STATUSES, Membership
from .views import bp

#: What an invoice id looks like (in_…): anything else names no invoice and is never looked up.
REF = re.compile(r"in_[A-Za-z0-9_]{1,60}")


def _invoices(membership: Membership) -> list | None:
    """The membership's invoices, newest first; None when the provider could not be asked just now."""
    if not membership.subscription_ref:
        return []
    try:
        return gateway().list_invoices(membership.subscription_ref)
    except GatewayError:
        return None


@bp.get("/account/billing")
@login_required
def billing():
    memberships = db.session.scalars(
        db.select(Membership).where(Membership.user_id == current_user.id, Membership.status.in_(LIVE_STATUSES))
        .options(db.joinedload(Membership.hub), db.joinedload(Membership.plan)).order_by(Membership.id)
    ).all()
    rows = [(m, _invoices(m), plan_switch.options(m)) for m in memberships]
    return render_template("memberships/billing.html", rows=rows, local=gateway().takes_cards,
                           confirm=ConfirmForm(), card_form=CardForm(), reason_of=reason_of, receipt_link=receipt_link)


def _my_membership(membership_id: int) -> Membership:
    return in_hub_or_404(Membership, membership_id, user_id=current_user.id)


@bp.get("/account/billing/receipts/<invoice_ref>")
@login_required
def receipt(invoice_ref: str):
    """The test mode's printable receipt; shown only to the member whose subscription the invoice belongs to."""
    gw = gateway()
    invoice = gw.get_invoice(invoice_ref) if gw.takes_cards and REF.fullmatch(invoice_ref) else None
    membership = db.session.scalar(db.select(Membership).filter_by(
        subscription_ref=invoice.subscription_ref, user_id=current_user.id)) if invoice and invoice.subscription_ref \
        else None
    if membership is None:
        abort(404)
    return render_template("memberships/receipt.html", invoice=invoice, membership=membership,
                           plan=plan_billed(membership.hub_id, invoice, membership.plan), reason=reason_of(invoice))


@bp.route("/account/billing/<int:membership_id>/switch", methods=["GET", "POST"])
@login_required
def switch_plan(membership_id: int):
    """Choose a plan (GET), see the price difference (GET with `plan`), confirm it (POST)."""
    membership = _my_membership(membership_id)
    confirm = SwitchConfirmForm()
    try:
        if request.method == "POST":
            if not confirm.validate_on_submit():
                abort(400)
            plan = plan_switch.target(membership, confirm.plan.data)
            plan_switch.switch(membership, plan, plan_switch.proration_moment(confirm.at.data), actor=current_user)
            db.session.commit()
            flash(f"Switching to the {plan.name} plan: your plan changes as soon as the payment provider confirms, "
                  "and a receipt follows by e-mail.", "success")
            return redirect(url_for("memberships.billing"))
        if "plan" not in request.args:
            why = plan_switch.can_switch(membership)
            return render_template("memberships/switch.html", membership=membership, why=why,
                                   plans=plan_switch.options(membership)), 400 if why else 200
        plan = plan_switch.target(membership, request.args.get("plan"))
        moment = plan_switch.now()
        due = plan_switch.preview(membership, plan, moment)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("memberships.switch_plan", membership_id=membership.id)) \
            if plan_switch.can_switch(membership) is None else redirect(url_for("memberships.billing"))
    confirm.plan.data, confirm.at.data = str(plan.id), str(moment)
    return render_template("memberships/switch_confirm.html", membership=membership, plan=plan, due=due,
                           form=confirm)


@bp.post("/account/billing/<int:membership_id>/portal")
@login_required
def portal(membership_id: int):
    membership = _my_membership(membership_id)
    if not ConfirmForm().validate_on_submit() or not membership.customer_ref:
        abort(400)
    return redirect(gateway().portal_url(membership.customer_ref, external_url("memberships.billing")))


@bp.post("/account/billing/<int:membership_id>/<any(cancel, resume):action>")
@login_required
def renewal(membership_id: int, action: str):
    membership = _my_membership(membership_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        if action == "cancel":
            leaving.leave(membership, current_user, feedback=None)
            flash("Your membership ends at the end of the paid period.", "success")
        else:
            leaving.resume(membership, current_user)
            flash("Welcome back: your membership renews as before.", "success")
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("memberships.billing"))


@bp.post("/account/billing/<int:membership_id>/card")
@login_required
def card(membership_id: int):
    membership = _my_membership(membership_id)
    gw = gateway()
    form = CardForm()
    if not gw.takes_cards or not membership.customer_ref or not form.validate_on_submit():
        abort(400)
    try:
        gw.update_card(membership.customer_ref, form.card_number.data)
        db.session.commit()
        flash("Card updated.", "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("memberships.billing"))
