"""Scholarship seats are their own pool of the cap: regular joins stop at cap − pool, awards at the pool, and
both together never pass the cap, under any concurrency."""
import pytest

from microhub.accounts.models import User
from microhub.errors import Conflict, ValidationFailed
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.memberships import joining
from microhub.scholarships import offers
from microhub.scholarships.models import ApplicationStatus, ScholarshipApplication
from microhub.scholarships.seats import set_pool

from ..factories import UserFactory, member_of, organizer_of
from ..helpers import at_once
from .helpers import ranked, scholarship_hub


def test_regular_joins_stop_at_the_cap_less_the_scholarship_seats(app):
    hub, plan, _ = scholarship_hub(cap=4, seats=2)
    for _ in range(2):
        member_of(hub)
    with pytest.raises(joining.HubFull):
        joining.start_join(hub, UserFactory(), plan.id)
    db.session.rollback()
    assert (hub.seats_left, hub.scholarship_seats_left) == (0, 2)


def test_awards_stop_at_the_pool(app):
    hub, _, organizer = scholarship_hub(cap=10, seats=1)
    first, second = ranked(hub, organizer, rank=1), ranked(hub, organizer, rank=2)
    offers.offer(first, actor=organizer)
    db.session.commit()
    with pytest.raises(Conflict, match="Every scholarship seat is taken"):
        offers.offer(second, actor=organizer)
    db.session.rollback()
    assert db.session.get(ScholarshipApplication, second.id).status is ApplicationStatus.IN_REVIEW
    assert db.session.get(Hub, hub.id).scholarship_seats_taken == 1


def test_a_pool_raised_over_taken_regular_seats_never_lets_the_total_pass_the_cap(app):
    hub, _, organizer = scholarship_hub(cap=3, seats=1)
    application = ranked(hub, organizer)
    set_pool(hub, 0, actor=organizer)
    for _ in range(3):
        member_of(hub)
    note = set_pool(hub, 1, actor=organizer)
    db.session.commit()
    assert "held by regular members" in note
    assert hub.scholarship_seats_left == 0
    with pytest.raises(Conflict):
        offers.offer(application, actor=organizer)
    db.session.rollback()
    hub = db.session.get(Hub, hub.id)
    assert hub.seats_taken + hub.scholarship_seats_taken == 3


def test_the_pool_cannot_shrink_below_the_seats_in_use_nor_grow_past_the_cap(app):
    hub, _, organizer = scholarship_hub(cap=5, seats=2)
    for application in [ranked(hub, organizer, rank=1), ranked(hub, organizer, rank=2)]:
        offers.offer(application, actor=organizer)
    db.session.commit()
    with pytest.raises(ValidationFailed, match="2 scholarship seats are in use"):
        set_pool(hub, 1, actor=organizer)
    db.session.rollback()
    with pytest.raises(ValidationFailed, match="at most that many"):
        set_pool(hub, 6, actor=organizer)
    db.session.rollback()
    assert db.session.get(Hub, hub.id).scholarship_seats == 2


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("round_", range(3))
def test_two_organizers_offering_the_last_seat_at_once_one_wins_the_other_is_told(app_factory, round_):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 6, "max_overflow": 0})
    with app.app_context():
        hub, _, first = scholarship_hub(cap=10, seats=1, fund=10_000_00)
        _, second = organizer_of(hub)
        runners = [(first.id, ranked(hub, first, rank=1).id), (second.id, ranked(hub, first, rank=2).id)]
        hub_id = hub.id
        assert db.engine.dialect.name == "postgresql"

    def prepare(runner):
        return db.session.get(User, runner[0]), runner[1]

    def act(prepared) -> str:
        organizer, application_id = prepared
        application = db.session.get(ScholarshipApplication, application_id, with_for_update=True)
        try:
            offers.offer(application, actor=organizer)
            db.session.commit()
            return "offered"
        except Conflict:
            db.session.rollback()
            return "told"

    outcomes = at_once(app, runners, prepare, act)
    with app.app_context():
        assert sorted(outcomes) == ["offered", "told"]
        hub = db.session.get(Hub, hub_id)
        offered_count = db.session.scalar(db.select(db.func.count(ScholarshipApplication.id)).filter_by(
            hub_id=hub_id, status=ApplicationStatus.OFFERED))
        assert hub.scholarship_seats_taken == offered_count == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_regular_joins_and_awards_racing_for_the_last_places_never_pass_the_cap(app_factory):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 14, "max_overflow": 0})
    with app.app_context():
        hub, plan, organizer = scholarship_hub(cap=6, seats=2, fund=10_000_00)
        for _ in range(4):
            member_of(hub)
        set_pool(hub, 3, actor=organizer)  # one scholarship seat is held by a regular member for now
        db.session.commit()
        buyers = [("join", UserFactory().id) for _ in range(5)]
        awards = [("award", ranked(hub, organizer, rank=n).id) for n in range(1, 6)]
        hub_id, plan_id, organizer_id = hub.id, plan.id, organizer.id

    def prepare(runner):
        return runner[0], runner[1], db.session.get(User, organizer_id)

    def act(prepared) -> str:
        kind, row_id, organizer = prepared
        try:
            if kind == "join":
                joining.start_join(db.session.get(Hub, hub_id), db.session.get(User, row_id), plan_id)
            else:
                offers.offer(db.session.get(ScholarshipApplication, row_id, with_for_update=True), actor=organizer)
            db.session.commit()
            return kind
        except (Conflict, joining.HubFull):
            db.session.rollback()
            return "refused"

    outcomes = at_once(app, buyers + awards, prepare, act)
    with app.app_context():
        hub = db.session.get(Hub, hub_id)
        assert outcomes.count("join") == 0  # regular seats: 6 − 3 = 3, and 4 are taken
        assert outcomes.count("award") == 2 == hub.scholarship_seats_taken
        assert hub.seats_taken + hub.scholarship_seats_taken == hub.cap
