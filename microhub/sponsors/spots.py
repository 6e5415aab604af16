"""The placements an organizer offers in a hub (spots): where, how many sponsors at once, how long, what price."""
from __future__ import annotations

from dataclasses import dataclass

from .. import audit
from ..accounts.models import User
from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..hubs.access import found_in_hub
from ..hubs.models import Hub
from ..money import format_money, to_minor
from .models import Spot, Where


@dataclass(frozen=True)
class SpotInfo:
    where: str
    at_once: int | None
    period_days: int | None
    price: str


def _checked(hub: Hub, info: SpotInfo) -> dict:
    try:
        where = Where(info.where)
    except ValueError:
        raise ValidationFailed("Choose where the sponsors are shown.", field="where") from None
    if type(info.at_once) is not int or not 1 <= info.at_once <= 10:
        raise ValidationFailed("Show between 1 and 10 sponsors at once.", field="at_once")
    if type(info.period_days) is not int or not 1 <= info.period_days <= 366:
        raise ValidationFailed("A period lasts between 1 and 366 days.", field="period_days")
    try:
        price = to_minor(info.price, hub.currency)
    except DomainError as error:
        raise ValidationFailed(error.message, field="price") from None
    if price <= 0:
        raise ValidationFailed(f"A period costs more than {format_money(0, hub.currency)}.", field="price")
    return {"where": where, "at_once": info.at_once, "period_days": info.period_days, "price_minor": price}


def spots(hub: Hub, *, active_only: bool = False) -> list[Spot]:
    query = db.select(Spot).filter_by(hub_id=hub.id).order_by(Spot.id)
    return list(db.session.scalars(query.filter_by(active=True) if active_only else query))


def add_spot(hub: Hub, info: SpotInfo, *, actor: User) -> Spot:
    spot = Spot(hub_id=hub.id, **_checked(hub, info))
    db.session.add(spot)
    db.session.flush()
    audit.record("spot.created", spot, actor=actor, price_minor=spot.price_minor, currency=hub.currency,
                 at_once=spot.at_once, period_days=spot.period_days, where=spot.where.value)
    return spot


def update_spot(hub: Hub, spot_id, info: SpotInfo, *, actor: User) -> Spot:
    """New terms for later requests; placements already requested keep their price and period."""
    values = _checked(hub, info)
    spot = found_in_hub(Spot, spot_id, "That placement is not offered in this hub.", lock=True, hub_id=hub.id)
    for name, value in values.items():
        setattr(spot, name, value)
    db.session.flush()
    audit.record("spot.updated", spot, actor=actor, price_minor=spot.price_minor, currency=hub.currency,
                 at_once=spot.at_once, period_days=spot.period_days, where=spot.where.value)
    return spot


def set_active(hub: Hub, spot_id, active: bool, *, actor: User) -> Spot:
    """Stop (or resume) offering a spot; its placements keep their periods."""
    spot = found_in_hub(Spot, spot_id, "That placement is not offered in this hub.", lock=True, hub_id=hub.id)
    spot.active = active
    db.session.flush()
    audit.record("spot.resumed" if active else "spot.withdrawn", spot, actor=actor)
    return spot
