"""Memberships' periodic work (listed in `microhub.wiring.PERIODIC_TASKS`): each finds what is due and deals
with it one row at a time, each row locked or claimed, so two ticks at once do everything once."""
from __future__ import annotations

from .. import jobs
from ..database import utcnow
from ..extensions import db
from .dunning import REMIND_BEFORE_END, send_grace_reminder
from .joining import expire_hold
from .models import HoldStatus, Membership, MembershipStatus, OfferStatus, SeatHold, WaitlistOffer
from .payments import end_grace
from .waitlist import expire_offer


def _each(query, act, limit: int = 500) -> None:
    for row_id in db.session.scalars(query.limit(limit)).all():
        act(row_id)
        db.session.commit()


def expire_holds() -> None:
    """Give back the seats of holds whose time ran out (and close their checkouts)."""
    _each(db.select(SeatHold.id).where(SeatHold.status == HoldStatus.HELD, SeatHold.expires_at < utcnow()),
          expire_hold)


def expire_offers() -> None:
    """Pass on waitlist offers whose time ran out to the next in line."""
    _each(db.select(WaitlistOffer.id).where(WaitlistOffer.status == OfferStatus.OPEN,
                                            WaitlistOffer.expires_at < utcnow()), expire_offer)


def enqueue_grace_reminders() -> None:
    """Past-due members two days from the end of their grace period get one more e-mail (a job each)."""
    due = db.session.scalars(db.select(Membership.id).where(
        Membership.status == MembershipStatus.PAST_DUE, Membership.grace_reminded_at.is_(None),
        Membership.grace_until <= utcnow() + REMIND_BEFORE_END).limit(500))
    for membership_id in due:
        jobs.enqueue(send_grace_reminder, membership_id)


def end_lapsed_grace() -> None:
    """Past-due members whose grace period ran out lose the seat."""
    _each(db.select(Membership.id).where(Membership.status == MembershipStatus.PAST_DUE,
                                         Membership.grace_until < utcnow()), end_grace, limit=200)
