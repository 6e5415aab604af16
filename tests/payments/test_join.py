"""Joining a capped hub and paying through the built-in test checkout."""
from datetime import timedelta

import pytest
import time_machine

from microhub.memberships import joining
from microhub import jobs
from microhub.database import utcnow
from microhub.extensions import db
from microhub.memberships.models import HoldStatus, MembershipStatus, SeatHold

from ..factories import UserFactory, member_of
from .helpers import BASE, hold_of, hub_with_plan, join_and_pay, membership_of, start_join


def seats(client, hub) -> dict:
    return client.get(f"/api/v1/hubs/{hub.slug}").get_json()


def test_member_joins_pays_with_4242_and_is_active(client):
    hub, plan = hub_with_plan(cap=3)
    user = UserFactory()
    client.login(user.email)
    assert seats(client, hub)["seats_taken"] == 0
    response = join_and_pay(client, hub, plan)
    assert response.status_code == 302 and "/confirming" in response.headers["Location"]
    page = client.get(response.headers["Location"].replace(BASE, "")).get_data(as_text=True)
    assert "You're in!" in page
    membership = membership_of(user, hub)
    assert membership.status is MembershipStatus.ACTIVE and membership.subscription_ref.startswith("sub_local_")
    assert membership.current_period_end > utcnow() + timedelta(days=27)
    assert hold_of(user, hub).status is HoldStatus.CONVERTED
    data = seats(client, hub)
    assert (data["seats_taken"], data["seats_left"]) == (1, 2)
    assert data["plans"][0] == {"id": plan.id, "name": "Member", "includes": ["Everything"], "price_minor": 900,
                                "currency": "EUR", "interval": "month"}


def test_checkout_page_is_marked_test_mode_and_the_seat_is_held_while_paying(client):
    hub, plan = hub_with_plan(cap=3)
    client.login(UserFactory().email)
    checkout = start_join(client, hub, plan).headers["Location"]
    assert checkout.startswith(f"{BASE}/billing/test-checkout/cs_local_")
    assert "TEST MODE" in client.get(checkout.replace(BASE, "")).get_data(as_text=True)
    assert seats(client, hub)["seats_taken"] == 1
    # Clicking join again keeps the same seat rather than taking a second one.
    again = start_join(client, hub, plan)
    assert again.headers["Location"] == checkout and seats(client, hub)["seats_taken"] == 1


@pytest.mark.parametrize("card, message", [
    ("4000 0000 0000 0002", "Your card was declined."),
    ("4000 0000 0000 9995", "Your card has insufficient funds."),
    ("1234 5678 9012 3456", "use a Stripe test card"),
])
def test_refused_card_shows_a_clear_message_and_holds_no_seat_after_expiry(client, card, message):
    hub, plan = hub_with_plan(cap=3)
    user = UserFactory()
    client.login(user.email)
    response = join_and_pay(client, hub, plan, card=card)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert membership_of(user, hub).status is MembershipStatus.PENDING
    assert seats(client, hub)["seats_taken"] == 1
    with time_machine.travel(utcnow() + timedelta(minutes=joining.HOLD_MINUTES + 1), tick=False):
        jobs.tick()
    assert hold_of(user, hub).status is HoldStatus.RELEASED
    assert membership_of(user, hub).status is MembershipStatus.EXPIRED
    assert seats(client, hub)["seats_taken"] == 0
    # The expired checkout can no longer be paid.
    checkout = db.session.scalar(db.select(SeatHold.checkout_ref))
    late = client.get(f"/billing/test-checkout/{checkout}")
    assert "This checkout has expired" in late.get_data(as_text=True) and 'name="card_number"' not in late.get_data(as_text=True)


def test_cancelling_the_checkout_releases_the_hold(client):
    hub, plan = hub_with_plan(cap=3)
    user = UserFactory()
    client.login(user.email)
    start_join(client, hub, plan)
    hold = hold_of(user, hub)
    url = f"/h/{hub.slug}/join/{hold.id}/cancelled"
    response = client.submit(url, {})
    assert response.status_code == 302
    db.session.refresh(hold)
    assert hold.status is HoldStatus.RELEASED and seats(client, hub)["seats_taken"] == 0


def test_coming_back_from_checkout_changes_nothing_until_the_button_is_pressed(client):
    hub, plan = hub_with_plan(cap=3)
    user = UserFactory()
    client.login(user.email)
    start_join(client, hub, plan)
    hold = hold_of(user, hub)
    page = client.get(f"/h/{hub.slug}/join/{hold.id}/cancelled")
    assert page.status_code == 200 and "Give the seat back" in page.get_data(as_text=True)
    db.session.refresh(hold)
    assert hold.status is HoldStatus.HELD and seats(client, hub)["seats_taken"] == 1
    forged = client.post(f"/h/{hub.slug}/join/{hold.id}/cancelled")  # no CSRF token: refused
    assert forged.status_code == 400
    db.session.refresh(hold)
    assert hold.status is HoldStatus.HELD


def test_a_full_hub_offers_the_waitlist_instead_of_a_seat(client):
    hub, plan = hub_with_plan(cap=1)
    member_of(hub)
    client.login(UserFactory().email)
    page = client.get(f"/h/{hub.slug}/join").get_data(as_text=True)
    assert "is full" in page and "Join the waitlist" in page
    response = start_join(client, hub, plan)
    assert response.status_code == 409 and "Join the waitlist" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(SeatHold.id))) == 0
    assert seats(client, hub)["seats_taken"] == 1


def test_unknown_plan_or_a_plan_of_another_hub_is_refused(client):
    hub, plan = hub_with_plan(cap=3)
    _, other_plan = hub_with_plan(cap=3)
    client.login(UserFactory().email)
    for value in ("999999", str(other_plan.id), "not-a-number", ""):
        response = client.submit(f"/h/{hub.slug}/join", {"plan": value})
        assert response.status_code == 400, value
    assert db.session.scalar(db.select(db.func.count(SeatHold.id))) == 0
    assert seats(client, hub)["seats_taken"] == 0


def test_a_member_cannot_join_again(client):
    hub, plan = hub_with_plan(cap=3)
    user = member_of(hub)
    client.login(user.email)
    response = client.submit(f"/h/{hub.slug}/join", {"plan": str(plan.id)}, form_url="/account/profile")
    assert response.status_code == 302 and response.headers["Location"] == f"/h/{hub.slug}"
    assert db.session.scalar(db.select(db.func.count(SeatHold.id))) == 0


def test_tampered_hold_ids_are_not_found(client):
    hub, plan = hub_with_plan(cap=3)
    owner = UserFactory()
    client.login(owner.email)
    start_join(client, hub, plan)
    hold = hold_of(owner, hub)
    client.submit("/logout", {})
    client.login(UserFactory().email)
    for path in (f"/h/{hub.slug}/join/{hold.id}/cancelled", f"/h/{hub.slug}/join/{hold.id}/confirming",
                 f"/h/{hub.slug}/join/{hold.id + 100}/confirming"):
        assert client.get(path).status_code == 404
    db.session.refresh(hold)
    assert hold.status is HoldStatus.HELD


def test_visitors_must_log_in_to_join(client):
    hub, _ = hub_with_plan()
    response = client.get(f"/h/{hub.slug}/join")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
