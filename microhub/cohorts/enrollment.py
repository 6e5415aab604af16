"""Enrollment: active members take a cohort's places atomically; a full cohort lines people up."""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup

from .. import audit, signals
from ..hubs.access import Permission, can, found_in_hub
from ..capacity import Places
from ..database import added_unless_taken, utcnow
from ..errors import Conflict, NotAllowed, NotFound, ValidationFailed
from ..extensions import db
from ..memberships.models import LIVE_STATUSES, Membership
from ..memberships.queries import live_membership
from ..urls import external_url
from .models import CheckIn, Cohort, CohortStatus, Enrollment, EnrollmentStatus
from .notices import tell

IN = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)


class CohortPlaces(Places):
    """A cohort's places, never more than its capacity; its waitlist, first come first, members only."""

    def __init__(self):
        super().__init__(counter=Cohort.seats_taken, limit=Cohort.capacity, line_scope=Enrollment.cohort_id,
                         line_order=Enrollment.queued_at, in_line=(EnrollmentStatus.WAITING,),
                         waiting=EnrollmentStatus.WAITING)

    def still_wants(self, enrollment: Enrollment) -> bool:
        if live_membership(enrollment.cohort.hub, enrollment.user) is None:
            set_status(enrollment, EnrollmentStatus.LEFT)  # no longer a member of the hub
            enrollment.left_at = utcnow()
            db.session.flush()
            return False
        return True

    def hand_over(self, enrollment: Enrollment) -> None:
        cohort = enrollment.cohort
        _seat(enrollment)
        db.session.flush()
        audit.record("cohort.promoted", enrollment, actor_label="waitlist", hub_id=cohort.hub_id,
                     cohort_id=cohort.id, user_id=enrollment.user_id)
        _welcome(enrollment, cohort, f"A place opened up: you are in {cohort.title}", "cohort_promoted")


PLACES = CohortPlaces()


def set_status(enrollment: Enrollment, status: EnrollmentStatus) -> None:
    """The one place an enrollment's status changes; the domains above hear of it."""
    before = enrollment.status
    enrollment.status = status
    if before is not status:
        signals.enrollment_changed.send(enrollment, before=before, after=status)


def can_see_inside(cohort: Cohort, user) -> bool:
    """A cohort's link, people, check-ins and calendar: for those enrolled and the hub's staff; nobody else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return can(cohort.hub, Permission.MODERATE, user) or is_enrolled(cohort, user)


def enrollment_of(cohort: Cohort, user) -> Enrollment | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(db.select(Enrollment).filter_by(cohort_id=cohort.id, user_id=user.id))


def is_enrolled(cohort: Cohort, user) -> bool:
    enrollment = enrollment_of(cohort, user)
    return enrollment is not None and enrollment.status is EnrollmentStatus.ENROLLED


def waiting_position(enrollment: Enrollment) -> int:
    return PLACES.position(enrollment)


def _check_open(cohort: Cohort) -> None:
    if not cohort.accepts_enrollment:
        raise Conflict("This cohort was canceled." if cohort.status is CohortStatus.CANCELED
                       else "Enrollment closed when this cohort started.")


def enroll(cohort: Cohort, user) -> Enrollment:
    """Take a place, or the cohort's waitlist when it is full (also when someone took the last place first)."""
    _check_open(cohort)
    if live_membership(cohort.hub, user) is None:
        raise NotAllowed(f"Cohorts are for members of {cohort.hub.name}. Join the hub first, then enroll.")
    enrollment = enrollment_of(cohort, user)
    if enrollment is not None and enrollment.status in IN:
        raise Conflict("You are enrolled already." if enrollment.status is EnrollmentStatus.ENROLLED
                       else "You are on this cohort's waitlist already.")
    before = enrollment.status if enrollment is not None else None
    if enrollment is None:
        enrollment = _first_enrollment(cohort, user)
    enrollment.queued_at, enrollment.left_at = utcnow(), None
    if PLACES.take(cohort.id):
        enrollment.status, enrollment.enrolled_at = EnrollmentStatus.ENROLLED, utcnow()
        _welcome(enrollment, cohort, f"You are in: {cohort.title}", "cohort_enrolled")
    else:
        enrollment.status = EnrollmentStatus.WAITING
    db.session.flush()
    signals.enrollment_changed.send(enrollment, before=before, after=enrollment.status)
    audit.record(f"cohort.{enrollment.status.value}", enrollment, actor=user, hub_id=cohort.hub_id,
                 cohort_id=cohort.id)
    return enrollment


def _first_enrollment(cohort: Cohort, user) -> Enrollment:
    enrollment = Enrollment(cohort_id=cohort.id, user_id=user.id, status=EnrollmentStatus.WAITING)
    if not added_unless_taken(enrollment):  # a double click: the first request enrolled them
        raise Conflict("You are enrolled already.")
    return enrollment


