"""Hub seats: the cap, the waitlist in front of it, and the offer a freed seat becomes for the first in line.

The seat count changes only here, through the capacity engine (one conditional UPDATE), so the cap holds
under any load. A freed seat is never simply given back: `SEATS.release` offers it to the line first.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from .. import audit
from ..capacity import Places, Pool
from ..database import utcnow
from ..email import send_email
from ..extensions import db
from ..hubs.models import Hub
from ..urls import external_url
from .models import OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus
from .queries import live_membership

#: Statuses of people still in line: waiting, or holding an offer.
OPEN = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
#: How long an offer keeps its seat for the person before it passes to the next in line.
OFFER_HOURS = 48


class HubSeats(Places):
    """Active members, live holds and open offers, never more than the cap less the scholarship seats; the
    waitlist, by rank."""

    def __init__(self):
        super().__init__(counter=Hub.seats_taken, limit=Hub.cap - Hub.scholarship_seats,
                         line_scope=WaitlistEntry.hub_id, line_order=WaitlistEntry.rank, in_line=OPEN, waiting=WaitlistStatus.WAITING)

    def still_wants(self, entry: WaitlistEntry) -> bool:
        if live_membership(entry.hub, entry.user) is not None:
            entry.status = WaitlistStatus.JOINED  # got in another way; no offer needed
            db.session.flush()
            return False
        return True

    def hand_over(self, entry: WaitlistEntry) -> None:
        offer(entry)  # the offer keeps the seat just taken until it is used, declined or expires


SEATS = HubSeats()

#: Scholarship seats: their own pool of the cap (`Hub.scholarship_seats`); the total of both pools never passes the
#: cap, even after the pool was raised while regular seats were taken. Awards are offered by `scholarships`, whose
#: line of ranked applicants is built on the same counter.
SCHOLARSHIP_LIMITS = dict(counter=Hub.scholarship_seats_taken, limit=Hub.scholarship_seats,
                          also=(Hub.seats_taken + Hub.scholarship_seats_taken < Hub.cap,))
SCHOLARSHIP_POOL = Pool(**SCHOLARSHIP_LIMITS)


def pool_of(scholarship: bool) -> Pool:
    """The pool a membership or hold takes its seat from."""
    return SCHOLARSHIP_POOL if scholarship else SEATS


def release_seat(hub_id: int, *, scholarship: bool) -> None:
    """A seat is free again: a regular one is offered to the waitlist; a scholarship one goes back to its pool."""
    if scholarship:
        SCHOLARSHIP_POOL.give_back(hub_id)
    else:
        SEATS.release(hub_id)


def offer_freed_seats(hub_id: int) -> None:
    """Seats may be free (the cap changed): offer them to the line (a receiver of `seats_freed`)."""
    SEATS.offer_free(hub_id)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def offer(entry: WaitlistEntry) -> WaitlistOffer:
    """A single-use, e-mailed invitation to take the seat kept for `entry`."""
    hub = entry.hub
    token = secrets.token_urlsafe(32)
    made = WaitlistOffer(hub_id=hub.id, entry_id=entry.id, token_hash=token_hash(token), status=OfferStatus.OPEN,
                         expires_at=utcnow() + timedelta(hours=OFFER_HOURS))
    entry.status = WaitlistStatus.OFFERED
    db.session.add(made)
    db.session.flush()
    audit.record("waitlist.offered", made, actor_label="waitlist", entry_id=entry.id, user_id=entry.user_id,
                 expires_at=made.expires_at.isoformat())
    send_email(entry.user.email, f"A seat in {hub.name} is yours for {OFFER_HOURS} hours", "waitlist_offer",
               user=entry.user, hub=hub, offer=made, hours=OFFER_HOURS,
               link=external_url("waitlist.accept", slug=hub.slug, token=token))
    return made
