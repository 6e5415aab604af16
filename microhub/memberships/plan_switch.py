"""Switching plans within a hub: which plans a member may switch to, what it costs now, and asking the provider.

The request only asks the payment provider (Stripe's subscription update with `proration_behavior="always_invoice"`,
or the test checkout doing the same); the membership's plan changes when `customer.subscription.updated` is
processed (`payments._follow_price`), as every other change does. The preview and the switch share one
`proration_date`, chosen when the confirmation page is shown, so the member is charged what they confirmed."""
from __future__ import annotations

from datetime import timedelta

from .. import audit
from ..billing.models import Plan
from ..billing.provider import gateway
from ..billing.services import hub_plans
from ..database import parse_id, utcnow
from ..errors import ValidationFailed
from ..extensions import db
from .models import Membership, MembershipStatus as S

#: How long a confirmation page's price stays good: older ones are shown again with a fresh price.
FRESH_FOR = timedelta(minutes=30)


def can_switch(membership: Membership) -> str | None:
    """Why `membership` may not switch plans at all, or None."""
    if membership.scholarship:
        return "A scholarship seat keeps its plan; ask the hub's organizers if it should change."
    if membership.status is not S.ACTIVE:
        return "Only an active membership can switch plans; settle the payment first."
    if membership.cancel_at_period_end:
        return "Your membership ends at the end of this period; keep it first, then switch."
    if not membership.subscription_ref or membership.plan is None:
        return "This membership has no paid plan to switch from."
    return None


def options(membership: Membership) -> list[Plan]:
    """The open plans of the member's hub they may switch to (same billing interval, not their own)."""
    if can_switch(membership) is not None:
        return []
    return [plan for plan in hub_plans(membership.hub_id)
            if plan.id != membership.plan_id and plan.interval == membership.plan.interval]


def target(membership: Membership, plan_id) -> Plan:
    """The plan named by `plan_id` if `membership` may switch to it; otherwise a clear refusal."""
    why = can_switch(membership)
    if why is not None:
        raise ValidationFailed(why)
    plan = db.session.get(Plan, parse_id(plan_id)) if parse_id(plan_id) else None
    if plan is None or plan.hub_id != membership.hub_id:
        raise ValidationFailed(f"Choose one of {membership.hub.name}'s plans.", field="plan")
    if plan.id == membership.plan_id:
        raise ValidationFailed(f"You are on the {plan.name} plan already.", field="plan")
    if not plan.active:
        raise ValidationFailed(f"The {plan.name} plan is closed to new members.", field="plan")
    if plan.interval != membership.plan.interval:
        raise ValidationFailed("A switch keeps your billing interval: to go between monthly and yearly, leave at the "
                               "end of the period and join on the other plan.", field="plan")
    return plan


def now() -> int:
    return int(utcnow().timestamp())


def proration_moment(value) -> int:
    """The moment a switch is priced at: `value` from a confirmation page if still fresh, else now."""
    moment, at = parse_id(value), now()
    if moment is None or not at - FRESH_FOR.total_seconds() <= moment <= at + 60:
        raise ValidationFailed("The price shown has expired; check it again before switching.")
    return moment


def preview(membership: Membership, plan: Plan, moment: int) -> int:
    """What switching now charges (negative: a credit taken off the next invoices)."""
    return gateway().preview_plan_change(membership.subscription_ref, plan=plan, proration_date=moment)


def switch(membership: Membership, plan: Plan, moment: int, *, actor) -> None:
    """Ask the provider to switch; the plan follows when its events are processed."""
    gateway().change_plan(membership.subscription_ref, plan=plan, proration_date=moment)
    audit.record("membership.plan_switch_requested", membership, actor=actor, plan=plan.id,
                 previous=membership.plan_id, proration_date=moment)
