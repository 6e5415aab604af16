"""The waitlist: a full hub lines people up, and freed seats go to the first in line as offers."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app

from .. import audit, jobs
from ..database import parse_id, utcnow
from ..errors import DomainError, ValidationFailed
from ..extensions import db
from .models import OfferStatus, WaitlistEntry, WaitlistOffer, WaitlistStatus
from .seats import release_seat, take_seat

OPEN = (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)
#: How long an offer keeps its seat for the person before it passes to the next in line.
OFFER_HOURS = 48


class OfferGone(DomainError):
    """The offer was used, declined or ran out; its seat has moved on."""

    status_code = 410


def waitlist_count(hub_id: int) -> int:
    return db.session.scalar(db.select(db.func.count(WaitlistEntry.id))
                             .where(WaitlistEntry.hub_id == hub_id, WaitlistEntry.status.in_(OPEN)))


def waitlist_position(hub_id: int, user_id: int) -> int | None:
    """1 for the first in line; None when the person is not waiting."""
    mine = db.session.scalar(db.select(WaitlistEntry).where(
        WaitlistEntry.hub_id == hub_id, WaitlistEntry.user_id == user_id, WaitlistEntry.status.in_(OPEN)))
    if mine is None:
        return None
    ahead = db.session.scalar(db.select(db.func.count(WaitlistEntry.id)).where(
        WaitlistEntry.hub_id == hub_id, WaitlistEntry.status.in_(OPEN),
        db.or_(WaitlistEntry.rank < mine.rank, db.and_(WaitlistEntry.rank == mine.rank, WaitlistEntry.id < mine.id))))
    return ahead + 1


def line(hub_id: int) -> list[WaitlistEntry]:
    """Everyone still in line, first first."""
    return list(db.session.scalars(
        db.select(WaitlistEntry).where(WaitlistEntry.hub_id == hub_id, WaitlistEntry.status.in_(OPEN))
        .options(db.joinedload(WaitlistEntry.user)).order_by(WaitlistEntry.rank, WaitlistEntry.id)))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _next_waiting(hub_id: int) -> WaitlistEntry | None:
    # Locked, skipping rows another offer run holds, so two freed seats never go to the same person.
    return db.session.scalar(
        db.select(WaitlistEntry)
        .where(WaitlistEntry.hub_id == hub_id, WaitlistEntry.status == WaitlistStatus.WAITING)
        .order_by(WaitlistEntry.rank, WaitlistEntry.id).limit(1)
        .with_for_update(skip_locked=True).execution_options(populate_existing=True))


def offer_free_seats(hub_id: int) -> None:
    """Hand every free seat to the next waiting person as a single-use offer."""
    from ..hubs.models import Hub
    from .services import live_membership

    hub = db.session.get(Hub, hub_id)
    if hub is None:
        return
    while take_seat(hub_id):  # the offer keeps the seat it took, until used, declined or expired
        entry = _next_waiting(hub_id)
        while entry is not None and live_membership(hub, entry.user) is not None:
            entry.status = WaitlistStatus.JOINED  # got in another way; no offer needed
            db.session.flush()
            entry = _next_waiting(hub_id)
        if entry is None:
            release_seat(hub_id)
            return
        _offer(hub, entry)


def _offer(hub, entry: WaitlistEntry) -> WaitlistOffer:
    from ..email import send_email
    from ..urls import external_url

    token = secrets.token_urlsafe(32)
    offer = WaitlistOffer(hub_id=hub.id, entry_id=entry.id, token_hash=token_hash(token), status=OfferStatus.OPEN,
                          expires_at=utcnow() + timedelta(hours=OFFER_HOURS))
    entry.status = WaitlistStatus.OFFERED
    db.session.add(offer)
    db.session.flush()
    audit.record("waitlist.offered", offer, actor_label="waitlist", entry_id=entry.id, user_id=entry.user_id,
                 expires_at=offer.expires_at.isoformat())
    send_email(entry.user.email, f"A seat in {hub.name} is yours for {OFFER_HOURS} hours", "waitlist_offer",
               user=entry.user, hub=hub, offer=offer, hours=OFFER_HOURS,
               link=external_url("waitlist.accept", slug=hub.slug, token=token))
    return offer


def offer_for(hub, user, token: str) -> WaitlistOffer | None:
    """The offer behind a link, only if it is this hub's and this person's."""
    offer = db.session.scalar(db.select(WaitlistOffer).filter_by(token_hash=token_hash(token or "")))
    if offer is None or offer.hub_id != hub.id or offer.entry.user_id != user.id:
        return None
    return offer


def _lock(offer_id: int) -> WaitlistOffer | None:
    return db.session.get(WaitlistOffer, offer_id, with_for_update=True, populate_existing=True)


def _check_open(offer: WaitlistOffer | None) -> WaitlistOffer:
    if offer is None or offer.status is not OfferStatus.OPEN:
        used = offer is not None and offer.status is OfferStatus.USED
        raise OfferGone("You used this offer already." if used else
                        "This offer has ended and its seat went to the next person in line.")
    if offer.expires_at <= utcnow():
        raise OfferGone("This offer ran out and its seat goes to the next person in line.")
    return offer


def accept(hub, user, offer: WaitlistOffer, plan_id):
    """Use the offer: its seat becomes a hold on `plan_id` (the seat counter does not move)."""
    from . import joining

    offer = _check_open(_lock(offer.id))
    offer.status = OfferStatus.USED
    entry = db.session.get(WaitlistEntry, offer.entry_id, with_for_update=True, populate_existing=True)
    entry.status = WaitlistStatus.JOINED
    hold = joining.start_join(hub, user, plan_id, offer_id=offer.id)
    if hold.offer_id != offer.id:
        # The person held a seat already (a join in progress): the offer's seat is not needed.
        release_seat(hub.id)
        offer_free_seats(hub.id)
    audit.record("waitlist.accepted", offer, actor=user, hold_id=hold.id, plan_id=hold.plan_id)
    return hold


def _pass_on(offer: WaitlistOffer, *, offer_status: OfferStatus, entry_status: WaitlistStatus, actor=None,
             actor_label: str | None = None) -> None:
    offer.status = offer_status
    entry = db.session.get(WaitlistEntry, offer.entry_id, with_for_update=True, populate_existing=True)
    if entry is not None and entry.status in OPEN:
        entry.status = entry_status
    audit.record(f"waitlist.{offer_status.value}", offer, actor=actor, actor_label=actor_label,
                 entry_id=offer.entry_id)
    release_seat(offer.hub_id)
    offer_free_seats(offer.hub_id)


def decline(offer: WaitlistOffer, user) -> None:
    """The person does not want the seat: it goes to the next in line, and they leave the list."""
    offer = _check_open(_lock(offer.id))
    _pass_on(offer, offer_status=OfferStatus.DECLINED, entry_status=WaitlistStatus.LEFT, actor=user)


@jobs.periodic
def expire_offers() -> None:
    """Pass on offers whose time ran out; each is locked and re-checked, so it is passed on once."""
    due = db.session.scalars(
        db.select(WaitlistOffer.id)
        .where(WaitlistOffer.status == OfferStatus.OPEN, WaitlistOffer.expires_at < utcnow()).limit(500)
    ).all()
    for offer_id in due:
        offer = _lock(offer_id)
        if offer is not None and offer.status is OfferStatus.OPEN and offer.expires_at < utcnow():
            _pass_on(offer, offer_status=OfferStatus.EXPIRED, entry_status=WaitlistStatus.REMOVED,
                     actor_label="scheduler")
        db.session.commit()
    current_app.logger.debug("passed on %d expired waitlist offers", len(due))


def join(hub, user) -> WaitlistEntry:
    from ..errors import Conflict
    from .services import live_membership

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
            locked = _lock(open_offer.id)
            if locked.status is OfferStatus.OPEN:
                _pass_on(locked, offer_status=OfferStatus.DECLINED, entry_status=WaitlistStatus.LEFT, actor=user)
                continue
        entry.status = WaitlistStatus.LEFT


def move(hub, entry_id, position, reason: str | None, *, actor) -> WaitlistEntry:
    """Put someone at `position` (1 = first) in the line; organizers must say why."""
    entry = db.session.get(WaitlistEntry, parse_id(entry_id)) if parse_id(entry_id) else None
    if entry is None or entry.hub_id != hub.id or entry.status not in OPEN:
        raise ValidationFailed("That person is not on this hub's waitlist.")
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
