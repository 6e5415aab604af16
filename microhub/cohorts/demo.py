"""Demo cohorts: one under way whose next session is a day off (so reminders and prompts show up in the
development mailbox within minutes and hours), and one open for enrollment."""
from __future__ import annotations

from datetime import time, timedelta
from zoneinfo import ZoneInfo

from ..database import utcnow
from ..extensions import db
from .models import CheckIn, CheckInReply, Cohort, CohortFormat, CohortStatus, Enrollment, EnrollmentStatus
from .services import CohortInfo, add_cohort, create_cohort

RUNNING_TITLE = "Refactor one legacy module"
OPEN_TITLE = "Read 'A Philosophy of Software Design' together"
CHECKINS = {
    1: [("Mapped the billing module's call graph; found 3 dead paths.", "", "Delete the dead paths behind a flag."),
        ("Wrote characterization tests for the CSV importer.", "Tests take 4 minutes.", "Make the fixtures smaller.")],
    2: [("Dead paths deleted, flag off in production for a week.", "Nobody owns the cron job.", "Ask ops."),
        ("Importer tests down to 20 s.", "", "Split the parser from the writer.")],
}


def load_cohorts(hub, organizer, members) -> None:
    """Idempotent: each demo cohort is made once, found by title afterwards."""
    titles = set(db.session.scalars(db.select(Cohort.title).where(Cohort.hub_id == hub.id)))
    if RUNNING_TITLE not in titles:
        _running(hub, organizer, members)
    if OPEN_TITLE not in titles:
        start = utcnow().astimezone(ZoneInfo(hub.timezone)).date() + timedelta(days=10)
        create_cohort(hub, CohortInfo(
            title=OPEN_TITLE, goal="Finish the book and write down one design rule each of us will keep.",
            format=CohortFormat.EXCHANGE.value, start_date=start, weekday=start.weekday(), weeks=6, capacity=8,
            starts_at_time=time(18, 30), ends_at_time=time(19, 30), timezone=hub.timezone,
            meeting_link="https://meet.example.org/slow-code-reading"), actor=organizer)


def _running(hub, organizer, members) -> None:
    # Week 3 of 6 meets in 23 h 50 min: the first tick sends its 24-hour reminder and week 2's check-in prompt.
    zone = ZoneInfo(hub.timezone)
    next_meeting = (utcnow() + timedelta(hours=23, minutes=50)).astimezone(zone)
    at = time(next_meeting.hour, next_meeting.minute - next_meeting.minute % 5)
    first_day = next_meeting.date() - timedelta(weeks=2)
    cohort = add_cohort(hub, actor=organizer, title=RUNNING_TITLE,
                        goal="Each of us leaves one legacy module smaller, tested and documented.",
                        format=CohortFormat.CIRCLE, capacity=8, start_date=first_day, weeks=6,
                        weekday=first_day.weekday(), local_time=at, duration_minutes=90, timezone=hub.timezone,
                        meeting_link="https://meet.example.org/slow-code-refactor")
    now = utcnow()
    for member in members:  # enrolled before it started, two weeks ago
        db.session.add(Enrollment(cohort_id=cohort.id, user_id=member.id, status=EnrollmentStatus.ENROLLED,
                                  queued_at=cohort.starts_at - timedelta(days=3),
                                  enrolled_at=cohort.starts_at - timedelta(days=3)))
    cohort.seats_taken = len(members)
    cohort.status, cohort.started_at = CohortStatus.RUNNING, cohort.starts_at
    for session in cohort.sessions:
        if session.starts_at < now:  # what the scheduler would have done for weeks already behind us
            session.reminded_24h_at = session.reminded_1h_at = session.starts_at
        if session.week == 1:
            session.prompted_at = session.ends_at
    for week, notes in CHECKINS.items():
        posted = cohort.sessions[week - 1].ends_at + timedelta(hours=2)  # written the evening after the session
        for member, (progress, blocker, next_step) in zip(members, notes):
            db.session.add(CheckIn(cohort_id=cohort.id, user_id=member.id, week=week, progress=progress,
                                   blocker=blocker, next_step=next_step, created_at=posted, updated_at=posted))
    db.session.flush()
    first = db.session.scalar(db.select(CheckIn).filter_by(cohort_id=cohort.id, week=2, user_id=members[0].id))
    db.session.add(CheckInReply(checkin_id=first.id, user_id=organizer.id,
                                created_at=first.created_at + timedelta(hours=1),
                                body="I can introduce you to whoever runs the cron host."))
