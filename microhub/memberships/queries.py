"""Read-only lookups the membership modules share: who holds a seat, a pending join, an open hold."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Row, bindparam

from ..accounts.models import User
from ..hubs.access import USER_ID
from ..hubs.models import Hub, Role
from ..extensions import db
from .models import LIVE_STATUSES, HoldStatus, Membership, MembershipStatus, SeatHold


def _live(hub_id, user_id) -> tuple:
    """A live membership of this person in this hub: ids, or SQL expressions standing for them."""
    return Membership.hub_id == hub_id, Membership.user_id == user_id, Membership.status.in_(LIVE_STATUSES)


def live_membership(hub, user) -> Membership | None:
    return db.session.scalar(db.select(Membership).where(*_live(hub.id, user.id)))


#: Rows on one page of the organizer's member list.
MEMBERS_PER_PAGE = 50


@dataclass(frozen=True)
class MembersPage:
    """One page of a hub's live members, longest-standing first, with how many match in all.

    `members` are plain rows (no ORM objects) with the columns the list shows: `id`, `status`, `activated_at`,
    `cancel_at_period_end`, `subscription_ref` (the membership's) and `name`, `email` (the person's)."""

    members: list[Row]
    total: int
    page: int
    per_page: int
    search: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _listed(searching: bool) -> list:
    """Who the member list holds: the hub's live memberships (`:hub_id`), with `searching` only those whose
    person's name or e-mail matches `:pattern` (a LIKE pattern, backslash escapes)."""
    m, u = Membership.__table__.c, User.__table__.c
    # Live statuses as plain comparisons: an IN list would be re-rendered into the SQL at every execution.
    where = [m.hub_id == bindparam("hub_id"), db.or_(*(m.status == status for status in LIVE_STATUSES))]
    if searching:
        pattern = bindparam("pattern")
        where.append(db.or_(u.name.ilike(pattern, escape="\\"), u.email.ilike(pattern, escape="\\")))
    return where


def _shown(m, u) -> tuple:
    """The columns a page of the member list shows, of the memberships table (or a subquery of it) and of users."""
    return (m.c.id, m.c.status, m.c.activated_at, m.c.cancel_at_period_end, m.c.subscription_ref, u.c.name, u.c.email)


def _page_statement(searching: bool):
    """One page of the list (`:limit`, `:offset`) with the number of matches in all as `total`: Core columns, so a
    row costs no ORM object; built once per process."""
    m, u = Membership.__table__, User.__table__
    if searching:  # the search reads the person's columns: join first, count the matches alongside
        return (db.select(*_shown(m, u), db.func.count().over().label("total"))
                .select_from(m.join(u, u.c.id == m.c.user_id)).where(*_listed(True))
                .order_by(m.c.activated_at, m.c.id).limit(bindparam("limit")).offset(bindparam("offset")))
    # Everyone: the page's memberships first, then only their people; the count needs no person at all.
    page = (db.select(m.c.id, m.c.user_id, m.c.status, m.c.activated_at, m.c.cancel_at_period_end,
                      m.c.subscription_ref).where(*_listed(False)).order_by(m.c.activated_at, m.c.id)
            .limit(bindparam("limit")).offset(bindparam("offset")).subquery("page"))
    total = db.select(db.func.count()).select_from(m).where(*_listed(False)).scalar_subquery()
    return (db.select(*_shown(page, u), total.label("total")).select_from(page.join(u, u.c.id == page.c.user_id))
            .order_by(page.c.activated_at, page.c.id))


def _count_statement(searching: bool):
    m, u = Membership.__table__, User.__table__
    return db.select(db.func.count()).select_from(m.join(u, u.c.id == m.c.user_id) if searching else m) \
        .where(*_listed(searching))


#: The statements of `live_members_page`, by whether a search narrows them: built once, executed with parameters.
_PAGE = {searching: _page_statement(searching) for searching in (False, True)}
_COUNT = {searching: _count_statement(searching) for searching in (False, True)}


def live_members_page(hub_id: int, page: int = 1, *, search: str = "", per_page: int = MEMBERS_PER_PAGE) -> MembersPage:
    """Everyone holding a seat whose name or e-mail contains `search`, longest-standing first: page `page` (clamped
    to the pages there are) and the total, in one statement (two for a page past the end)."""
    search = search.strip()[:100]
    params = {"hub_id": hub_id, "pattern": _like(search)} if search else {"hub_id": hub_id}
    page = min(max(1, page), 10**6)  # an absurd page number reads the last page, never overflows OFFSET
    while True:
        rows = db.session.execute(_PAGE[bool(search)], {**params, "limit": per_page,
                                                        "offset": (page - 1) * per_page}).all()
        if rows or page == 1:
            return MembersPage(rows, rows[0].total if rows else 0, page, per_page, search)
        total = db.session.scalar(_COUNT[bool(search)], params)
        page = max(1, -(-total // per_page))


def pending_membership(hub_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(db.select(Membership).filter_by(hub_id=hub_id, user_id=user_id,
                                                             status=MembershipStatus.PENDING))


def open_hold(hub_id: int, user_id: int) -> SeatHold | None:
    return db.session.scalar(db.select(SeatHold).filter_by(hub_id=hub_id, user_id=user_id, status=HoldStatus.HELD))


#: A live membership makes a person a member: checked against the hub's row and `access.USER_ID`, built once.
_MEMBER = {Role.MEMBER: db.exists().where(*_live(Hub.id, USER_ID))}


def member_role(hub, *, user_id: int) -> dict:
    """A receiver of `roles_asked`: the member condition joins the roles statement (the same for every hub and
    person, so the statement is built once)."""
    return _MEMBER
