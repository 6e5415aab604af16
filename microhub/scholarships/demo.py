"""The demo hub's scholarships: three seats, a programme, a fund given to by named and anonymous donors and by
the Supporter plan's share, one scholarship member, and one application waiting for review."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from ..accounts.models import User
from ..billing.fees import standard_fee
from ..billing.models import Plan
from ..database import utcnow
from ..extensions import db
from ..ledger.models import Account, GroupKind
from ..ledger.services import record_payment
from ..memberships.queries import live_membership
from ..memberships.services import admit
from .fund import FUND, award_value, draw
from .models import ApplicationStatus as S, AwardKind, Need, ScholarshipApplication
from .program import ProgramInfo, program_of, save_program
from .seats import SCHOLARSHIP_SEATS, set_pool

QUESTIONS = ["What do you want to build or learn with the circle?",
             "What would make it hard to take part, and how can we help?"]
#: (month index from the oldest of the twelve, day, cents, public name or None for anonymous)
DONATIONS = [(1, 8, 5000, "Grace Hopper Fan Club"), (3, 14, 2500, None), (6, 2, 10000, "Lin T."),
             (8, 21, 2000, None), (10, 5, 15000, "Northside Devs")]
SCHOLAR = ("Efe Mensah", "efe")
APPLICANT = ("Femi Adeyemi", "femi")


def load_donations(hub, months: list[date]) -> None:
    """Gifts to the fund over the year, as the processor would have reported them (before months are published)."""
    for index, day, amount, donor in DONATIONS:
        when = datetime.combine(months[index].replace(day=day), time(11), ZoneInfo(hub.timezone))
        if when > utcnow():
            continue
        record_payment(hub, source=("demo-donation", f"{months[index]:%Y-%m}-{day}"), income=Account.SCHOLARSHIP_FUND,
                       kind=GroupKind.DONATION, gross=amount, fee=standard_fee(amount, hub.currency),
                       currency=hub.currency, occurred_at=when, charge_ref=None,
                       details={"fee_estimated": True, "demo": True, **({"donor": donor} if donor else {})},
                       memo="Donation to the scholarship fund")


def load_scholarships(hub, organizer, person) -> None:
    """Idempotent: the programme and pool once, the scholar's award once, the waiting application once."""
    member_plan = db.session.scalar(db.select(Plan).filter_by(hub_id=hub.id, name="Member"))
    if program_of(hub) is None:
        save_program(hub, ProgramInfo(
            covers="A full seat in the circle for twelve months: every thread, ritual and cohort, at no cost.",
            who_for="Students, people between jobs, and anyone for whom €9 a month is a real barrier.",
            questions=QUESTIONS, deadline=None, term_months=12, plan_id=member_plan.id), actor=organizer)
        set_pool(hub, 3, actor=organizer)
    scholar = person(f"{SCHOLAR[1]}@demo.microhub.local", SCHOLAR[0])
    if live_membership(hub, scholar) is None and SCHOLARSHIP_SEATS.take(hub.id):
        _award(hub, member_plan, scholar)
    applicant = person(f"{APPLICANT[1]}@demo.microhub.local", APPLICANT[0])
    if db.session.scalar(db.select(ScholarshipApplication.id).filter_by(user_id=applicant.id)) is None:
        db.session.add(ScholarshipApplication(
            hub_id=hub.id, user_id=applicant.id, need=Need.LOW_INCOME, status=S.SUBMITTED,
            answers=[{"question": QUESTIONS[0], "answer": "Ship my first open-source library."},
                     {"question": QUESTIONS[1], "answer": "Evening sessions work best; I care for my mother."}]))
    db.session.flush()


def _award(hub, plan: Plan, scholar: User) -> None:
    began = utcnow() - timedelta(days=40)
    application = ScholarshipApplication(
        hub_id=hub.id, user_id=scholar.id, need=Need.STUDENT, status=S.ACTIVE, rank=1.0, kind=AwardKind.FULL,
        plan_id=plan.id, term_months=12, value_minor=award_value(plan, 12, None), funded_by=FUND,
        offered_at=began - timedelta(days=1), offer_expires_at=began + timedelta(days=2), decided_at=began,
        term_ends_at=began + relativedelta(months=12),
        answers=[{"question": QUESTIONS[0], "answer": "Finish my thesis tooling."},
                 {"question": QUESTIONS[1], "answer": "Nothing; thank you."}])
    db.session.add(application)
    db.session.flush()
    draw(application, actor="demo", at=began)
    membership = admit(hub, scholar, reason="scholarship", scholarship=True, plan_id=plan.id)
    application.membership_id = membership.id
