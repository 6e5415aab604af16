"""From application to award: offers kept 72 hours and passed on once, the fund drawn on acceptance (or the
organizers funding a seat with a public reason), full awards as memberships without payment, and terms ending."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from dateutil.relativedelta import relativedelta

from microhub import jobs
from microhub.database import utcnow
from microhub.errors import Conflict, ValidationFailed
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.ledger import fund as ledger_fund
from microhub.ledger.models import GroupKind, LedgerGroup
from microhub.memberships.models import Membership, MembershipStatus
from microhub.memberships.queries import live_membership
from microhub.scholarships import applications, awards, offers
from microhub.scholarships.models import ApplicationStatus as S, ScholarshipApplication
from microhub.scholarships.program import ProgramInfo, save_program, today_in
from microhub.scholarships.seats import set_pool

from ..mail import mails
from .helpers import QUESTIONS, offered, ranked, scholarship_hub

YEAR_OF_900 = 12 * 900


def fresh(application) -> ScholarshipApplication:
    return db.session.get(ScholarshipApplication, application.id, populate_existing=True)


def award_groups(hub) -> list[LedgerGroup]:
    return list(db.session.scalars(db.select(LedgerGroup).filter_by(hub_id=hub.id, kind=GroupKind.AWARD)))


def test_a_full_award_accepted_is_a_membership_without_payment_drawn_from_the_fund(app):
    hub, plan, organizer = scholarship_hub(fund=1_000_00)
    application = offered(hub, organizer)
    assert awards.accept(fresh(application), application.user) is None
    db.session.commit()
    application = fresh(application)
    membership = live_membership(hub, application.user)
    assert application.status is S.ACTIVE and membership.scholarship and membership.subscription_ref is None
    assert membership.status is MembershipStatus.ACTIVE and membership.plan_id == plan.id
    assert application.term_ends_at.date() > (utcnow() + timedelta(days=360)).date()
    [group] = award_groups(hub)
    assert {e.account.value: e.amount_minor for e in group.entries} == {
        "spending.scholarships": YEAR_OF_900, "income.membership": -YEAR_OF_900}
    assert ledger_fund.balance(hub.id, "EUR") == 1_000_00 - YEAR_OF_900
    hub = db.session.get(Hub, hub.id)
    assert (hub.seats_taken, hub.scholarship_seats_taken) == (0, 1)
    steps = [m.subject for m in mails(application.user.email)]
    assert steps == [f"Your scholarship application to {hub.name} is in",
                     f"Your scholarship application to {hub.name} is being reviewed",
                     f"A scholarship seat in {hub.name} is yours for 72 hours",
                     f"Welcome to {hub.name}: your scholarship has started"]


def test_an_offer_the_fund_cannot_cover_needs_an_organizers_public_reason_and_draws_nothing(app):
    hub, _, organizer = scholarship_hub(fund=50_00)
    application = ranked(hub, organizer)
    with pytest.raises(ValidationFailed, match="cannot cover"):
        offers.offer(application, actor=organizer)
    db.session.rollback()
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 0
    application = fresh(application)
    offers.offer(application, actor=organizer, reason="Our organizers pay this seat from their own budget")
    db.session.commit()
    awards.accept(fresh(application), application.user)
    db.session.commit()
    assert fresh(application).funded_by == "organizers" and award_groups(hub) == []
    assert ledger_fund.balance(hub.id, "EUR") == 50_00


def test_open_offers_are_promises_on_the_fund(app):
    hub, _, organizer = scholarship_hub(fund=YEAR_OF_900 + 100)
    first, second = ranked(hub, organizer, rank=1), ranked(hub, organizer, rank=2)
    offers.offer(first, actor=organizer)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="cannot cover"):
        offers.offer(fresh(second), actor=organizer)


def test_a_declined_offer_goes_to_the_next_ranked_applicant(app):
    hub, _, organizer = scholarship_hub(seats=1)
    first, second = ranked(hub, organizer, rank=1), ranked(hub, organizer, rank=2)
    offers.offer(first, actor=organizer)
    db.session.commit()
    offers.decline_offer(fresh(first), actor=first.user)
    db.session.commit()
    assert (fresh(first).status, fresh(second).status) == (S.DECLINED, S.OFFERED)
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 1


def test_an_expired_offer_moves_on_exactly_once(app):
    hub, _, organizer = scholarship_hub(seats=1)
    first, second, third = (ranked(hub, organizer, rank=n) for n in (1, 2, 3))
    offers.offer(first, actor=organizer)
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(hours=71), tick=False):
        jobs.tick()
        assert fresh(first).status is S.OFFERED
    with time_machine.travel(utcnow() + timedelta(hours=73), tick=False):
        jobs.tick()
        jobs.tick()
        assert [fresh(a).status for a in (first, second, third)] == [S.EXPIRED, S.OFFERED, S.IN_REVIEW]
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 1
    assert len(mails(first.user.email, subject_contains="has expired")) == 1
    assert len(mails(second.user.email, subject_contains="yours for 72 hours")) == 1


def test_a_passed_on_offer_waits_when_the_fund_cannot_cover_the_next_award(app):
    hub, _, organizer = scholarship_hub(seats=1, fund=YEAR_OF_900)
    first, second = ranked(hub, organizer, rank=1), ranked(hub, organizer, rank=2)
    offers.offer(first, actor=organizer)
    db.session.commit()
    awards.accept(fresh(first), first.user)  # the whole fund is drawn
    db.session.commit()
    hub = db.session.get(Hub, hub.id)
    set_pool(hub, 2, actor=organizer)
    db.session.commit()
    awards.offer_next(hub.id)
    assert fresh(second).status is S.IN_REVIEW


def test_withdrawing_an_offer_frees_its_seat_and_the_applicant_cannot_accept_twice(app):
    hub, _, organizer = scholarship_hub(seats=1)
    application = offered(hub, organizer)
    applications.withdraw(hub, application.user, fresh(application))
    db.session.commit()
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 0
    with pytest.raises(Conflict, match="not open"):
        awards.accept(fresh(application), application.user)


def test_the_term_notice_goes_once_14_days_before_and_the_term_ends_the_membership(app):
    hub, _, organizer = scholarship_hub(seats=1)
    application = offered(hub, organizer)
    awards.accept(fresh(application), application.user)
    db.session.commit()
    ends = fresh(application).term_ends_at
    with time_machine.travel(ends - timedelta(days=15), tick=False):
        jobs.tick()
    assert mails(application.user.email, subject_contains="ends in 14 days") == []
    with time_machine.travel(ends - timedelta(days=13), tick=False):
        jobs.tick()
        jobs.tick()
    assert len(mails(application.user.email, subject_contains="ends in 14 days")) == 1
    with time_machine.travel(ends + timedelta(minutes=2), tick=False):
        jobs.tick()
    membership = db.session.scalar(db.select(Membership).filter_by(hub_id=hub.id, user_id=application.user_id))
    assert membership.status is MembershipStatus.EXPIRED
    assert fresh(application).status is S.ENDED
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 0
    assert len(mails(application.user.email, subject_contains="has ended")) == 1


def test_a_renewal_keeps_the_seat_and_adds_a_term(app):
    hub, _, organizer = scholarship_hub(seats=1, fund=3 * YEAR_OF_900)
    application = offered(hub, organizer)
    awards.accept(fresh(application), application.user)
    db.session.commit()
    first_end = fresh(application).term_ends_at
    renewal = applications.renew(hub, application.user, fresh(application))
    applications.rank(renewal, rank=1, kind="full", pays_minor=None, actor=organizer)
    offers.offer(renewal, actor=organizer)
    db.session.commit()
    awards.accept(fresh(renewal), application.user)
    db.session.commit()
    assert fresh(application).status is S.ENDED and fresh(renewal).status is S.ACTIVE
    assert fresh(renewal).term_ends_at.date() > (first_end + timedelta(days=360)).date()
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 1
    assert live_membership(hub, application.user) is not None
    assert len(award_groups(hub)) == 2


def test_answers_are_deleted_90_days_after_the_decision_and_the_decision_stays(app):
    hub, _, organizer = scholarship_hub(seats=1)
    application = ranked(hub, organizer)
    applications.decline(fresh(application), actor=organizer)
    db.session.commit()
    with time_machine.travel(utcnow() + timedelta(days=89), tick=False):
        jobs.tick()
    assert fresh(application).answers is not None
    with time_machine.travel(utcnow() + timedelta(days=91), tick=False):
        jobs.tick()
    application = fresh(application)
    assert application.answers is None and application.answers_deleted_at is not None
    assert application.status is S.DECLINED


def test_a_term_fixed_to_a_day_ends_then_and_is_valued_by_the_months_it_spans(app):
    hub, plan, organizer = scholarship_hub(seats=1)
    ends_on = today_in(hub) + relativedelta(months=2, days=10)  # one cohort's last day
    save_program(hub, ProgramInfo(covers="", who_for="", questions=QUESTIONS, deadline=None, term_months=12,
                                  plan_id=plan.id, term_ends_on=ends_on), actor=organizer)
    db.session.commit()
    application = offered(hub, organizer)
    assert (application.term_months, application.value_minor) == (3, 3 * 900)  # two months and ten days
    awards.accept(fresh(application), application.user)
    db.session.commit()
    ends = fresh(application).term_ends_at
    assert ends.astimezone(ZoneInfo(hub.timezone)) == datetime.combine(ends_on + timedelta(days=1), time(),
                                                                       ZoneInfo(hub.timezone))
    with time_machine.travel(ends - timedelta(minutes=2), tick=False):
        jobs.tick()
        assert fresh(application).status is S.ACTIVE
    with time_machine.travel(ends + timedelta(minutes=2), tick=False):
        jobs.tick()
    assert fresh(application).status is S.ENDED
