"""Organizer pages: the hub's cohorts, creating one, and changing its details, sessions or all of it."""
from __future__ import annotations

from dataclasses import fields
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..database import utcnow
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from ..hubs.access import Permission, can, hub_for, require
from . import services
from .checkins import participation
from .enrollment import remove
from .forms import CancelCohortForm, CohortDetailsForm, MoveSessionForm, NewCohortForm, RemoveForm
from .models import Enrollment, EnrollmentStatus
from .notices import people
from .views import cohort_for

bp = Blueprint("cohort_admin", __name__)


@bp.get("/h/<slug>/manage/cohorts")
def index(slug: str):
    hub = hub_for(slug, Permission.MODERATE)
    cohorts = services.hub_cohorts(hub.id)
    waiting = dict(db.session.execute(
        db.select(Enrollment.cohort_id, db.func.count(Enrollment.id))
        .where(Enrollment.cohort_id.in_([c.id for c in cohorts]), Enrollment.status == EnrollmentStatus.WAITING)
        .group_by(Enrollment.cohort_id)).all())
    return render_template("cohorts/manage_index.html", hub=hub, cohorts=cohorts, waiting=waiting,
                           is_organizer=can(hub, Permission.MANAGE))


@bp.route("/h/<slug>/manage/cohorts/new", methods=["GET", "POST"])
def new(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = NewCohortForm(timezone=hub.timezone)
    if form.validate_on_submit():
        info = services.CohortInfo(**{f.name: getattr(form, f.name).data for f in fields(services.CohortInfo)})
        try:
            cohort = services.create_cohort(hub, info, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            first = cohort.sessions[0].starts_at.astimezone(ZoneInfo(cohort.timezone))
            flash(f"{cohort.title} is open for enrollment with {cohort.weeks} sessions scheduled. "
                  f"First session: {first:%a %d %b %Y, %H:%M} ({cohort.timezone}).", "success")
            return redirect(url_for("cohort_admin.edit", slug=hub.slug, cohort_id=cohort.id))
    return render_template("cohorts/manage_new.html", hub=hub, form=form), 400 if form.errors else 200


def _page(hub, cohort, *, details=None, move=None, move_id=None, cancel=None, status=200):
    return render_template(
        "cohorts/manage_edit.html", hub=hub, cohort=cohort, is_organizer=can(hub, Permission.MANAGE),
        details=details or CohortDetailsForm(obj=cohort, formdata=None), move=move or MoveSessionForm(formdata=None),
        move_id=move_id, cancel=cancel or CancelCohortForm(formdata=None), remove=RemoveForm(formdata=None),
        members=people(cohort),
        waiting=people(cohort, EnrollmentStatus.WAITING), participation=participation(cohort),
        over=cohort.over, now=utcnow()), status


@bp.route("/h/<slug>/manage/cohorts/<int:cohort_id>", methods=["GET", "POST"])
def edit(slug: str, cohort_id: int):
    hub, cohort = cohort_for(slug, cohort_id, Permission.MODERATE)
    form = CohortDetailsForm(obj=cohort)
    if not form.is_submitted():
        return _page(hub, cohort)
    require(hub, Permission.MANAGE)
    if form.validate():
        try:
            services.update_cohort(cohort, title=form.title.data, goal=form.goal.data,
                                   meeting_link=form.meeting_link.data, capacity=form.capacity.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Saved.", "success")
            return redirect(url_for("cohort_admin.edit", slug=hub.slug, cohort_id=cohort.id))
    return _page(hub, cohort, details=form, status=400)


@bp.post("/h/<slug>/manage/cohorts/<int:cohort_id>/sessions/<int:session_id>/move")
def move_session(slug: str, cohort_id: int, session_id: int):
    hub, cohort = cohort_for(slug, cohort_id, Permission.MANAGE)
    form = MoveSessionForm()
    if form.validate_on_submit():
        try:
            session = services.move_session(cohort, session_id, form.day.data, form.starts_at_time.data,
                                            form.ends_at_time.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Week {session.week}'s session moved; everyone enrolled has been told.", "success")
            return redirect(url_for("cohort_admin.edit", slug=hub.slug, cohort_id=cohort.id))
    db.session.rollback()
    return _page(hub, cohort, move=form, move_id=session_id, status=400)


@bp.post("/h/<slug>/manage/cohorts/<int:cohort_id>/sessions/<int:session_id>/cancel")
def cancel_session(slug: str, cohort_id: int, session_id: int):
    return _confirmed(slug, cohort_id, lambda cohort: services.cancel_session(cohort, session_id, actor=current_user),
                      "The session is canceled; everyone enrolled has been told.")


@bp.post("/h/<slug>/manage/cohorts/<int:cohort_id>/cancel")
def cancel(slug: str, cohort_id: int):
    form = CancelCohortForm()
    return _confirmed(slug, cohort_id,
                      lambda cohort: services.cancel_cohort(cohort, actor=current_user, reason=form.reason.data),
                      "The cohort is canceled; everyone enrolled or waiting has been told.", form=form)


@bp.post("/h/<slug>/manage/cohorts/<int:cohort_id>/remove")
def remove_person(slug: str, cohort_id: int):
    form = RemoveForm()
    return _confirmed(slug, cohort_id,
                      lambda cohort: remove(cohort, form.enrollment_id.data, form.reason.data, actor=current_user),
                      "Done: the person is told, and their place went to the next person waiting, if anyone was.",
                      form=form)


def _confirmed(slug: str, cohort_id: int, action, done: str, form=None):
    hub, cohort = cohort_for(slug, cohort_id, Permission.MANAGE)
    form = form or ConfirmForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors or not form.errors:
            abort(400)
        flash(" ".join(next(iter(form.errors.values()))), "error")
        return redirect(url_for("cohort_admin.edit", slug=hub.slug, cohort_id=cohort.id))
    try:
        action(cohort)
        db.session.commit()
        flash(done, "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("cohort_admin.edit", slug=hub.slug, cohort_id=cohort.id))
