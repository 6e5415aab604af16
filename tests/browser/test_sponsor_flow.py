"""In a real browser: a sponsor writes its listing, an organizer approves it and offers a spot, the sponsor asks
for a placement, the organizer approves, the sponsor pays on the TEST MODE checkout, and once the period starts a
visitor sees the sponsor as a helper on the hub page."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from microhub import jobs
from microhub.extensions import db
from microhub.sponsors.models import Placement, PlacementStatus as P

from ..factories import UserFactory, organizer_of
from ..sponsors.helpers import day, png
from .conftest import ARTIFACTS
from .test_join_and_pay import log_in, site  # noqa: F401 (a fixture)

PERSON_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 "
                "Safari/537.36")

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def as_person(page, site: str, email: str) -> None:
    page.context.clear_cookies()
    log_in(page, site, email)


def write_listing(page, site: str, tmp_path) -> str:
    """A new sponsor finds the hub and sends its listing with a logo; returns the sponsor's home."""
    page.goto(f"{site}/sponsor/new")
    page.get_by_label("Organization name").fill("Toolsmiths")
    page.get_by_role("button", name="Create sponsor").click()
    home = page.url
    page.get_by_label("Write a listing in a hub").fill("/h/night-owls")
    page.get_by_role("button", name="Open the listing").click()
    (tmp_path / "logo.png").write_bytes(png(40, 20))
    page.get_by_label("Name members see").fill("Toolsmiths")
    page.get_by_label("Logo (optional)").set_input_files(str(tmp_path / "logo.png"))
    page.get_by_label("Link").fill("https://tools.example")
    page.get_by_label("What you bring members").fill("Free CI minutes for every member")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Sent for approval")).to_be_visible()
    return home


def approve_and_offer(page, site: str) -> None:
    page.goto(f"{site}/h/night-owls/manage/sponsors")
    page.get_by_role("button", name="Approve Toolsmiths").click()
    page.get_by_label("Price per period").fill("150")
    page.get_by_role("button", name="Offer placement").click()
    expect(page.get_by_text("Placement offered.")).to_be_visible()


def ask_for_placement(page, site: str) -> None:
    page.goto(f"{site}/sponsor")
    page.get_by_role("link", name="Toolsmiths").click()
    page.get_by_role("link", name=re.compile("Edit")).click()
    page.get_by_label("First day").fill(day(4).isoformat())
    page.get_by_role("button", name="Ask for this placement").click()
    expect(page.get_by_text("Placement requested")).to_be_visible()


def pay_on_the_test_checkout(page, home: str) -> None:
    page.goto(home)
    page.get_by_role("button", name=re.compile("^Pay €150.00")).click()
    page.wait_for_url(re.compile(r".*/billing/test-checkout/cs_local_\w+$"))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    page.wait_for_url(re.compile(r".*/sponsor/\d+\?paid=\d+$"))


def test_a_sponsor_is_approved_pays_and_is_shown_to_visitors(site, app, browser, page, screenshot,  # noqa: F811
                                                             browser_errors, tmp_path, monkeypatch):
    _, organizer = organizer_of(slug="night-owls", name="Night Owls")
    person = UserFactory()
    log_in(page, site, person.email)
    home = write_listing(page, site, tmp_path)
    as_person(page, site, organizer.email)
    approve_and_offer(page, site)
    as_person(page, site, person.email)
    ask_for_placement(page, site)
    as_person(page, site, organizer.email)
    page.goto(f"{site}/h/night-owls/manage/sponsors")
    page.get_by_role("button", name="Approve Toolsmiths's request").click()
    expect(page.get_by_text("Placement approved")).to_be_visible()
    as_person(page, site, person.email)
    pay_on_the_test_checkout(page, home)
    screenshot("sponsor-paid")
    placement = db.session.scalars(db.select(Placement)).one()
    assert placement.status is P.PAID
    page.context.clear_cookies()
    with time_machine.travel(placement.starts_at + timedelta(minutes=1), tick=True):
        jobs.tick()
        count_on(app, monkeypatch)
        # A person's browser: headless Chromium says "HeadlessChrome", which the bot list rightly discards.
        visitor = browser.new_context(user_agent=PERSON_AGENT).new_page()
        visitor.goto(f"{site}/h/night-owls")
        expect(visitor.get_by_role("heading", name="Our sponsors help with…")).to_be_visible()
        expect(visitor.get_by_role("link", name="Toolsmiths")).to_have_attribute("href", re.compile(r"/s/c/"))
        expect(visitor.get_by_text("Sponsored", exact=True)).to_be_visible()
        visitor.screenshot(path=str(ARTIFACTS / "hub-page-with-sponsor.png"), full_page=True)
        visitor.route("https://tools.example/**", lambda route: route.fulfill(body="<title>Toolsmiths</title>",
                                                                             content_type="text/html"))
        visitor.get_by_role("link", name="Toolsmiths").click()
        visitor.wait_for_url("https://tools.example/")
        portal_shows_the_view_and_the_click(page, site, app, person, placement)
    assert browser_errors == []


def count_on(app, monkeypatch) -> None:
    """From here the served app counts in the real test Redis (before, its jobs ran in-process without Redis)."""
    from microhub.sponsors import counting, viewers

    from ..backends import redis_url

    viewers.forget_salts()
    counting.resume()
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url())
    app.extensions.pop("microhub.redis", None)


def portal_shows_the_view_and_the_click(page, site: str, app, person, placement) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from microhub.database import utcnow
    from microhub.jobs import redis_connection
    from microhub.sponsors import rollups

    with app.app_context():
        rollups.flush(redis_connection(app), utcnow())
        db.session.commit()
    as_person(page, site, person.email)
    page.goto(f"{site}/sponsor/{placement.sponsor_id}/stats")
    expect(page.locator("main")).to_contain_text("Toolsmiths")
    figures = page.evaluate("fetch(location.pathname + '.json').then(r => r.json())")
    served = sum(r["served"] for r in figures["rows"] if r["channel"] == "web")
    clicks = sum(r["clicks"] for r in figures["rows"] if r["channel"] == "web")
    assert (served, clicks) == (1, 1), figures
    assert Axe().run(page).response["violations"] == []
