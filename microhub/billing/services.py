"""Plan rules: a hub's value tiers, what they cost, what they send to the scholarship fund, and the currency they
fix."""
from __future__ import annotations

from decimal import Decimal

from .. import audit
from ..errors import ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from ..money import CURRENCIES, format_money, to_minor
from .models import Interval, Plan
from .provider import gateway


def hub_plans(hub_id: int, *, active_only: bool = True) -> list[Plan]:
    query = db.select(Plan).filter_by(hub_id=hub_id)
    if active_only:
        query = query.filter_by(active=True)
    return list(db.session.scalars(query.order_by(Plan.price_minor, Plan.id)))


def plan_for_price(hub_id: int, price_ref: str | None) -> Plan | None:
    """The hub's plan (open or closed) whose price `price_ref` names at the payment provider; None when none does."""
    if not price_ref:
        return None
    plans = db.session.scalars(db.select(Plan).filter_by(hub_id=hub_id).order_by(Plan.id))
    return next((plan for plan in plans if gateway().names_price(plan, price_ref)), None)


def amount_text(amount_minor: int, currency: str) -> str:
    """1250 EUR as "12.50": how a form shows an amount it will read back with `to_minor`."""
    return f"{Decimal(amount_minor).scaleb(-CURRENCIES.get(currency, 2)):f}"


def parse_scholarship_share(text: str | None, *, price_minor: int, currency: str) -> int:
    """The share of each payment a plan sends to the scholarship fund, read from the organizer's words.

    Empty means none; never negative and never above the plan's price (the database checks it too)."""
    if not (text or "").strip():
        return 0
    try:
        share = to_minor(text, currency)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="scholarship_share") from None
    if share > price_minor:
        raise ValidationFailed(f"A plan sends at most its price ({format_money(price_minor, currency)}) to the "
                               f"scholarship fund.", field="scholarship_share")
    return share


def create_plan(hub: Hub, *, name: str, includes: str, price: str, interval: str, actor=None,
                scholarship_share: str | None = None) -> Plan:
    """A new plan at a fixed price; `scholarship_share` is what each payment sends to the fund (none if empty)."""
    try:
        amount = to_minor(price, hub.currency)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="price")
    if amount <= 0:
        raise ValidationFailed("A plan costs more than nothing; scholarships cover free seats.", field="price")
    if interval not in {i.value for i in Interval}:
        raise ValidationFailed("Bill monthly or yearly.", field="interval")
    share = parse_scholarship_share(scholarship_share, price_minor=amount, currency=hub.currency)
    plan = Plan(hub_id=hub.id, name=name.strip(), includes=includes, price_minor=amount, interval=Interval(interval),
                scholarship_share_minor=share)
    db.session.add(plan)
    db.session.flush()
    gateway().sync_plan(plan)
    audit.record("plan.created", plan, actor=actor, name=plan.name, price_minor=plan.price_minor,
                 currency=hub.currency, interval=plan.interval.value, scholarship_share_minor=share)
    return plan


def update_plan(plan: Plan, *, name: str, includes: str, active: bool, actor,
                scholarship_share: str | None = None) -> Plan:
    """Rename a plan, say what it includes, open or close it to new members, set what each payment sends to the
    scholarship fund (None: as it is); its price never changes. A refused share changes nothing."""
    share = plan.scholarship_share_minor if scholarship_share is None else parse_scholarship_share(
        scholarship_share, price_minor=plan.price_minor, currency=plan.hub.currency)
    before = {"name": plan.name, "active": plan.active, "scholarship_share_minor": plan.scholarship_share_minor}
    plan.name, plan.includes, plan.active, plan.scholarship_share_minor = name.strip(), includes, active, share
    db.session.flush()
    audit.record("plan.updated", plan, actor=actor, before=before, name=plan.name, active=plan.active,
                 scholarship_share_minor=share)
    return plan


def refuse_currency_change(hub: Hub, *, changes: dict) -> None:
    """A hub's currency is fixed once it has plans: their prices are in it (a receiver of `hub_changing`)."""
    if "currency" in changes and db.session.scalar(db.select(Plan.id).filter_by(hub_id=hub.id).limit(1)) is not None:
        raise ValidationFailed("The currency cannot change once plans have prices.", field="currency")
