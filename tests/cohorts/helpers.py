"""Shared steps for cohort tests: cohorts made by the real service, members enrolled the real way, weeks passed."""
from __future__ import annotations

from datetime import time, timedelta

from microhub import jobs
from microhub.cohorts import enrollment
from microhub.cohorts.models import Cohort
from microhub.cohorts.services import CohortInfo, create_cohort, today_in
from microhub.extensions import db
from microhub.hubs.models import Hub

from ..factories import member_of, organizer_of

PROGRESS = "Shipped the sign-up form to five testers."
NEXT_STEP = "Write the welcome e-mail."


def cohort_info(**overrides) -> CohortInfo:
    """A 6-week Berlin cohort starting a week from today, meeting 19:00-20:30 on its start day's weekday."""
    zone = overrides.get("timezone", "Europe/Berlin")
    start = overrides.pop("start_date", None) or today_in(zone) + timedelta(days=7)
    values = dict(title="Ship a side project", goal="Each of us ships one small thing to real users.",
                  start_date=start, starts_at_time=time(19, 0), ends_at_time=time(20, 30),
                  weekday=start.weekday(), timezone=zone, capacity=8, weeks=6,
                  meeting_link="https://meet.example.org/slow-code")
    values.update(overrides)
    return CohortInfo(**values)


def make_cohort(hub: Hub | None = None, **overrides) -> Cohort:
    """Create and commit a cohort in `hub` (a new hub with an organizer when None)."""
    if hub is None:
        hub, organizer = organizer_of()
    else:
        organizer = None
    cohort = create_cohort(hub, cohort_info(**overrides), actor=organizer)
    db.session.commit()
    return cohort


def enrolled_members(cohort: Cohort, count: int = 1) -> list:
    """`count` new active members of the cohort's hub, each enrolled in the cohort."""
    people = []
    for _ in range(count):
        user = member_of(cohort.hub)
        enrollment.enroll(cohort, user)
        db.session.commit()
        people.append(user)
    return people


def at_week(clock, cohort: Cohort, week: int) -> None:
    """Stop the clock just after `week`'s session ended and let the scheduler catch up."""
    clock.move_to(cohort.sessions[week - 1].ends_at + timedelta(minutes=5), tick=False)
    jobs.tick()
    db.session.commit()
    db.session.expire_all()


def week_url(cohort: Cohort, week: int = 1, slug: str | None = None) -> str:
    return f"/h/{slug or cohort.hub.slug}/cohorts/{cohort.id}/weeks/{week}"


def stored(model) -> int:
    return db.session.scalar(db.select(db.func.count(model.id)))
