"""Shared steps for scholarship tests: a hub with a programme, a funded fund, applicants, and the reviewers' pages."""
from __future__ import annotations

from microhub.database import utcnow
from microhub.extensions import db
from microhub.ledger.models import Account, GroupKind
from microhub.ledger.services import record_payment
from microhub.scholarships import applications, offers
from microhub.scholarships.models import ScholarshipApplication
from microhub.scholarships.program import ProgramInfo, save_program
from microhub.scholarships.seats import set_pool

from ..factories import PlanFactory, UserFactory, organizer_of

QUESTIONS = ["What would you do here?", "Anything else?"]


def scholarship_hub(*, cap: int = 10, seats: int = 2, fund: int = 1_000_00, price: int = 900):
    """A hub (cap `cap`, `seats` of them for scholarships) whose organizer set up a 12-month programme on a
    monthly plan at `price`, with `fund` minor units donated to the fund; returns (hub, plan, organizer)."""
    hub, organizer = organizer_of(cap=cap)
    plan = PlanFactory(hub=hub, price_minor=price)
    save_program(hub, ProgramInfo(covers="A seat for a year", who_for="Students", questions=QUESTIONS, deadline=None,
                                  term_months=12, plan_id=plan.id), actor=organizer)
    set_pool(hub, seats, actor=organizer)
    if fund:
        donate(hub, fund)
    db.session.commit()
    return hub, plan, organizer


def donate(hub, amount: int, *, donor: str | None = None, ref: str | None = None) -> None:
    """A donation to the fund as the ledger records it (fee 0: the fund's figures are about the gross)."""
    record_payment(hub, source=("checkout", ref or f"cs_test_{utcnow().timestamp()}_{amount}"),
                   income=Account.SCHOLARSHIP_FUND, kind=GroupKind.DONATION, gross=amount, fee=0,
                   currency=hub.currency, occurred_at=utcnow(), charge_ref=None,
                   details={"donor": donor} if donor else {}, memo="Donation to the scholarship fund")
    db.session.commit()


def applied(hub, user=None, answers=("I'd learn", "No")) -> ScholarshipApplication:
    user = user or UserFactory()
    application = applications.apply(hub, user, need="student", answers=list(answers))
    db.session.commit()
    return application


def ranked(hub, organizer, *, rank: int = 1, kind: str = "full", pays: int | None = None, user=None):
    application = applied(hub, user)
    applications.rank(application, rank=rank, kind=kind, pays_minor=pays, actor=organizer)
    db.session.commit()
    return application


def offered(hub, organizer, **kwargs) -> ScholarshipApplication:
    application = ranked(hub, organizer, **kwargs)
    offers.offer(application, actor=organizer)
    db.session.commit()
    return application
