"""Plan rules: a hub's value tiers, what they cost, and the currency they fix."""
from __future__ import annotations

from .. import audit
from ..errors import ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from ..money import to_minor
from .models import Interval, Plan
from .provider import gateway


def hub_plans(hub_id: int, *, active_only: bool = True) -> list[Plan]:
    query = db.select(Plan).filter_by(hub_id=hub_id)
    if active_only:
        query = query.filter_by(active=True)
    return list(db.session.scalars(query.order_by(Plan.price_minor, Plan.id)))


def create_plan(hub: Hub, *, name: str, includes: str, price: str, interval: str, actor=None) -> Plan:
    try:
        amount = to_minor(price, hub.currency)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="price")
    if amount <= 0:
        raise ValidationFailed("A plan costs more than nothing; scholarships cover free seats.", field="price")
    if interval not in {i.value for i in Interval}:
        raise ValidationFailed("Bill monthly or yearly.", field="interval")
    plan = Plan(hub_id=hub.id, name=name.strip(), includes=includes, price_minor=amount, interval=Interval(interval))
    db.session.add(plan)
    db.session.flush()
    gateway().sync_plan(plan)
    audit.record("plan.created", plan, actor=actor, name=plan.name,
                 price_minor=plan.price_minor, currency=hub.currency, interval=plan.interval.value)
    return plan


def update_plan(plan: Plan, *, name: str, includes: str, active: bool, actor) -> Plan:
    """Rename a plan, say what it includes, open or close it to new members; its price never changes."""
    before = {"name": plan.name, "active": plan.active}
    plan.name, plan.includes, plan.active = name.strip(), includes, active
    db.session.flush()
    audit.record("plan.updated", plan, actor=actor, before=before, name=plan.name, active=plan.active)
    return plan


def refuse_currency_change(hub: Hub, *, changes: dict) -> None:
    """A hub's currency is fixed once it has plans: their prices are in it (a receiver of `hub_changing`)."""
    if "currency" in changes and db.session.scalar(db.select(Plan.id).filter_by(hub_id=hub.id).limit(1)) is not None:
        raise ValidationFailed("The currency cannot change once plans have prices.", field="currency")
