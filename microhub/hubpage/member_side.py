"""What a member sees of their hub below its header: rituals at their next times in the member's zone, their
cohorts with the next session, member-only perks and links, billing and leaving. A fixed number of statements,
built once; whether the member is in any cohort is asked with their roles (`CHECKS`): if not, no cohort query.

The hub's rituals are the same for every member: like the hub's face (`document.py`), they are read at most once
per `HUB_PAGE_CACHE_SECONDS` per process (a ritual's edit shows within that bound), as transient copies; their next
times are worked out per request. Tests run with 0 (read every time) unless they ask for the cache.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam

from ..cohorts.models import Cohort, CohortSession, CohortStatus, Enrollment, EnrollmentStatus, SessionStatus
from ..database import utcnow
from ..extensions import db
from ..hubs.access import USER_ID
from ..hubs.models import Hub
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


_TAKING_PART = (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING)
_GOING = (CohortStatus.OPEN, CohortStatus.RUNNING)
_NEXT_SESSION = (db.select(db.func.min(CohortSession.starts_at))
                 .where(CohortSession.cohort_id == Cohort.id, CohortSession.status == SessionStatus.SCHEDULED,
                        CohortSession.ends_at > bindparam("now")).correlate(Cohort).scalar_subquery())
#: Built once: only the person, the hubs and the time change.
_MY_COHORTS = (db.select(Cohort, Enrollment.status, _NEXT_SESSION).join(Enrollment, Enrollment.cohort_id == Cohort.id)
               .where(Cohort.hub_id.in_(bindparam("hub_ids", expanding=True)),
                      Enrollment.user_id == bindparam("user_id"), Enrollment.status.in_(_TAKING_PART),
                      Cohort.status.in_(_GOING))
               .order_by(Cohort.starts_at, Cohort.id))
#: Asked with the member's roles (`access.roles_and`): are they in, or waiting for, an open or running cohort of the
#: hub? Most members are not, and then the page runs no cohort query at all.
IN_A_COHORT = "hubpage.in_a_cohort"
CHECKS = {IN_A_COHORT: db.exists().where(
    Enrollment.cohort_id == Cohort.id, Cohort.hub_id == Hub.id, Enrollment.user_id == USER_ID,
    Enrollment.status.in_(_TAKING_PART), Cohort.status.in_(_GOING))}


def my_cohorts(user_id: int, hub_ids, now: datetime | None = None) -> list[MyCohort]:
    """The open and running cohorts of these hubs the person is in or waits for, each with its next session
    (one statement, however many hubs, cohorts and sessions)."""
    hub_ids = list(hub_ids)
    if not hub_ids:
        return []
    rows = db.session.execute(_MY_COHORTS, {"hub_ids": hub_ids, "user_id": user_id, "now": now or utcnow()})
    return [MyCohort(cohort, status is EnrollmentStatus.WAITING, starts) for cohort, status, starts in rows]


def _rituals(hub) -> tuple[Ritual, ...]:
    """The hub's rituals in week order, at most `HUB_PAGE_CACHE_SECONDS` old: copies in no session, never written."""
    return fresh("microhub.hub_rituals", hub.id, lambda: tuple(detached(row) for row in hub_rituals(hub.id)))


def member_side(hub, user, sponsors, *, in_a_cohort: bool = True) -> MemberSide:
    """The member's part of the hub page: at most two statements, the hub's rituals (none while they are kept) and
    the member's cohorts (none when `in_a_cohort`, asked with their roles through `CHECKS`, is False)."""
    rituals = _rituals(hub)
    if rituals:
        rituals = sorted(((r, next_start(r, hub.timezone)) for r in rituals), key=lambda pair: pair[1])
    return MemberSide(zone=user.timezone or hub.timezone, rituals=list(rituals),
                      cohorts=my_cohorts(user.id, [hub.id]) if in_a_cohort else [],
                      perks=[p for p in sponsors if getattr(p, "member_perk", None)])
