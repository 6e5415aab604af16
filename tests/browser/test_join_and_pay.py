"""A member joins a hub and pays on the TEST MODE checkout in a real browser; a declined card, an expired
checkout and a full hub's waitlist are shown as a person sees them."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from microhub.memberships import joining
from microhub import jobs
from microhub.database import utcnow

from ..factories import PASSWORD, UserFactory, member_of
from ..payments.helpers import hub_with_plan

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


@pytest.fixture
def site(live_server, app, monkeypatch):
    """The live server, also named as the public address, so the checkout's redirects come back to it."""
    monkeypatch.setitem(app.config, "MICROHUB_BASE_URL", live_server)
    return live_server


def log_in(page, site: str, email: str) -> None:
    page.goto(f"{site}/login")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Log out")


def seats_taken(page, site: str, slug: str) -> int:
    response = page.goto(f"{site}/api/v1/hubs/{slug}")
    assert response.ok
    return response.json()["seats_taken"]


def start_checkout(page, site: str, slug: str, hub_name: str) -> None:
    """From the hub page: Join, choose the plan, continue to the TEST MODE checkout."""
    page.goto(f"{site}/h/{slug}")
    page.get_by_role("link", name=f"Join {hub_name}").click()
    page.wait_for_url(f"{site}/h/{slug}/join")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {hub_name}")
    page.get_by_role("radio", name=re.compile("Member")).check()
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(re.escape(site) + r"/billing/test-checkout/cs_local_\w+$"))
    expect(page.get_by_role("note")).to_contain_text("TEST MODE")
    expect(page.get_by_role("note")).to_be_visible()


def test_member_joins_pays_with_4242_and_is_in(site, page, screenshot, browser_errors):
    hub, _ = hub_with_plan(cap=3, name="Night Owls", slug="night-owls")
    user = UserFactory()
    log_in(page, site, user.email)

    start_checkout(page, site, hub.slug, "Night Owls")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay for Night Owls")
    screenshot("join-checkout")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile("^Pay ")).click()

    page.wait_for_url(re.compile(re.escape(site) + r"/h/night-owls/join/\d+/confirming$"))
    # The page refreshes itself every 2 s until the payment's webhook makes the membership active.
    expect(page.get_by_role("heading", name="You're in!")).to_be_visible(timeout=8_000)
    expect(page.get_by_text("Your membership is active.")).to_be_visible()
    screenshot("join-confirmed")

    assert seats_taken(page, site, hub.slug) == 1
    assert browser_errors == []


def test_declined_card_is_shown_next_to_its_field_and_the_seat_frees_after_expiry(site, page, screenshot,
                                                                                  browser_errors):
    hub, _ = hub_with_plan(cap=3, name="Night Owls", slug="night-owls")
    log_in(page, site, UserFactory().email)
    start_checkout(page, site, hub.slug, "Night Owls")
    checkout_url = page.url

    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    with page.expect_response(checkout_url) as sent:
        page.get_by_role("button", name=re.compile("^Pay ")).click()
    assert sent.value.status == 400
    card = page.get_by_label("Card number")
    expect(card).to_have_attribute("aria-invalid", "true")
    expect(card).to_have_attribute("aria-describedby", re.compile(r"\bcard_number-error\b"))
    expect(page.locator("#card_number-error")).to_have_text("Your card was declined.")
    expect(page).to_have_url(checkout_url)
    expect(page.get_by_role("note")).to_contain_text("TEST MODE")
    screenshot("join-checkout-declined")
    assert seats_taken(page, site, hub.slug) == 1  # still held while the person could try another card

    with time_machine.travel(utcnow() + timedelta(minutes=joining.HOLD_MINUTES + 1), tick=False):
        jobs.tick()

    page.goto(checkout_url)
    expect(page.get_by_text("This checkout has expired.")).to_be_visible()
    expect(page.get_by_label("Card number")).to_have_count(0)
    screenshot("join-checkout-expired")
    assert seats_taken(page, site, hub.slug) == 0
    assert browser_errors == []


def test_a_full_hub_offers_the_waitlist_and_shows_the_place_in_line(site, page, screenshot, browser_errors):
    hub, _ = hub_with_plan(cap=1, name="Night Owls", slug="night-owls")
    member_of(hub)
    log_in(page, site, UserFactory().email)

    page.goto(f"{site}/h/{hub.slug}")
    page.get_by_role("link", name="Full: join the waitlist").click()
    page.wait_for_url(f"{site}/h/{hub.slug}/join")
    expect(page.get_by_role("heading", name="Night Owls is full")).to_be_visible()
    expect(page.get_by_role("button", name="Continue to payment")).to_have_count(0)
    expect(page.locator("section.card")).to_contain_text("Its only seat is taken.")
    screenshot("join-full")
    page.get_by_role("button", name="Join the waitlist").click()

    page.wait_for_url(f"{site}/h/{hub.slug}/join")
    expect(page.get_by_role("status")).to_contain_text("You are number 1 on the waitlist.")
    expect(page.locator("section.card")).to_contain_text("You are number 1 on the waitlist.")
    expect(page.get_by_text("Leave the waitlist", exact=True)).to_be_visible()  # a two-step, red-outlined action
    screenshot("join-waitlisted")
    assert seats_taken(page, site, hub.slug) == 1
    assert browser_errors == []
