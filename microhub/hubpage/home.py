"""The front page: for a signed-in person, the hubs they belong to, run and wait for, then hubs to discover; for a
visitor, the pitch and the hubs open to join. A fixed number of statements however many hubs and members."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import render_template
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..extensions import db
from ..hubs.access import STAFF
from ..hubs.models import Hub, HubRole, Role
from ..hubs.services import public_hubs
from ..ledger.expense_models import Expense, ExpenseStatus
from ..ledger.models import LedgerGroup
from ..ledger.report_models import MonthReport
from ..ledger.reports import current_month
from ..memberships.models import LIVE_STATUSES, Membership, MembershipStatus, WaitlistEntry
from ..memberships.seats import OPEN
from ..scholarships.models import ApplicationStatus, ScholarshipApplication
from ..sponsors.models import Listing, ListingRevision, ReviewStatus
from .member_side import my_cohorts


@dataclass
class Belonging:
    membership: Membership
    #: "active", "past due" or "ending".
    status: str
    #: The person's next cohort session in this hub (a member_side.MyCohort), if any.
    next_cohort: object | None = None


@dataclass
class Running:
    hub: Hub
    role: Role
    waitlist: int = 0
    #: (what needs attention now, e.g. "2 expenses awaiting approval"; endpoint of the page that deals with it).
    attention: list[tuple[str, str]] = field(default_factory=list)


def _status(membership: Membership) -> str:
    if membership.status is MembershipStatus.PAST_DUE:
        return "past due"
    return "ending" if membership.cancel_at_period_end else "active"


def belonging(user_id: int) -> list[Belonging]:
    """Live memberships with their hub, plan and the person's next cohort session in each (two statements)."""
    memberships = db.session.scalars(
        db.select(Membership).where(Membership.user_id == user_id, Membership.status.in_(LIVE_STATUSES))
        .options(db.joinedload(Membership.hub), db.joinedload(Membership.plan)).order_by(Membership.activated_at)
    ).all()
    soonest: dict[int, object] = {}
    for mine in my_cohorts(user_id, [m.hub_id for m in memberships]):
        known = soonest.get(mine.cohort.hub_id)
        if mine.next_session and (known is None or mine.next_session < known.next_session):
            soonest[mine.cohort.hub_id] = mine
    return [Belonging(m, _status(m), soonest.get(m.hub_id)) for m in memberships]


def _count(model, *where):
    return (db.select(db.func.count()).select_from(model).where(model.hub_id == Hub.id, *where)
            .correlate(Hub).scalar_subquery())


#: What staff are asked to look at: one, many, the count's column name, the page that deals with it. Moderators
#: see the first (they watch the members); organizers see all.
ATTENTION = (("past-due member", "past-due members", "past_due", "hubpage.manage"),
             ("scholarship application to review", "scholarship applications to review", "applications",
              "scholarship_admin.index"),
             ("sponsor listing awaiting review", "sponsor listings awaiting review", "listings", "sponsor_admin.index"),
             ("expense awaiting approval", "expenses awaiting approval", "expenses", "money.index"))


def _counters(hub_ids: list[int]):
    """Per hub: the waitlist and everything waiting for its organizers, in one statement."""
    listings = (db.select(db.func.count(ListingRevision.id)).join(Listing, ListingRevision.listing_id == Listing.id)
                .where(Listing.hub_id == Hub.id, ListingRevision.status == ReviewStatus.PENDING)
                .correlate(Hub).scalar_subquery())
    return {row.id: row for row in db.session.execute(db.select(
        Hub.id, _count(WaitlistEntry, WaitlistEntry.status.in_(OPEN)).label("waitlist"),
        _count(Membership, Membership.status == MembershipStatus.PAST_DUE).label("past_due"),
        _count(ScholarshipApplication, ScholarshipApplication.status == ApplicationStatus.SUBMITTED)
        .label("applications"),
        listings.label("listings"),
        _count(Expense, Expense.status == ExpenseStatus.SUBMITTED).label("expenses"),
    ).where(Hub.id.in_(hub_ids)))}


