"""The cap holds under real concurrency: many buyers on separate PostgreSQL connections at once."""
import pytest

from microhub.accounts.models import User
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.memberships import joining
from microhub.memberships.models import HoldStatus, Membership, SeatHold

from ..factories import UserFactory, member_of
from ..helpers import at_once
from .helpers import hub_with_plan

BUYERS = 50
FREE_SEATS = 5


def race(app, hub_id: int, plan_id: int, user_ids: list[int]) -> list[str]:
    """Every buyer tries to hold a seat at the same instant, each in its own app context and connection."""
    def buy(user) -> str:
        try:
            joining.start_join(db.session.get(Hub, hub_id), user, plan_id)
            db.session.commit()
            return "held"
        except joining.HubFull:
            db.session.rollback()
            return "full"

    return at_once(app, user_ids, lambda user_id: db.session.get(User, user_id), buy)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("round_", range(3))
def test_fifty_buyers_for_five_free_seats_get_exactly_five_holds(app_factory, round_):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": BUYERS + 5, "max_overflow": 0})
    with app.app_context():
        hub, plan = hub_with_plan(cap=FREE_SEATS + 3)
        for _ in range(3):
            member_of(hub)
        user_ids = [UserFactory().id for _ in range(BUYERS)]
        hub_id, plan_id = hub.id, plan.id
        assert db.engine.dialect.name == "postgresql"

    outcomes = race(app, hub_id, plan_id, user_ids)

    with app.app_context():
        assert sorted(outcomes).count("held") == FREE_SEATS and len(outcomes) == BUYERS
        holds = db.session.scalar(db.select(db.func.count(SeatHold.id)).filter_by(hub_id=hub_id,
                                                                                  status=HoldStatus.HELD))
        members = db.session.scalar(db.select(db.func.count(Membership.id)).filter_by(hub_id=hub_id)
                                    .where(Membership.status.in_(["active", "past_due"])))
        hub = db.session.get(Hub, hub_id)
        assert holds == FREE_SEATS
        assert members + holds == hub.seats_taken == hub.cap
