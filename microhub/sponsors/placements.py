"""Placements: a sponsor requests a spot for a period; an organizer approves (within the spot's limit at once,
checked under the spot's lock) or rejects; paid, it goes live and ends; an organizer may cancel it with a refund
of the whole days not used. Every move is one conditional UPDATE (`_move`), so two actors never both win."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .. import audit
from ..accounts.models import User
from ..billing.provider import gateway
from ..database import update_where, utcnow
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..hubs.access import found_in_hub
from ..hubs.models import Hub
from .listings import listing_of
from .models import HOLDING, Placement, PlacementStatus as P, Spot, Sponsor
from .notices import tell_organizers, tell_sponsor

#: How long an approved request waits for its payment (never past the start of its period).
PAY_WITHIN = timedelta(hours=72)
#: How far ahead a period may start.
BOOK_AHEAD_DAYS = 366
OPEN = (P.REQUESTED, *HOLDING)


def _move(placement: Placement, before: tuple[P, ...], after: P, **values) -> bool:
    """The one transition: `placement` moves to `after` only from one of `before`; True for the caller that did."""
    return update_where(Placement, placement.id, Placement.status.in_(before), status=after, **values)


def period_of(hub: Hub, spot: Spot, starts_on: date) -> tuple[datetime, datetime]:
    """From midnight of `starts_on` in the hub's zone, for the spot's number of days (local midnights), in UTC."""
    zone = ZoneInfo(hub.timezone or "UTC")
    start = datetime.combine(starts_on, time(), zone)
    end = datetime.combine(starts_on + timedelta(days=spot.period_days), time(), zone)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


def holding(spot: Spot, starts_at: datetime, ends_at: datetime, *, but: int | None = None) -> int:
    """How many placements of the spot hold a place during any part of [starts_at, ends_at)."""
    query = db.select(db.func.count()).select_from(Placement).where(
        Placement.spot_id == spot.id, Placement.status.in_(HOLDING),
        Placement.starts_at < ends_at, Placement.ends_at > starts_at)
    if but is not None:
        query = query.where(Placement.id != but)
    return db.session.scalar(query)


def request(sponsor: Sponsor, hub: Hub, spot_id, starts_on: date | None, *, actor: User) -> Placement:
    """Ask for the spot for one period starting on `starts_on` (the hub's calendar). Flushes."""
    listing = listing_of(sponsor.id, hub.id)
    if listing is None or listing.live_id is None:
        raise Conflict("Your listing in this hub needs an organizer's approval before you can ask for a placement.")
    spot = found_in_hub(Spot, spot_id, "That placement is not offered in this hub.", hub_id=hub.id)
    if not spot.active:
        raise NotFound("That placement is not offered any more.", field="spot_id")
    today = utcnow().astimezone(ZoneInfo(hub.timezone or "UTC")).date()
    if starts_on is None or not today < starts_on <= today + timedelta(days=BOOK_AHEAD_DAYS):
        raise ValidationFailed(f"Choose a start day after today and at most {BOOK_AHEAD_DAYS} days ahead.",
                               field="starts_on")
    starts_at, ends_at = period_of(hub, spot, starts_on)
    mine = db.select(Placement.id).where(Placement.spot_id == spot.id, Placement.sponsor_id == sponsor.id,
                                         Placement.status.in_(OPEN), Placement.starts_at < ends_at,
                                         Placement.ends_at > starts_at)
    if db.session.scalar(mine) is not None:
        raise Conflict("You already asked for this placement for part of that period.", field="starts_on")
    if holding(spot, starts_at, ends_at) >= spot.at_once:
        raise Conflict(f"This placement already shows {spot.at_once} sponsors during that period; choose another "
                       "start day.", field="starts_on")
    placement = Placement(hub_id=hub.id, spot_id=spot.id, sponsor_id=sponsor.id, listing_id=listing.id,
                          starts_at=starts_at, ends_at=ends_at, price_minor=spot.price_minor, currency=hub.currency,
                          requested_by_id=actor.id)
    db.session.add(placement)
    db.session.flush()
    audit.record("placement.requested", placement, actor=actor, price_minor=placement.price_minor,
                 currency=placement.currency)
    tell_organizers(hub, f"{sponsor.name} asks for a placement in {hub.name}", sponsor=sponsor,
                    what=f"a placement request ({spot.where.label}, from {starts_on:%d %b %Y})")
    return placement


def _in_hub(hub: Hub, placement_id) -> Placement:
    return found_in_hub(Placement, placement_id, "That placement is not in this hub.", hub_id=hub.id)


def approve(hub: Hub, placement_id, *, actor: User) -> Placement:
    """Approve a request if the spot still has room for its whole period: counted under the spot's row lock (a
    no-op UPDATE, which PostgreSQL and SQLite both serialize), so two organizers at once never pass the limit."""
    placement = _in_hub(hub, placement_id)
    update_where(Spot, placement.spot_id, active=Spot.active)  # the lock: held until this transaction ends
    db.session.refresh(placement)
    now = utcnow()
    if placement.status is not P.REQUESTED:
        raise Conflict("That request was decided already.")
    if placement.starts_at <= now:
        raise Conflict("That request's period has started; it can no longer be approved.")
    spot = db.session.get(Spot, placement.spot_id)
    if holding(spot, placement.starts_at, placement.ends_at, but=placement.id) >= spot.at_once:
        raise Conflict(f"This placement already has {spot.at_once} sponsors for part of that period.")
    pay_by = min(now + PAY_WITHIN, placement.starts_at)
    if not _move(placement, (P.REQUESTED,), P.APPROVED, pay_by=pay_by, decided_by_id=actor.id, decided_at=now):
        raise Conflict("That request was decided already.")
    audit.record("placement.approved", placement, actor=actor, pay_by=pay_by.isoformat())
    tell_sponsor(placement.sponsor_id, f"Your placement in {hub.name} is approved: please pay",
                 "sponsor_placement_update", hub=hub, placement=placement, what="approved")
    return placement


def reject(hub: Hub, placement_id, reason: str, *, actor: User) -> Placement:
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise ValidationFailed("Write why, for the sponsor (at most 1,000 characters).", field="reason")
    placement = _in_hub(hub, placement_id)
    if not _move(placement, (P.REQUESTED,), P.REJECTED, reason=reason, decided_by_id=actor.id, decided_at=utcnow()):
        raise Conflict("That request was decided already.")
    audit.record("placement.rejected", placement, actor=actor, reason=reason)
    tell_sponsor(placement.sponsor_id, f"Your placement request in {hub.name} was not approved",
                 "sponsor_placement_update", hub=hub, placement=placement, what="rejected")
    return placement


def unused_part(placement: Placement, now: datetime) -> int:
    """What the whole days not yet begun are worth, of what was paid (all of it before the start)."""
    days = round((placement.ends_at - placement.starts_at) / timedelta(days=1))
    if now <= placement.starts_at:
        return placement.price_minor
    left = max(0, (placement.ends_at - now) // timedelta(days=1))
    return placement.price_minor * left // max(days, 1)


def cancel(hub: Hub, placement_id, reason: str, *, actor: User) -> Placement:
    """End a paid or live placement now and refund the whole days it will not be shown (through the gateway;
    the ledger books the refund when the processor reports it). Flushes."""
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise ValidationFailed("Write why, for the sponsor (at most 1,000 characters).", field="reason")
    placement = _in_hub(hub, placement_id)
    now = utcnow()
    refund = unused_part(placement, now)
    was_live = placement.status is P.LIVE
    marker = {"turned_off_at": now} if was_live else {}
    if not _move(placement, (P.PAID, P.LIVE), P.CANCELED, reason=reason, refunded_minor=refund, **marker):
        raise Conflict("Only a paid or live placement can be cancelled.")
    if refund > 0 and placement.charge_ref:
        gateway().refund_charge(placement.charge_ref, refund, reason=f"Placement {placement.id} cancelled",
                                idempotency_key=f"placement-{placement.id}-cancel-refund")
    audit.record("placement.canceled", placement, actor=actor, refund_minor=refund, currency=placement.currency,
                 reason=reason)
    tell_sponsor(placement.sponsor_id, f"Your placement in {hub.name} was cancelled", "sponsor_placement_update",
                 hub=hub, placement=placement, what="canceled")
    return placement


def of_hub(hub: Hub) -> list[Placement]:
    return list(db.session.scalars(db.select(Placement).filter_by(hub_id=hub.id)
                                   .order_by(Placement.starts_at.desc(), Placement.id.desc())))


def of_sponsor(sponsor: Sponsor) -> list[Placement]:
    return list(db.session.scalars(db.select(Placement).filter_by(sponsor_id=sponsor.id)
                                   .order_by(Placement.starts_at.desc(), Placement.id.desc())))
