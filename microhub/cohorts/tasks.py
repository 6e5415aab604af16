"""Cohorts' periodic work (listed in `microhub.wiring.PERIODIC_TASKS`): find due work, enqueue one job per item.

Each job first wins its marker with one conditional UPDATE (a status change, or a `*_at IS NULL`
column set to now) and only then queues its e-mail, in the same transaction. Two ticks at once, a job
run twice, or a Redis flush that lost queued jobs all end the same way: the next tick finds what is
still unmarked, and whatever is marked was sent exactly once.
"""
from __future__ import annotations

from datetime import timedelta

from .. import audit, jobs
from ..database import update_where, utcnow
from ..extensions import db
from ..urls import external_url
from .models import CheckIn, Cohort, CohortSession, CohortStatus, Enrollment, EnrollmentStatus
from .enrollment import set_status
from .notices import tell, tell_members

#: Most items of one kind a single tick enqueues; the rest wait a minute.
BATCH = 1000
REMINDERS = {24: CohortSession.reminded_24h_at, 1: CohortSession.reminded_1h_at}
#: A check-in prompt later than this (the scheduler was down) is skipped: the next week's is due.
PROMPT_STALE_AFTER = timedelta(days=6)


def due_work(now=None) -> dict[str, list[int]]:
    """Ids of everything due at `now`, one indexed query per kind."""
    now = now or utcnow()

    def ids(query):
        return list(db.session.scalars(query.limit(BATCH)))

    return {
        "start": ids(db.select(Cohort.id).where(_status_is(CohortStatus.OPEN), Cohort.starts_at <= now)),
        "complete": ids(db.select(Cohort.id).where(_status_is(CohortStatus.RUNNING), Cohort.ends_at <= now)),
        "remind_24": ids(db.select(CohortSession.id).where(
            CohortSession.reminded_24h_at.is_(None), CohortSession.starts_at <= now + timedelta(hours=24))),
        "remind_1": ids(db.select(CohortSession.id).where(
            CohortSession.reminded_1h_at.is_(None), CohortSession.starts_at <= now + timedelta(hours=1))),
        "prompt": ids(db.select(CohortSession.id).where(
            CohortSession.prompted_at.is_(None), CohortSession.ends_at <= now)),
    }


def _status_is(status: CohortStatus):
    # Written into the SQL, not bound: a prepared statement's generic plan cannot match a bound value to
    # the partial index's `status = 'open'` and would scan every cohort.
    return Cohort.status == db.literal(status, type_=Cohort.status.type, literal_execute=True)


def enqueue_due_cohort_work() -> None:
    due = due_work()
    for cohort_id in due["start"]:
        jobs.enqueue(start_cohort, cohort_id)
    for cohort_id in due["complete"]:
        jobs.enqueue(complete_cohort, cohort_id)
    for hours in REMINDERS:
        for session_id in due[f"remind_{hours}"]:
            jobs.enqueue(send_reminder, session_id, hours)
    for session_id in due["prompt"]:
        jobs.enqueue(send_checkin_prompt, session_id)


def start_cohort(cohort_id: int) -> None:
    """Close enrollment, tell the enrolled it begins, and tell those still waiting they missed it."""
    now = utcnow()
    if not update_where(Cohort, cohort_id, Cohort.status == CohortStatus.OPEN, Cohort.starts_at <= now,
                        status=CohortStatus.RUNNING, started_at=now):
        return
    cohort = db.session.get(Cohort, cohort_id)
    audit.record("cohort.started", cohort, actor_label="scheduler")
    first = next((s for s in cohort.sessions if not s.canceled), None)
    tell_members(cohort, f"{cohort.title} starts now", "cohort_started", first=first)
    for enrollment in db.session.scalars(db.select(Enrollment).filter_by(
            cohort_id=cohort.id, status=EnrollmentStatus.WAITING)):
        set_status(enrollment, EnrollmentStatus.MISSED)
        tell(enrollment.user, cohort, f"{cohort.title} started without a free place", "cohort_missed")
    db.session.commit()


def complete_cohort(cohort_id: int) -> None:
    """The last session is over: mark the cohort complete and ask everyone for the closing retro."""
    now = utcnow()
    if not update_where(Cohort, cohort_id, Cohort.status == CohortStatus.RUNNING, Cohort.ends_at <= now,
                        status=CohortStatus.COMPLETED, completed_at=now):
        return
    cohort = db.session.get(Cohort, cohort_id)
    audit.record("cohort.completed", cohort, actor_label="scheduler")
    tell_members(cohort, f"{cohort.title} is complete: how did it go?", "cohort_retro",
                 retro_link=_link("checkins.retro", cohort))
    db.session.commit()


def send_reminder(session_id: int, hours: int) -> None:
    """The 24-hour or 1-hour reminder, sent once; skipped when moot (canceled, started, or the 1-hour one is near)."""
    now = utcnow()
    marker = REMINDERS[hours]
    if not update_where(CohortSession, session_id, marker.is_(None), **{marker.key: now}):
        return
    session = db.session.get(CohortSession, session_id)
    cohort = session.cohort
    left = session.starts_at - now
    # A tick after a gap must not remind people of a session that has begun, nor send both at once.
    moot = (session.canceled or cohort.over
            or left <= timedelta(0) or (hours == 24 and left <= timedelta(hours=1)))
    if not moot:
        when = "tomorrow" if hours == 24 else "in an hour"
        tell_members(cohort, f"{cohort.title}: week {session.week} meets {when}", "cohort_reminder",
                     session=session, hours=hours)
    db.session.commit()


def send_checkin_prompt(session_id: int) -> None:
    """After each week's session, ask the enrolled for their check-in (the last week gets the retro instead)."""
    now = utcnow()
    session = db.session.get(CohortSession, session_id)
    if session is None or session.cohort.status is CohortStatus.OPEN:
        return  # its start job has not run yet; the next tick asks again
    if not update_where(CohortSession, session_id, CohortSession.prompted_at.is_(None),
                        CohortSession.ends_at <= now, prompted_at=now):
        return
    cohort = session.cohort
    moot = (cohort.status is not CohortStatus.RUNNING or session.week >= cohort.weeks
            or now - session.ends_at > PROMPT_STALE_AFTER)
    if not moot:
        done = frozenset(db.session.scalars(db.select(CheckIn.user_id).filter_by(cohort_id=cohort.id,
                                                                                 week=session.week)))
        tell_members(cohort, f"{cohort.title}: your week {session.week} check-in", "cohort_checkin_prompt",
                     skip_users=done, session=session, checkin_link=_link("checkins.week", cohort, week=session.week))
    db.session.commit()


def _link(endpoint: str, cohort: Cohort, **values) -> str:
    return external_url(endpoint, slug=cohort.hub.slug, cohort_id=cohort.id, **values)
