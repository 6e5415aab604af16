"""Waitlist pages for members: join the line, leave it."""
from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..errors import DomainError
from ..extensions import db
from ..hubs.access import hub_for
from . import waitlist

bp = Blueprint("waitlist", __name__)


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
    return redirect(url_for("hubs.show", slug=hub.slug))
