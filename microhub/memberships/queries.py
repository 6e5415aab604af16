"""Read-only lookups the membership modules share: who holds a seat, a pending join, an open hold."""
from __future__ import annotations

from dataclasses import dataclass

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
    """One page of a hub's live members, longest-standing first, with how many match in all."""

    members: list[Membership]
    total: int
    page: int
    per_page: int
    search: str = ""

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def live_members_page(hub_id: int, page: int = 1, *, search: str = "", per_page: int = MEMBERS_PER_PAGE) -> MembersPage:
    """Everyone holding a seat whose name or e-mail contains `search`, with their accounts, longest-standing first:
    page `page` (clamped to the pages there are) and the total, in one statement (two for a page past the end)."""
    search = search.strip()[:100]
    where = [Membership.hub_id == hub_id, Membership.status.in_(LIVE_STATUSES)]
    if search:
        where.append(db.or_(User.name.ilike(_like(search), escape="\\"), User.email.ilike(_like(search), escape="\\")))
    page = min(max(1, page), 10**6)  # an absurd page number reads the last page, never overflows OFFSET
    while True:
        rows = db.session.execute(
            db.select(Membership, db.func.count().over()).join(Membership.user).where(*where)
            .options(db.contains_eager(Membership.user))
            .order_by(Membership.activated_at, Membership.id).limit(per_page).offset((page - 1) * per_page)).all()
        if rows or page == 1:
            total = rows[0][1] if rows else 0
            return MembersPage([m for m, _ in rows], total, page, per_page, search)
        total = db.session.scalar(db.select(db.func.count(Membership.id)).join(Membership.user).where(*where))
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