def _welcome(enrollment: Enrollment, cohort: Cohort, subject: str, template: str) -> None:
    tell(enrollment.user, cohort, subject, template, feed_link=external_url("calendars.settings"))


def _seat(enrollment: Enrollment) -> None:
    set_status(enrollment, EnrollmentStatus.ENROLLED)
    enrollment.enrolled_at = utcnow()


def leave(cohort: Cohort, user) -> Enrollment:
    """Give the place up before the start; the first person waiting takes it."""
    enrollment = enrollment_of(cohort, user)
    if enrollment is None or enrollment.status not in IN:
        raise Conflict("You are not enrolled in this cohort.")
    if enrollment.status is EnrollmentStatus.ENROLLED and not cohort.accepts_enrollment:
        raise Conflict("This cohort has started; to step out now, write to its organizers.")
    enrollment = db.session.get(Enrollment, enrollment.id, with_for_update=True, populate_existing=True)
    if enrollment.status not in IN:  # another request of theirs left first
        raise Conflict("You are not enrolled in this cohort.")
    _drop(enrollment, cohort, "cohort.left", actor=user)
    return enrollment


def remove(cohort: Cohort, enrollment_id, reason: str, *, actor) -> Enrollment:
    """An organizer takes someone out of the cohort (or its waitlist), saying why; they are told."""
    missing = "That person is not in this cohort or on its waitlist."
    enrollment = found_in_hub(Enrollment, enrollment_id, missing, lock=True, cohort_id=cohort.id)
    if enrollment.status not in IN:
        raise NotFound(missing)
    if cohort.over:
        raise Conflict("This cohort is over; its people can no longer change.")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationFailed("Say why (under 500 characters); the person is told and it goes into the audit log.",
                               field="reason")
    tell(enrollment.user, cohort, f"You are no longer in {cohort.title}", "cohort_removed", reason=reason)
    _drop(enrollment, cohort, "cohort.removed", actor=actor, user_id=enrollment.user_id, reason=reason)
    return enrollment


def places_in_hub(hub_id: int, user_id: int) -> list[dict]:
    """What leaving the hub would end for this person: each open or running cohort they are in or wait for,
    and how many check-ins they wrote there (two statements)."""
    rows = db.session.execute(
        db.select(Enrollment, Cohort).join(Enrollment.cohort)
        .where(Cohort.hub_id == hub_id, Enrollment.user_id == user_id, Enrollment.status.in_(IN),
               Cohort.status.in_((CohortStatus.OPEN, CohortStatus.RUNNING))).order_by(Cohort.starts_at)).all()
    counts = dict(db.session.execute(
        db.select(CheckIn.cohort_id, db.func.count(CheckIn.id))
        .where(CheckIn.user_id == user_id, CheckIn.cohort_id.in_([c.id for _, c in rows]))
        .group_by(CheckIn.cohort_id)).all()) if rows else {}
    return [{"cohort": cohort, "waiting": enrollment.status is EnrollmentStatus.WAITING,
             "checkins": counts.get(cohort.id, 0)} for enrollment, cohort in rows]


def what_leaving_ends(membership: Membership, *, ends) -> list[Markup]:
    """The leave page's cohort lines (a receiver of `leaving_consequences`)."""
    places = places_in_hub(membership.hub_id, membership.user_id)
    return [Markup(render_template("cohorts/_leaving.html", places=places, ends=ends))]


def membership_changed(membership: Membership, *, before, after) -> None:
    """Someone left the hub: they leave its open and running cohorts, and their places go to those waiting
    (a receiver of `membership_changed`)."""
    if before not in LIVE_STATUSES or after in LIVE_STATUSES:
        return
    rows = db.session.scalars(
        db.select(Enrollment).join(Enrollment.cohort)
        .where(Cohort.hub_id == membership.hub_id, Enrollment.user_id == membership.user_id,
               Enrollment.status.in_(IN), Cohort.status.in_((CohortStatus.OPEN, CohortStatus.RUNNING)))
        .with_for_update(of=Enrollment)).all()
    for enrollment in rows:
        _drop(enrollment, enrollment.cohort, "cohort.left", actor_label="membership ended")


def _drop(enrollment: Enrollment, cohort: Cohort, action: str, *, actor=None, actor_label=None, **details) -> None:
    """Take the person out (status left) and audit it; a place they held goes to the first person waiting."""
    was = enrollment.status
    set_status(enrollment, EnrollmentStatus.LEFT)
    enrollment.left_at = utcnow()
    db.session.flush()
    audit.record(action, enrollment, actor=actor, actor_label=actor_label, hub_id=cohort.hub_id,
                 cohort_id=cohort.id, was=was.value, **details)
    if was is EnrollmentStatus.ENROLLED:
        if cohort.accepts_enrollment:
            PLACES.release(cohort.id)
        else:
            PLACES.give_back(cohort.id)  # under way: nobody is let in after the start
