"""The waitlist: a full hub lines people up, and freed seats go to the first in line as offers."""
from __future__ import annotations

from .. import audit
from ..hubs.access import found_in_hub
from ..database import utcnow
from ..errors import Conflict, DomainError, NotFound, ValidationFailed
from ..extensions import db
from .models import OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus
from .queries import live_membership
from .seats import OPEN, SEATS, token_hash


class OfferGone(DomainError):
    """The offer was used, declined or ran out; its seat has moved on."""

    status_code = 410


def waitlist_position(hub_id: int, user_id: int) -> int | None:
    """1 for the first in line; None when the person is not waiting."""
    mine = db.session.scalar(db.select(WaitlistEntry).where(
        WaitlistEntry.hub_id == hub_id, WaitlistEntry.user_id == user_id, WaitlistEntry.status.in_(OPEN)))
    return SEATS.position(mine) if mine is not None else None


def waitlist_count_of(hub_id):
    """How many are in line for `hub_id` (an id, or a column of an outer query) as a scalar subquery: what
    `SEATS.count` answers, read inside another statement."""
    return db.select(db.func.count(WaitlistEntry.id)).where(*SEATS._in_line(hub_id)).scalar_subquery()


def line(hub_id: int) -> list[WaitlistEntry]:
    """Everyone still in line, first first."""
    return SEATS.line(hub_id, db.joinedload(WaitlistEntry.user))


def offer_for(hub, user, token: str) -> WaitlistOffer | None:
    """The offer behind a link, only if it is this hub's and this person's."""
    offer = db.session.scalar(db.select(WaitlistOffer).filter_by(token_hash=token_hash(token or "")))
    if offer is None or offer.hub_id != hub.id or offer.entry.user_id != user.id:
        return None
    return offer


def locked(offer_id: int) -> WaitlistOffer | None:
    return db.session.get(WaitlistOffer, offer_id, with_for_update=True, populate_existing=True)


def locked_entry(entry_id: int) -> WaitlistEntry | None:
    return db.session.get(WaitlistEntry, entry_id, with_for_update=True, populate_existing=True)


def check_open(offer: WaitlistOffer | None) -> WaitlistOffer:
    """The offer if it can still be used, else OfferGone saying why."""
    if offer is None or offer.status is not OfferStatus.OPEN:
        used = offer is not None and offer.status is OfferStatus.USED
        raise OfferGone("You used this offer already." if used else
                        "This offer has ended and its seat went to the next person in line.")
    if offer.expires_at <= utcnow():
        raise OfferGone("This offer ran out and its seat goes to the next person in line.")
    return offer


def _pass_on(offer: WaitlistOffer, *, offer_status: OfferStatus, entry_status: WaitlistStatus, actor=None,
             actor_label: str | None = None) -> None:
    offer.status = offer_status
    entry = locked_entry(offer.entry_id)
    if entry is not None and entry.status in OPEN:
        entry.status = entry_status
    audit.record(f"waitlist.{offer_status.value}", offer, actor=actor, actor_label=actor_label,
                 entry_id=offer.entry_id)
    SEATS.release(offer.hub_id)


def decline(offer: WaitlistOffer, user) -> None:
    """The person does not want the seat: it goes to the next in line, and they leave the list."""
    offer = check_open(locked(offer.id))
    _pass_on(offer, offer_status=OfferStatus.DECLINED, entry_status=WaitlistStatus.LEFT, actor=user)


def expire_offer(offer_id: int) -> None:
    """Pass on an offer whose time ran out; locked and re-checked, so it is passed on once."""
    offer = locked(offer_id)
    if offer is not None and offer.status is OfferStatus.OPEN and offer.expires_at < utcnow():
        _pass_on(offer, offer_status=OfferStatus.EXPIRED, entry_status=WaitlistStatus.REMOVED,
                 actor_label="scheduler")


def join(hub, user) -> WaitlistEntry:
    if live_membership(hub, user) is not None:
        raise Conflict(f"You are a member of {hub.name} already.")
    if waitlist_position(hub.id, user.id) is not None:
        raise Conflict("You are on the waitlist already.")
    last = db.session.scalar(db.select(db.func.max(WaitlistEntry.rank)).filter_by(hub_id=hub.id)) or 0
    entry = WaitlistEntry(hub_id=hub.id, user_id=user.id, rank=last + 1)
    db.session.add(entry)
    db.session.flush()
    return entry


def leave(hub, user) -> None:
    for entry in db.session.scalars(db.select(WaitlistEntry).where(
            WaitlistEntry.hub_id == hub.id, WaitlistEntry.user_id == user.id, WaitlistEntry.status.in_(OPEN))):
        open_offer = db.session.scalar(db.select(WaitlistOffer).filter_by(entry_id=entry.id, status=OfferStatus.OPEN))
        if open_offer is not None:  # leaving with an offer in hand passes its seat on
            held = locked(open_offer.id)
            if held.status is OfferStatus.OPEN:
                _pass_on(held, offer_status=OfferStatus.DECLINED, entry_status=WaitlistStatus.LEFT, actor=user)
                continue
        entry.status = WaitlistStatus.LEFT


def move(hub, entry_id, position, reason: str | None, *, actor) -> WaitlistEntry:
    """Put someone at `position` (1 = first) in the line; organizers must say why."""
    missing = "That person is not on this hub's waitlist."
    entry = found_in_hub(WaitlistEntry, entry_id, missing, hub_id=hub.id)
    if entry.status not in OPEN:
        raise NotFound(missing)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why you move this person; the reason goes into the audit log.", field="reason")
    if len(reason) > 500:
        raise ValidationFailed("Keep the reason under 500 characters.", field="reason")
    people = line(hub.id)
    position = int(position) if str(position or "").strip().isdigit() else 0
    if not 1 <= position <= len(people):
        raise ValidationFailed(f"Pick a position from 1 to {len(people)}.", field="position")
    before = people.index(entry) + 1
    others = [e for e in people if e.id != entry.id]
    prev = others[position - 2] if position >= 2 else None
    after = others[position - 1] if position - 1 < len(others) else None
    if prev is not None and after is not None:
        rank = (prev.rank + after.rank) / 2
        fits = prev.rank < rank < after.rank
    elif after is not None:
        rank, fits = after.rank - 1, True
    elif prev is not None:
        rank, fits = prev.rank + 1, True
    else:
        rank, fits = entry.rank, True
    if fits:
        entry.rank = rank
    else:  # ties or exhausted float precision: number the whole line afresh in its new order
        others.insert(position - 1, entry)
        for number, person in enumerate(others, start=1):
            person.rank = float(number)
    db.session.flush()
    audit.record("waitlist.moved", entry, actor=actor, user_id=entry.user_id, reason=reason,
                 from_position=before, to_position=position)
    return entry
