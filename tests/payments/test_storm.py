"""On PostgreSQL: double clicks, parallel payments and a storm of buyers never strand a seat or charge twice."""
import threading
from datetime import timedelta

import pytest
import time_machine

from microhub import jobs
from microhub.billing.local import LocalObject
from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.memberships import joining
from microhub.memberships.models import LIVE_STATUSES, HoldStatus, Membership, SeatHold

from ..factories import UserFactory, member_of
from ..helpers import signed_in
from .helpers import BASE, hub_with_plan

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def at_once(*calls) -> list:
    """Run every call at the same instant on its own thread; return their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # noqa: BLE001  the test asserts on it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def join(client, slug: str, plan_id: int):
    token = client.csrf_token(f"/h/{slug}/join")
    return lambda: client.post(f"/h/{slug}/join", data={"csrf_token": token, "plan": str(plan_id)})


def pay(client, checkout_url: str):
    path = checkout_url.replace(BASE, "")
    token = client.csrf_token(path)
    return lambda: client.post(path, data={"csrf_token": token, "card_number": "4242 4242 4242 4242",
                                           "expiry": "12/34", "cvc": "123"})


@pytest.fixture
def storm_app(app_factory):
    # Served only: the test body reads through the `app` fixture's own context, so no request shares its `g`.
    return app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 90, "max_overflow": 10},
                       RATELIMIT_ENABLED=False)  # 55 people log in from one address here


def test_a_double_clicked_join_holds_one_seat_and_one_checkout(storm_app):
    hub, plan = hub_with_plan(cap=5)
    user = UserFactory()
    tabs = [signed_in(storm_app, user) for _ in range(2)]
    answers = at_once(*(join(tab, hub.slug, plan.id) for tab in tabs))
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].headers["Location"] == answers[1].headers["Location"]  # the same checkout for both clicks
    db.session.expire_all()
    holds = db.session.scalars(db.select(SeatHold).filter_by(user_id=user.id)).all()
    assert [h.status for h in holds] == [HoldStatus.HELD]
    assert db.session.get(Hub, hub.id).seats_taken == 1
    sessions = db.session.scalars(db.select(LocalObject).filter_by(kind="checkout.session")).all()
    assert [s.data["status"] for s in sessions if s.data["status"] == "open"] == ["open"]


def test_six_parallel_payments_of_one_test_checkout_charge_once(storm_app):
    hub, plan = hub_with_plan(cap=5)
    user = UserFactory()
    first = signed_in(storm_app, user)
    checkout_url = join(first, hub.slug, plan.id)().headers["Location"]
    answers = at_once(*(pay(signed_in(storm_app, user), checkout_url) for _ in range(6)))
    codes = sorted(a.status_code for a in answers)
    # One pays; the others are told it is paid already (400) or see the finished checkout (200).
    assert codes.count(302) == 1 and set(codes) <= {200, 302, 400}
    assert _count("subscription") == 1 and _count("charge") == 1
    [membership] = db.session.scalars(db.select(Membership).where(Membership.status.in_(LIVE_STATUSES))).all()
    assert membership.user_id == user.id


def test_fifty_buyers_with_double_clicks_and_parallel_payments_leave_no_stranded_seat_or_charge(storm_app):
    hub, plan = hub_with_plan(cap=20)
    for _ in range(3):
        member_of(hub)
    buyers = [UserFactory() for _ in range(50)]
    tabs = [[signed_in(storm_app, b)] for b in buyers]
    for extra in tabs[:5]:  # five double-clickers
        extra.append(signed_in(storm_app, buyers[tabs.index(extra)]))
    answers = at_once(*(join(tab, hub.slug, plan.id) for clients in tabs for tab in clients))
    assert all(a.status_code in (302, 409) for a in answers), [a.status_code for a in answers]
    _assert_no_more_than_one_open_hold_per_person()
    _assert_seats_add_up(hub.id)

    checkouts = {}
    for clients, buyer in zip(tabs, buyers):
        url = joining_checkout(buyer, hub)
        if url:
            checkouts[buyer.id] = (clients[0], url)
    payers = []
    for i, (client, url) in enumerate(checkouts.values()):
        payers += [pay(client, url)] * (3 if i < 5 else 1)  # five people click Pay three times at once
    answers = at_once(*payers)
    assert all(a.status_code in (200, 302, 400) for a in answers), [a.status_code for a in answers]

    _assert_no_more_than_one_open_hold_per_person()
    _assert_seats_add_up(hub.id)
    live = db.session.scalar(db.select(db.func.count(Membership.id)).where(
        Membership.hub_id == hub.id, Membership.status.in_(LIVE_STATUSES)))
    assert live == 20  # 17 free seats, all sold, none stranded
    _assert_every_subscription_and_charge_has_its_membership()
    with time_machine.travel(utcnow() + timedelta(minutes=joining.HOLD_MINUTES + 1), tick=False):
        jobs.tick()
    _assert_seats_add_up(hub.id)
    assert db.session.get(Hub, hub.id).seats_taken == live


def joining_checkout(user, hub) -> str | None:
    db.session.expire_all()
    hold = db.session.scalar(db.select(SeatHold).filter_by(user_id=user.id, hub_id=hub.id, status=HoldStatus.HELD))
    return f"{BASE}/billing/test-checkout/{hold.checkout_ref}" if hold is not None else None


def _count(kind: str) -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(db.func.count(LocalObject.id)).filter_by(kind=kind))


def _assert_no_more_than_one_open_hold_per_person():
    db.session.expire_all()
    most = db.session.scalar(db.select(db.func.count(SeatHold.id)).filter_by(status=HoldStatus.HELD)
                             .group_by(SeatHold.hub_id, SeatHold.user_id).order_by(db.func.count(SeatHold.id).desc())
                             .limit(1))
    assert (most or 0) <= 1


def _assert_seats_add_up(hub_id: int):
    db.session.expire_all()
    live = db.session.scalar(db.select(db.func.count(Membership.id)).where(
        Membership.hub_id == hub_id, Membership.status.in_(LIVE_STATUSES)))
    held = db.session.scalar(db.select(db.func.count(SeatHold.id)).filter_by(hub_id=hub_id, status=HoldStatus.HELD))
    hub = db.session.get(Hub, hub_id)
    assert hub.seats_taken == live + held <= hub.cap


def _assert_every_subscription_and_charge_has_its_membership():
    db.session.expire_all()
    refs = set(db.session.scalars(db.select(Membership.subscription_ref).where(
        Membership.status.in_(LIVE_STATUSES), Membership.subscription_ref.is_not(None))))
    subscriptions = db.session.scalars(db.select(LocalObject).filter_by(kind="subscription")).all()
    charges = db.session.scalars(db.select(LocalObject).filter_by(kind="charge")).all()
    assert len(charges) == len(subscriptions)
    for sub in subscriptions:
        assert sub.id in refs or sub.data["status"] == "canceled", sub.data
    assert len(refs) == len(subscriptions)  # nothing was refunded: every payment bought a seat
