"""Join, confirm, cancel, billing and leave pages."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import signals
from ..hubs.access import Permission, hub_for, in_hub_or_404
from ..accounts.forms import ConfirmForm
from ..billing.provider import gateway
from ..billing.services import hub_plans
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from . import joining, leaving
from .forms import JoinForm, LeaveForm
from .models import LIVE_STATUSES, HoldStatus, Membership
from .queries import live_membership, open_hold
from .waitlist import waitlist_position

bp = Blueprint("memberships", __name__)


@bp.route("/h/<slug>/join", methods=["GET", "POST"])
@login_required
def join(slug: str):
    hub = hub_for(slug)
    if live_membership(hub, current_user) is not None:
        flash(f"You are a member of {hub.name} already.", "info")
        return redirect(url_for("hubpage.show", slug=hub.slug))
    plans = hub_plans(hub.id)
    form = JoinForm()
    form.plan.choices = [(str(p.id), p.name) for p in plans]
    held = open_hold(hub.id, current_user.id)
    status = 200
    if form.validate_on_submit():
        try:
            hold = joining.start_join(hub, current_user, form.plan.data)
            db.session.commit()  # the seat is ours before we talk to the payment provider
            return redirect(joining.open_checkout(hub, hold, current_user))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status_code
    elif form.errors:
        status = 400
    return render_template("memberships/join.html", hub=hub, plans=plans, form=form, held=held,
                           cancel_form=ConfirmForm(),
                           position=waitlist_position(hub.id, current_user.id),
                           waitlist_form=ConfirmForm()), status


@bp.get("/h/<slug>/join/<int:hold_id>/confirming")
@login_required
def confirming(slug: str, hold_id: int):
    hub = hub_for(slug)
    hold = _my_hold(hub, hold_id)
    membership = live_membership(hub, current_user)
    return render_template("memberships/confirming.html", hub=hub, hold=hold, membership=membership,
                           cancel_form=ConfirmForm())


@bp.route("/h/<slug>/join/<int:hold_id>/cancelled", methods=["GET", "POST"])
@login_required
def cancelled(slug: str, hold_id: int):
    """Back from checkout without paying: the page offers to free the seat; only its POST does."""
    hub = hub_for(slug)
    hold = _my_hold(hub, hold_id)
    form = ConfirmForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if hold.status is HoldStatus.HELD:
            joining.cancel_checkout(hold, current_user)
            db.session.commit()
        flash("Payment cancelled; the seat we kept for you is free again.", "info")
        return redirect(url_for("hubpage.show", slug=hub.slug))
    return render_template("memberships/cancelled.html", hub=hub, hold=hold, form=form)


def _my_hold(hub, hold_id):
    try:
        return joining.hold_of(current_user, hub, hold_id)
    except DomainError:
        abort(404)


@bp.route("/h/<slug>/leave", methods=["GET", "POST"])
@login_required
def leave(slug: str):
    hub = hub_for(slug, Permission.TAKE_PART)
    membership = live_membership(hub, current_user)
    form = LeaveForm()
    if form.validate_on_submit():
        try:
            leaving.leave(membership, current_user, feedback=form.feedback.data)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            flash(f"Thank you for being part of {hub.name}. "
                  + ("Your seat stays yours until the paid period ends." if membership.status in LIVE_STATUSES
                     else "Your seat is released.") + " We sent you an e-mail with the details.", "success")
            return redirect(url_for("hubpage.show", slug=hub.slug))
    ends = leaving.seat_ends(membership)
    more = [item for _, items in signals.leaving_consequences.send(membership, ends=ends) for item in items or ()]
    return render_template("memberships/leave.html", hub=hub, membership=membership, form=form, ends=ends,
                           consequences=more)


@bp.post("/h/<slug>/manage/members/<int:membership_id>/advance")
def advance(slug: str, membership_id: int):
    """Organizer-only test action (local gateway): jump a member's subscription to its renewal."""
    hub = hub_for(slug, Permission.MANAGE)
    gw = gateway()
    membership = in_hub_or_404(Membership, membership_id, hub_id=hub.id)
    if not gw.has_test_clock or not membership.subscription_ref or not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = gw.advance_period(membership.subscription_ref)
    db.session.commit()
    flash(f"Test clock: {membership.user.name}'s subscription {outcome.replace('_', ' ')}.", "success")
    return redirect(url_for("hubpage.manage", slug=hub.slug))


from . import billing_views  # noqa: E402,F401  the billing pages' routes live on this blueprint
