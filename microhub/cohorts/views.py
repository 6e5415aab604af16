"""Members' cohort pages: the hub's open cohorts, one cohort's page, enrolling and leaving."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .. import signals
from ..hubs.access import Permission, can, hub_for, in_hub_or_404, require_login
from ..accounts.forms import ConfirmForm
from ..database import utcnow
from ..errors import DomainError
from ..extensions import db
from . import enrollment as enrolling
from .checkins import current_week
from .models import Cohort, CohortStatus, Enrollment, EnrollmentStatus
from .notices import people, zone_for

bp = Blueprint("cohorts", __name__)


def cohort_for(slug: str, cohort_id: int, permission: Permission | None = None, *, inside: bool = False) -> tuple:
    """(hub, cohort) from the URL, or 404; `permission` in the hub is needed, and with `inside` the viewer must
    be enrolled or staff (else 403)."""
    hub = hub_for(slug, permission)
    cohort = in_hub_or_404(Cohort, cohort_id, hub_id=hub.id)
    if inside:
        require_login()
        if not enrolling.can_see_inside(cohort, current_user):
            abort(403)
    return hub, cohort


@bp.get("/h/<slug>/cohorts")
def index(slug: str):
    hub = hub_for(slug)
    now = utcnow()
    cohorts = db.session.scalars(
        db.select(Cohort).where(Cohort.hub_id == hub.id, Cohort.status.in_((CohortStatus.OPEN, CohortStatus.RUNNING)))
        .order_by(Cohort.starts_at, Cohort.id)).all()
    mine = {}
    if current_user.is_authenticated:
        mine = dict(db.session.execute(
            db.select(Enrollment.cohort_id, Enrollment.status)
            .where(Enrollment.user_id == current_user.id, Enrollment.cohort_id.in_([c.id for c in cohorts]))).all())
    open_cohorts = [c for c in cohorts if c.status is CohortStatus.OPEN and c.starts_at > now]
    running = [c for c in cohorts if c not in open_cohorts]
    return render_template("cohorts/index.html", hub=hub, open_cohorts=open_cohorts, running=running, mine=mine,
                           is_member=can(hub, Permission.TAKE_PART), is_staff=can(hub, Permission.MODERATE))


@bp.get("/h/<slug>/cohorts/<int:cohort_id>")
def show(slug: str, cohort_id: int):
    hub, cohort = cohort_for(slug, cohort_id)
    mine = enrolling.enrollment_of(cohort, current_user)
    inside = enrolling.can_see_inside(cohort, current_user)
    position = enrolling.waiting_position(mine) if mine and mine.status is EnrollmentStatus.WAITING else None
    return render_template(
        "cohorts/show.html", hub=hub, cohort=cohort, mine=mine, inside=inside, position=position,
        members=people(cohort) if inside else [], zone=zone_for(current_user, cohort), now=utcnow(),
        week=current_week(cohort), is_member=can(hub, Permission.TAKE_PART),
        is_staff=can(hub, Permission.MODERATE), confirm=ConfirmForm(), sponsor_blocks=sponsor_blocks(hub))


def sponsor_blocks(hub) -> list:
    """The sponsors of the cohort pages, from whoever answers (the sponsors domain, above this one)."""
    user = current_user if current_user.is_authenticated else None
    return [block for _, block in signals.sponsor_blocks_asked.send(hub, where="cohort_pages", user=user) if block]


def _act(slug: str, cohort_id: int, action):
    hub, cohort = cohort_for(slug, cohort_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        result = action(cohort, current_user)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("cohorts.show", slug=hub.slug, cohort_id=cohort.id)), None
    return redirect(url_for("cohorts.show", slug=hub.slug, cohort_id=cohort.id)), result


@bp.post("/h/<slug>/cohorts/<int:cohort_id>/enroll")
@login_required
def enroll(slug: str, cohort_id: int):
    response, enrollment = _act(slug, cohort_id, enrolling.enroll)
    if enrollment is not None:
        if enrollment.status is EnrollmentStatus.ENROLLED:
            flash(f"You are in. {enrollment.cohort.title} starts {_day(enrollment.cohort)}.", "success")
        else:
            number = enrolling.waiting_position(enrollment)
            flash(f"The cohort is full, so you are number {number} on its waitlist. "
                  "If a place opens before it starts, it is yours and we e-mail you.", "info")
    return response


@bp.post("/h/<slug>/cohorts/<int:cohort_id>/leave")
@login_required
def leave(slug: str, cohort_id: int):
    response, enrollment = _act(slug, cohort_id, enrolling.leave)
    if enrollment is not None:
        flash("You left the cohort; your place went to the next person waiting, if anyone was."
              if enrollment.enrolled_at else "You left the cohort's waitlist.", "success")
    return response


def _day(cohort: Cohort) -> str:
    first = cohort.sessions[0].starts_at if cohort.sessions else cohort.starts_at
    return first.astimezone(ZoneInfo(zone_for(current_user, cohort))).strftime("%a %d %b at %H:%M %Z")
