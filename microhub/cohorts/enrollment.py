"""Enrollment: active members take a cohort's places atomically; a full cohort lines people up."""
from __future__ import annotations

from .. import audit
from ..database import added_unless_taken, give_back_one, parse_id, take_one, utcnow
from ..errors import Conflict, NotAllowed, ValidationFailed
from ..extensions import db
from ..memberships.services import live_membership
from .models import CheckIn, Cohort, CohortStatus, Enrollment, EnrollmentStatus

IN = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)


def enrollment_of(cohort: Cohort, user) -> Enrollment | None:
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(db.select(Enrollment).filter_by(cohort_id=cohort.id, user_id=user.id))


def is_enrolled(cohort: Cohort, user) -> bool:
    enrollment = enrollment_of(cohort, user)
    return enrollment is not None and enrollment.status is EnrollmentStatus.ENROLLED


def waiting_position(cohort: Cohort, enrollment: Enrollment) -> int:
    ahead = db.session.scalar(db.select(db.func.count(Enrollment.id)).where(
        Enrollment.cohort_id == cohort.id, Enrollment.status == EnrollmentStatus.WAITING,
        db.or_(Enrollment.queued_at < enrollment.queued_at,
               db.and_(Enrollment.queued_at == enrollment.queued_at, Enrollment.id < enrollment.id))))
    return ahead + 1


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
    if enrollment is None:
        enrollment = _first_enrollment(cohort, user)
    enrollment.queued_at, enrollment.left_at = utcnow(), None
    if take_one(Cohort.seats_taken, Cohort.capacity, cohort.id):
        _seat(enrollment)
        _welcome(enrollment, cohort, f"You are in: {cohort.title}", "cohort_enrolled")
    else:
        enrollment.status = EnrollmentStatus.WAITING
    db.session.flush()
    audit.record(f"cohort.{enrollment.status.value}", enrollment, actor=user, hub_id=cohort.hub_id,
                 cohort_id=cohort.id)
    return enrollment


def _first_enrollment(cohort: Cohort, user) -> Enrollment:
    enrollment = Enrollment(cohort_id=cohort.id, user_id=user.id, status=EnrollmentStatus.WAITING)
    if not added_unless_taken(enrollment):  # a double click: the first request enrolled them
        raise Conflict("You are enrolled already.")
    return enrollment


def _welcome(enrollment: Enrollment, cohort: Cohort, subject: str, template: str) -> None:
    from ..urls import external_url
    from .notices import tell

    tell(enrollment.user, cohort, subject, template, feed_link=external_url("calendars.settings"))


def _seat(enrollment: Enrollment) -> None:
    enrollment.status = EnrollmentStatus.ENROLLED
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
    enrollment = db.session.get(Enrollment, parse_id(enrollment_id), with_for_update=True, populate_existing=True) \
        if parse_id(enrollment_id) else None
    if enrollment is None or enrollment.cohort_id != cohort.id or enrollment.status not in IN:
        raise ValidationFailed("That person is not in this cohort or on its waitlist.")
    if cohort.over:
        raise Conflict("This cohort is over; its people can no longer change.")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationFailed("Say why (under 500 characters); the person is told and it goes into the audit log.",
                               field="reason")
    from .notices import tell

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


def membership_ended(hub_id: int, user_id: int) -> None:
    """Someone left the hub: they leave its open and running cohorts, and their places go to those waiting."""
    rows = db.session.scalars(
        db.select(Enrollment).join(Enrollment.cohort)
        .where(Cohort.hub_id == hub_id, Enrollment.user_id == user_id, Enrollment.status.in_(IN),
               Cohort.status.in_((CohortStatus.OPEN, CohortStatus.RUNNING)))
        .with_for_update(of=Enrollment)).all()
    for enrollment in rows:
        _drop(enrollment, enrollment.cohort, "cohort.left", actor_label="membership ended")


def _drop(enrollment: Enrollment, cohort: Cohort, action: str, *, actor=None, actor_label=None, **details) -> None:
    """Take the person out (status left) and audit it; a place they held goes to the first person waiting."""
    was = enrollment.status
    enrollment.status, enrollment.left_at = EnrollmentStatus.LEFT, utcnow()
    db.session.flush()
    audit.record(action, enrollment, actor=actor, actor_label=actor_label, hub_id=cohort.hub_id,
                 cohort_id=cohort.id, was=was.value, **details)
    if was is EnrollmentStatus.ENROLLED:
        give_back_one(Cohort.seats_taken, cohort.id)
        if cohort.accepts_enrollment:
            fill_free_seats(cohort)


def _next_waiting(cohort: Cohort) -> Enrollment | None:
    # Locked, skipping rows a concurrent promotion holds, so one freed place never goes to two people.
    return db.session.scalar(
        db.select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.status == EnrollmentStatus.WAITING)
        .order_by(Enrollment.queued_at, Enrollment.id).limit(1)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True))


def fill_free_seats(cohort: Cohort) -> list[Enrollment]:
    """Move people from the waitlist into free places, first come first; members only."""
    promoted = []
    while take_one(Cohort.seats_taken, Cohort.capacity, cohort.id):
        enrollment = _next_waiting(cohort)
        while enrollment is not None and live_membership(cohort.hub, enrollment.user) is None:
            enrollment.status, enrollment.left_at = EnrollmentStatus.LEFT, utcnow()  # no longer a member
            db.session.flush()
            enrollment = _next_waiting(cohort)
        if enrollment is None:
            give_back_one(Cohort.seats_taken, cohort.id)
            break
        _seat(enrollment)
        db.session.flush()
        audit.record("cohort.promoted", enrollment, actor_label="waitlist", hub_id=cohort.hub_id,
                     cohort_id=cohort.id, user_id=enrollment.user_id)
        _welcome(enrollment, cohort, f"A place opened up: you are in {cohort.title}", "cohort_promoted")
        promoted.append(enrollment)
    return promoted
