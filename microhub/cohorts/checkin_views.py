"""Check-in pages: a week's check-ins with replies and the member's own form, and the closing retro."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..hubs.access import Permission, can
from ..errors import DomainError, NotFound
from ..extensions import db
from ..forms import show_error
from . import checkins
from .checkin_forms import CheckInForm, ReplyForm, RetroForm
from .enrollment import is_enrolled
from .notices import zone_for
from .views import cohort_for

bp = Blueprint("checkins", __name__)


def _week_page(hub, cohort, week: int, *, form: CheckInForm | None = None, reply_form: ReplyForm | None = None,
               replying_to: int | None = None, status: int = 200):
    entries = checkins.week_checkins(cohort, week)
    enrolled = is_enrolled(cohort, current_user)
    mine = next((c for c in entries if c.user_id == current_user.id), None)
    if form is None and enrolled:
        form = CheckInForm(formdata=None, obj=mine)
    return render_template(
        "cohorts/week.html", hub=hub, cohort=cohort, week=week, checkins=entries, mine=mine,
        form=form if enrolled else None, reply_form=reply_form or ReplyForm(formdata=None), replying_to=replying_to,
        current_week=checkins.current_week(cohort), zone=zone_for(current_user, cohort),
        participation=checkins.participation(cohort) if can(hub, Permission.MODERATE) else None), status


@bp.route("/h/<slug>/cohorts/<int:cohort_id>/weeks/<int:week>", methods=["GET", "POST"])
def week(slug: str, cohort_id: int, week: int):
    hub, cohort = cohort_for(slug, cohort_id, inside=True)
    if not 1 <= week <= cohort.weeks:
        abort(404)
    form = CheckInForm()
    if not form.validate_on_submit():
        if form.is_submitted():  # shown next to its field, e.g. a control character pasted into the text
            return _week_page(hub, cohort, week, form=form, status=400)
        return _week_page(hub, cohort, week)
    try:
        checkins.post_checkin(cohort, current_user, week, form.progress.data, form.blocker.data, form.next_step.data)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _week_page(hub, cohort, week, form=form, status=error.status_code)
    db.session.commit()
    flash(f"Your week {week} check-in is saved. Peers can read it now.", "success")
    return redirect(url_for("checkins.week", slug=hub.slug, cohort_id=cohort.id, week=week))


@bp.post("/h/<slug>/cohorts/<int:cohort_id>/checkins/<int:checkin_id>/replies")
def reply(slug: str, cohort_id: int, checkin_id: int):
    hub, cohort = cohort_for(slug, cohort_id, inside=True)
    try:
        checkin = checkins.checkin_in(cohort, checkin_id)
    except NotFound:
        abort(404)
    week, form = checkin.week, ReplyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        checkins.reply(cohort, current_user, checkin.id, form.body.data)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _week_page(hub, cohort, week, reply_form=form, replying_to=checkin_id, status=error.status_code)
    db.session.commit()
    flash("Your reply is posted.", "success")
    return redirect(url_for("checkins.week", slug=hub.slug, cohort_id=cohort.id, week=week,
                            _anchor=f"checkin-{checkin_id}"))


@bp.route("/h/<slug>/cohorts/<int:cohort_id>/retro", methods=["GET", "POST"])
def retro(slug: str, cohort_id: int):
    hub, cohort = cohort_for(slug, cohort_id, inside=True)
    enrolled = is_enrolled(cohort, current_user)
    form = RetroForm(obj=checkins.retro_of(cohort, current_user) if enrolled else None)
    status = 200
    if form.validate_on_submit():
        try:
            checkins.save_retro(cohort, current_user, form.worked.data, form.did_not_work.data, form.won.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
            status = error.status_code
        else:
            db.session.commit()
            flash("Thank you: your retro is saved.", "success")
            return redirect(url_for("checkins.retro", slug=hub.slug, cohort_id=cohort.id))
    return render_template(
        "cohorts/retro.html", hub=hub, cohort=cohort, form=form if enrolled else None,
        retro_open=checkins.retro_open(cohort), zone=zone_for(current_user, cohort),
        retros=checkins.retros(cohort) if can(hub, Permission.MODERATE) else None,
        last_session=cohort.sessions[-1] if cohort.sessions else None), status
