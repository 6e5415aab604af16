"""Waitlist pages: join the line, leave it, take or decline an offer; organizers order the line."""
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms import HiddenField, IntegerField, StringField
from wtforms.validators import Optional

from ..hubs.access import Permission, can, hub_for
from ..accounts.forms import ConfirmForm
from ..billing.services import hub_plans
from ..errors import DomainError
from ..extensions import db
from ..forms import Form, show_error
from . import joining, waitlist
from .forms import JoinForm

bp = Blueprint("waitlist", __name__)


class MoveForm(Form):
    # The service checks every value, so a bad one gets its own clear message.
    entry_id = HiddenField()
    position = IntegerField("Move to position", validators=[Optional()])
    reason = StringField("Reason (kept in the audit log)")


@bp.post("/h/<slug>/waitlist")
@login_required
def join(slug: str):
    hub = hub_for(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        waitlist.join(hub, current_user)
        db.session.commit()
        flash(f"You are number {waitlist.waitlist_position(hub.id, current_user.id)} on the waitlist.", "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("memberships.join", slug=hub.slug))


@bp.post("/h/<slug>/waitlist/leave")
@login_required
def leave(slug: str):
    hub = hub_for(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    waitlist.leave(hub, current_user)
    db.session.commit()
    flash("You left the waitlist.", "success")
    return redirect(url_for("hubpage.show", slug=hub.slug))


def _my_offer(hub, token: str):
    offer = waitlist.offer_for(hub, current_user, token)
    if offer is None:
        abort(404)
    return offer


def _gone(hub, error: DomainError):
    return render_template("memberships/waitlist_gone.html", hub=hub, message=error.message), error.status_code


@bp.route("/h/<slug>/waitlist/offer/<token>", methods=["GET", "POST"])
@login_required
def accept(slug: str, token: str):
    hub = hub_for(slug)
    offer = _my_offer(hub, token)
    try:
        waitlist.check_open(offer)
    except DomainError as error:
        return _gone(hub, error)
    plans = hub_plans(hub.id)
    form = JoinForm()
    form.plan.choices = [(str(p.id), p.name) for p in plans]
    if form.validate_on_submit():
        try:
            hold = joining.accept_offer(hub, current_user, offer, form.plan.data)
            db.session.commit()  # the seat is the hold's before we talk to the payment provider
        except waitlist.OfferGone as error:
            db.session.rollback()
            return _gone(hub, error)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            return redirect(joining.open_checkout(hub, hold, current_user))
    return render_template("memberships/waitlist_offer.html", hub=hub, offer=offer, token=token, plans=plans,
                           form=form, decline_form=ConfirmForm()), 400 if form.errors else 200


@bp.post("/h/<slug>/waitlist/offer/<token>/decline")
@login_required
def decline(slug: str, token: str):
    hub = hub_for(slug)
    offer = _my_offer(hub, token)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        waitlist.decline(offer, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _gone(hub, error)
    flash("Thanks for letting us know: the seat goes to the next person in line.", "success")
    return redirect(url_for("hubpage.show", slug=hub.slug))


def _manage_page(hub, form: MoveForm, status: int = 200):
    people = waitlist.line(hub.id)
    return render_template("memberships/waitlist_manage.html", hub=hub, people=people, form=form,
                           is_organizer=can(hub, Permission.MANAGE)), status


@bp.get("/h/<slug>/manage/waitlist")
def manage(slug: str):
    hub = hub_for(slug, Permission.MODERATE)
    return _manage_page(hub, MoveForm(formdata=None))


@bp.post("/h/<slug>/manage/waitlist/move")
def move(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = MoveForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors or not form.position.errors:
            abort(400)
        flash("Give the position as a whole number.", "error")
        return _manage_page(hub, form, 400)
    try:
        entry = waitlist.move(hub, form.entry_id.data, form.position.data, form.reason.data, actor=current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return _manage_page(hub, form, 400)
    flash(f"{entry.user.name} is now number {waitlist.waitlist_position(hub.id, entry.user_id)} in line.", "success")
    return redirect(url_for("waitlist.manage", slug=hub.slug))
