"""What an award is worth, and whether the scholarship fund can cover it.

An award draws its value from the fund when it is accepted (a ledger group of kind AWARD: scholarships spending
paid as the membership it stands in for). Offers still open are promises on the fund, so what may be offered is
the fund's balance less the value of the open offers it backs.
"""
from __future__ import annotations

from datetime import datetime

from ..billing.models import Interval, Plan
from ..extensions import db
from ..hubs.models import Hub
from ..ledger import fund as ledger_fund
from ..ledger.models import Account, GroupKind, LedgerGroup
from ..ledger.services import Line, post, reverse
from .models import ApplicationStatus, ScholarshipApplication

FUND, ORGANIZERS = "fund", "organizers"


def periods(plan: Plan, term_months: int) -> float:
    return term_months if plan.interval is Interval.MONTH else term_months / 12


def award_value(plan: Plan, term_months: int, pays_minor: int | None) -> int:
    """The plan's price over the term, less what a partial award's member pays over it."""
    per_period = plan.price_minor - (pays_minor or 0)
    return round(per_period * periods(plan, term_months))


def promised(hub_id: int) -> int:
    """The value of the open offers the fund backs."""
    return int(db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(ScholarshipApplication.value_minor), 0))
        .where(ScholarshipApplication.hub_id == hub_id, ScholarshipApplication.status == ApplicationStatus.OFFERED,
               ScholarshipApplication.funded_by == FUND)))


def available(hub: Hub) -> int:
    """What the fund can still promise: its balance less the open offers it backs."""
    return ledger_fund.balance(hub.id, hub.currency) - promised(hub.id)


def covers(application: ScholarshipApplication) -> bool:
    return application.value_minor is not None and application.value_minor <= available(application.hub)


def draw(application: ScholarshipApplication, *, actor: str, at: datetime) -> None:
    """Take an accepted award's value from the fund, once (an award the organizers fund moves no money)."""
    if application.funded_by != FUND or not application.value_minor:
        return
    hub = application.hub
    post(hub, kind=GroupKind.AWARD, source=("award", str(application.id)), occurred_at=at, actor=actor,
         memo="Scholarship seat", details={"term_months": application.term_months, "kind": application.kind.value},
         lines=[Line(Account.SCHOLARSHIPS, application.value_minor, hub.currency),
                Line(Account.MEMBERSHIP_INCOME, -application.value_minor, hub.currency)])


def give_back(application: ScholarshipApplication, *, at: datetime) -> None:
    """An accepted award that was never taken up (its reduced payment never came): its draw is reversed."""
    drawn = db.session.scalar(db.select(LedgerGroup).filter_by(source_type="award", source_ref=str(application.id)))
    if drawn is not None:
        reverse(drawn, reason="Scholarship not taken up: the award's payment never came.", actor="scholarships",
                occurred_at=at)
