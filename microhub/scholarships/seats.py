"""Scholarship seats: the hub's scholarship pool, and the line of ranked applicants an offer passes along.

The pool's count is `Hub.scholarship_seats_taken` (the same counter `memberships.seats.SCHOLARSHIP_POOL` gives
back when a scholarship member leaves), taken by one conditional UPDATE that also keeps both pools together
under the cap: two reviewers offering the last seat at once, one wins.
"""
from __future__ import annotations

from .. import audit
from ..capacity import Places
from ..database import update_where
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from ..memberships.queries import live_membership
from ..memberships.seats import SCHOLARSHIP_LIMITS
from .models import ApplicationStatus, ScholarshipApplication


class ScholarshipSeats(Places):
    """Offers, accepted awards and scholarship members, never past the pool nor (with regular seats) the cap; the
    line is every application the reviewers ranked, lowest rank first."""

    def __init__(self):
        super().__init__(**SCHOLARSHIP_LIMITS, line_scope=ScholarshipApplication.hub_id,
                         line_order=ScholarshipApplication.rank, in_line=(ApplicationStatus.IN_REVIEW,),
                         waiting=ApplicationStatus.IN_REVIEW,
                         ready=(ScholarshipApplication.rank.is_not(None), ScholarshipApplication.renews_id.is_(None)))

    def still_wants(self, entry: ScholarshipApplication) -> bool:
        return live_membership(entry.hub, entry.user) is None

    def hand_over(self, entry: ScholarshipApplication) -> None:
        from .offers import make_offer  # offers build on these seats
        make_offer(entry, actor_label="scholarships", reason=None)

    def offer_free(self, row_id: int) -> list:
        """Offer free seats to the ranked applicants in turn while the fund covers the next one's award; an
        applicant who became a member another way is passed over (and told nothing)."""
        from .fund import covers
        given = []
        while (entry := self.next_in_line(row_id)) is not None:
            if not self.still_wants(entry):
                entry.status = ApplicationStatus.WITHDRAWN
                db.session.flush()
                continue
            if not covers(entry) or not self.take(row_id):
                break  # the seat stays open for the reviewers; the fund or the pool decides when
            self.hand_over(entry)
            given.append(entry)
        return given


SCHOLARSHIP_SEATS = ScholarshipSeats()


def take_seat(hub: Hub) -> None:
    if not SCHOLARSHIP_SEATS.take(hub.id):
        raise Conflict("Every scholarship seat is taken or offered right now; nobody was offered one.")


def give_back_and_pass_on(hub_id: int) -> None:
    """An offer was declined or ran out: its seat goes to the next ranked applicant the fund can cover."""
    SCHOLARSHIP_SEATS.release(hub_id)


def set_pool(hub: Hub, seats: int, *, actor) -> str | None:
    """Keep `seats` of the cap for scholarships; returns a note when regular members hold some of them for now.

    Never above the cap, never below the scholarship seats in use: one conditional UPDATE decides, so an offer
    made at the same moment is counted."""
    if type(seats) is not int or seats < 0:
        raise ValidationFailed("Give a whole number of seats, 0 or more.", field="seats")
    if seats > hub.cap:
        raise ValidationFailed(f"The hub has {hub.cap} seats in all; keep at most that many for scholarships.",
                               field="seats")
    before = hub.scholarship_seats
    if not update_where(Hub, hub.id, Hub.scholarship_seats_taken <= seats, Hub.cap >= seats,
                        scholarship_seats=seats):
        db.session.refresh(hub)
        raise ValidationFailed(f"{hub.scholarship_seats_taken} scholarship seats are in use (offered or awarded); "
                               "the pool cannot be smaller than that.", field="seats")
    db.session.refresh(hub)
    audit.record("scholarships.pool_set", hub, actor=actor, hub_id=hub.id, before=before, after=seats)
    over = hub.seats_taken - hub.regular_seats
    if over > 0:
        return (f"{over} of these seats are held by regular members for now; they open to scholarships as "
                "members leave (no one is removed).")
    return None
