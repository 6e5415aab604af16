"""What a member sees of their hub below its header: rituals at their next times in the member's zone, their
cohorts with the next session, member-only perks and links, billing and leaving. A fixed number of statements.

The hub's rituals are the same for every member: like the hub's face (`document.py`), they are read at most once
per `HUB_PAGE_CACHE_SECONDS` per process (a ritual's edit shows within that bound), as transient copies; their next
times are worked out per request. Tests run with 0 (read every time) unless they ask for the cache.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..cohorts.models import Cohort, CohortSession, CohortStatus, Enrollment, EnrollmentStatus, SessionStatus
from ..database import utcnow
from ..extensions import db
from ..hubs.rituals import Ritual, hub_rituals, next_start
from .document import detached, fresh


@dataclass(frozen=True)
class MyCohort:
    cohort: Cohort
    waiting: bool
    #: UTC start of the next session still to come (or going on now); None when none is left.
    next_session: datetime | None


@dataclass
class MemberSide:
    #: The zone the member reads times in (their own).
    zone: str
    rituals: list[tuple[Ritual, datetime]] = field(default_factory=list)
    cohorts: list[MyCohort] = field(default_factory=list)
    #: Sponsor placements with a perk for members (already loaded for the page).
    perks: list = field(default_factory=list)


def my_cohorts(user_id: int, hub_ids, now: datetime | None = None) -> list[MyCohort]:
    """The open and running cohorts of these hubs the person is in or waits for, each with its next session
    (one statement, however many hubs, cohorts and sessions)."""
    hub_ids = list(hub_ids)
    if not hub_ids:
        return []
    now = now or utcnow()
    next_session = (db.select(db.func.min(CohortSession.starts_at))
                    .where(CohortSession.cohort_id == Cohort.id, CohortSession.status == SessionStatus.SCHEDULED,
                           CohortSession.ends_at > now).correlate(Cohort).scalar_subquery())
    rows = db.session.execute(
        db.select(Cohort, Enrollment.status, next_session).join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Cohort.hub_id.in_(hub_ids), Enrollment.user_id == user_id,
               Enrollment.status.in_((EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)),
               Cohort.status.in_((CohortStatus.OPEN, CohortStatus.RUNNING)))
        .order_by(Cohort.starts_at, Cohort.id)).all()
    return [MyCohort(cohort, status is EnrollmentStatus.WAITING, starts) for cohort, status, starts in rows]


def _rituals(hub) -> tuple[Ritual, ...]:
    """The hub's rituals in week order, at most `HUB_PAGE_CACHE_SECONDS` old: copies in no session, never written."""
    return fresh("microhub.hub_rituals", hub.id, lambda: tuple(detached(row) for row in hub_rituals(hub.id)))


def member_side(hub, user, sponsors) -> MemberSide:
    """The member's part of the hub page (two statements; one while the hub's rituals are kept)."""
    rituals = sorted(((r, next_start(r, hub.timezone)) for r in _rituals(hub)), key=lambda pair: pair[1])
    return MemberSide(zone=user.timezone or hub.timezone, rituals=rituals, cohorts=my_cohorts(user.id, [hub.id]),
                      perks=[p for p in sponsors if getattr(p, "member_perk", None)])
