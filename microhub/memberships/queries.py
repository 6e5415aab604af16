"""Read-only lookups the membership modules share: who holds a seat, a pending join, an open hold."""
from __future__ import annotations

from ..hubs.models import Role
from ..extensions import db
from .models import LIVE_STATUSES, HoldStatus, Membership, MembershipStatus, SeatHold


def _live(hub_id: int, user_id: int) -> tuple:
    return Membership.hub_id == hub_id, Membership.user_id == user_id, Membership.status.in_(LIVE_STATUSES)


def live_membership(hub, user) -> Membership | None:
    return db.session.scalar(db.select(Membership).where(*_live(hub.id, user.id)))


def live_members(hub_id: int) -> list[Membership]:
    """Everyone holding a seat, with their accounts, longest-standing first."""
    return list(db.session.scalars(
        db.select(Membership).where(Membership.hub_id == hub_id, Membership.status.in_(LIVE_STATUSES))
        .options(db.joinedload(Membership.user)).order_by(Membership.activated_at)))


def pending_membership(hub_id: int, user_id: int) -> Membership | None:
    return db.session.scalar(db.select(Membership).filter_by(hub_id=hub_id, user_id=user_id,
                                                             status=MembershipStatus.PENDING))


def open_hold(hub_id: int, user_id: int) -> SeatHold | None:
    return db.session.scalar(db.select(SeatHold).filter_by(hub_id=hub_id, user_id=user_id, status=HoldStatus.HELD))


def member_role(hub, *, user_id: int) -> set[Role]:
    """A live membership makes a person a member (a receiver of `roles_asked`)."""
    live = db.session.scalar(db.select(Membership.id).where(*_live(hub.id, user_id)))
    return {Role.MEMBER} if live is not None else set()
