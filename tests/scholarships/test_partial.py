"""A partial award: the member pays the reduced price through the normal checkout (the plan's price less a coupon),
the fund covers the rest; an award never paid for gives its seat and its draw back; a scholar can move to a plan."""
from datetime import timedelta

import time_machine

from microhub import jobs
from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.ledger import fund as ledger_fund
from microhub.ledger.models import GroupKind, LedgerGroup
from microhub.memberships.models import Membership, MembershipStatus, SeatHold
from microhub.scholarships import awards, offers
from microhub.scholarships.models import ApplicationStatus as S, ScholarshipApplication

from ..helpers import signed_in
from ..payments.helpers import pay
from .helpers import offered, ranked, scholarship_hub

REDUCED = 400  # of the plan's 900 a month


def fresh(application) -> ScholarshipApplication:
    return db.session.get(ScholarshipApplication, application.id, populate_existing=True)


def accept_in_browser(app, hub, application):
    client = signed_in(app, application.user)
    response = client.submit(f"/h/{hub.slug}/scholarships/mine/{application.id}/accept", {},
                             form_url=f"/h/{hub.slug}/scholarships/mine")
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, response.headers["Location"]


def test_a_partial_award_is_paid_at_the_reduced_price_and_the_fund_covers_the_rest(app):
    hub, plan, organizer = scholarship_hub(seats=1, fund=1_000_00)
    application = offered(hub, organizer, kind="partial", pays=REDUCED)
    client, checkout = accept_in_browser(app, hub, application)
    assert fresh(application).status is S.ACCEPTED
    drawn = 12 * (900 - REDUCED)
    assert ledger_fund.balance(hub.id, "EUR") == 1_000_00 - drawn
    hold = db.session.scalar(db.select(SeatHold).filter_by(user_id=application.user_id))
    assert hold.scholarship and hold.coupon_ref and hold.price_minor == 900
    pay(client, checkout)
    membership = db.session.scalar(db.select(Membership).filter_by(user_id=application.user_id, hub_id=hub.id))
    assert membership.status is MembershipStatus.ACTIVE and membership.scholarship and membership.subscription_ref
    assert fresh(application).status is S.ACTIVE and fresh(application).membership_id == membership.id
    invoice = db.session.scalar(db.select(LedgerGroup).filter_by(hub_id=hub.id, kind=GroupKind.PAYMENT))
    assert -sum(e.amount_minor for e in invoice.entries if e.account.is_income) == REDUCED
    hub = db.session.get(Hub, hub.id)
    assert (hub.seats_taken, hub.scholarship_seats_taken) == (0, 1)


def test_a_partial_award_never_paid_for_gives_back_its_seat_and_draw_and_passes_on(app):
    hub, plan, organizer = scholarship_hub(seats=1, fund=1_000_00)
    application = ranked(hub, organizer, kind="partial", pays=REDUCED)
    second = ranked(hub, organizer, rank=2)
    offers.offer(application, actor=organizer)
    db.session.commit()
    accept_in_browser(app, hub, application)
    with time_machine.travel(utcnow() + timedelta(hours=1), tick=False):
        jobs.tick()
    assert fresh(application).status is S.EXPIRED
    assert fresh(second).status is S.OFFERED  # the seat went on to the next ranked applicant
    assert ledger_fund.balance(hub.id, "EUR") == 1_000_00  # the draw was reversed
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 1


def test_a_scholar_moves_to_a_paid_plan_and_the_scholarship_seat_opens(app):
    hub, plan, organizer = scholarship_hub(seats=1)
    application = offered(hub, organizer)
    awards.accept(fresh(application), application.user)
    db.session.commit()
    client = signed_in(app, application.user)
    response = client.submit(f"/h/{hub.slug}/scholarships/mine/{application.id}/move", {"plan_id": str(plan.id)},
                             form_url=f"/h/{hub.slug}/scholarships/mine")
    assert response.status_code == 302
    pay(client, response.headers["Location"])
    memberships = db.session.scalars(db.select(Membership).filter_by(user_id=application.user_id)
                                     .order_by(Membership.id)).all()
    assert [(m.status, m.scholarship) for m in memberships] == [(MembershipStatus.CANCELED, True),
                                                               (MembershipStatus.ACTIVE, False)]
    assert fresh(application).status is S.ENDED
    hub = db.session.get(Hub, hub.id)
    assert (hub.seats_taken, hub.scholarship_seats_taken) == (1, 0)


def test_moving_to_a_paid_plan_when_no_regular_seat_is_free_changes_nothing(app):
    from ..factories import member_of

    hub, plan, organizer = scholarship_hub(cap=3, seats=1)
    application = offered(hub, organizer)
    awards.accept(fresh(application), application.user)
    db.session.commit()
    for _ in range(2):
        member_of(hub)
    client = signed_in(app, application.user)
    client.submit(f"/h/{hub.slug}/scholarships/mine/{application.id}/move", {"plan_id": str(plan.id)},
                  form_url=f"/h/{hub.slug}/scholarships/mine")
    assert "full right now" in client.get(f"/h/{hub.slug}/scholarships/mine").get_data(as_text=True)
    assert fresh(application).status is S.ACTIVE
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 1