def unpublished_last_month(hubs: list[Hub]) -> set[int]:
    """Hubs whose last month (in each hub's own zone) had movements and has no published report (one statement)."""
    if not hubs:
        return set()
    selects = [db.select(db.literal(hub.id).label("hub_id"),
                         db.literal((current_month(hub) - timedelta(days=1)).replace(day=1), type_=db.Date)
                         .label("month")) for hub in hubs]
    pairs = (selects[0] if len(selects) == 1 else db.union_all(*selects)).subquery()
    return set(db.session.scalars(db.select(pairs.c.hub_id).where(
        db.select(LedgerGroup.id).where(LedgerGroup.hub_id == pairs.c.hub_id, LedgerGroup.month == pairs.c.month)
        .exists(),
        ~db.select(MonthReport.id).where(MonthReport.hub_id == pairs.c.hub_id, MonthReport.month == pairs.c.month)
        .exists())))


def running(user_id: int) -> list[Running]:
    """Hubs the person organizes or moderates, with seats, waitlist and what needs them now (three statements)."""
    rows = db.session.execute(db.select(HubRole.role, Hub).join(Hub, HubRole.hub_id == Hub.id)
                              .where(HubRole.user_id == user_id, HubRole.role.in_(STAFF))
                              .order_by(Hub.name, HubRole.role)).all()
    mine: dict[int, Running] = {}
    for role, hub in rows:  # an organizer who also moderates is listed once, as organizer
        if hub.id not in mine or role is Role.ORGANIZER:
            mine[hub.id] = Running(hub, role)
    if not mine:
        return []
    counters = _counters(list(mine))
    organized = [r.hub for r in mine.values() if r.role is Role.ORGANIZER]
    unpublished = unpublished_last_month(organized)
    for run in mine.values():
        row = counters[run.hub.id]
        run.waitlist = row.waitlist
        shown = ATTENTION if run.role is Role.ORGANIZER else ATTENTION[:1]
        run.attention = [(f"{getattr(row, name)} {one if getattr(row, name) == 1 else many}", endpoint)
                         for one, many, name, endpoint in shown if getattr(row, name)]
        if run.hub.id in unpublished:
            run.attention.append(("Last month's report to publish", "transparency_admin.reports"))
    return list(mine.values())


def waiting(user_id: int) -> list[tuple[Hub, int]]:
    """(hub, place in line) for every waitlist the person is on, in one statement."""
    other = db.aliased(WaitlistEntry)
    ahead = (db.select(db.func.count(other.id))
             .where(other.hub_id == WaitlistEntry.hub_id, other.status.in_(OPEN),
                    db.or_(other.rank < WaitlistEntry.rank,
                           db.and_(other.rank == WaitlistEntry.rank, other.id < WaitlistEntry.id)))
             .correlate(WaitlistEntry).scalar_subquery())
    rows = db.session.execute(db.select(Hub, ahead).join(WaitlistEntry, WaitlistEntry.hub_id == Hub.id)
                              .where(WaitlistEntry.user_id == user_id, WaitlistEntry.status.in_(OPEN))
                              .order_by(Hub.name)).all()
    return [(hub, before + 1) for hub, before in rows]


def index():
    """The front page (served as `hubs.index`, the endpoint every link names; see `microhub.wiring`)."""
    hubs = public_hubs()
    if not current_user.is_authenticated:
        return render_template("hubpage/home.html", visitor=True, discover=hubs)
    belongs, runs, waits = belonging(current_user.id), running(current_user.id), waiting(current_user.id)
    known = {b.membership.hub_id for b in belongs} | {r.hub.id for r in runs} | {hub.id for hub, _ in waits}
    return render_template("hubpage/home.html", visitor=False, belongs=belongs, runs=runs, waits=waits,
                           discover=[hub for hub in hubs if hub.id not in known], zone=current_user.timezone,
                           confirm=ConfirmForm())
