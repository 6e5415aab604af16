"""E-mail to the people in a cohort, each with times in their own time zone."""
from __future__ import annotations

from ..email import send_email
from ..extensions import db
from ..urls import external_url
from .models import Cohort, Enrollment, EnrollmentStatus


def zone_for(user, cohort: Cohort) -> str:
    """The zone to show `user` the cohort's times in: their own if they set one, else the cohort's."""
    zone = getattr(user, "timezone", None) if getattr(user, "is_authenticated", True) else None
    return zone if zone and zone != "UTC" else cohort.timezone


def people(cohort: Cohort, *statuses: EnrollmentStatus) -> list[Enrollment]:
    statuses = statuses or (EnrollmentStatus.ENROLLED,)
    return list(db.session.scalars(
        db.select(Enrollment).where(Enrollment.cohort_id == cohort.id, Enrollment.status.in_(statuses))
        .options(db.joinedload(Enrollment.user)).order_by(Enrollment.queued_at, Enrollment.id)))


def tell(user, cohort: Cohort, subject: str, template: str, **context) -> None:
    send_email(user.email, subject, template, user=user, cohort=cohort, hub=cohort.hub,
               zone=zone_for(user, cohort),
               cohort_link=external_url("cohorts.show", slug=cohort.hub.slug, cohort_id=cohort.id), **context)


def tell_members(cohort: Cohort, subject: str, template: str, *,
                 statuses: tuple[EnrollmentStatus, ...] = (EnrollmentStatus.ENROLLED,),
                 skip_users: frozenset[int] = frozenset(), **context) -> int:
    """One message per person in `statuses` (enrolled, by default), but `skip_users`; returns how many were queued."""
    enrollments = [e for e in people(cohort, *statuses) if e.user_id not in skip_users]
    for enrollment in enrollments:
        tell(enrollment.user, cohort, subject, template, enrollment=enrollment, **context)
    return len(enrollments)
