"""In a real browser: a visitor applies for a scholarship; an organizer reviews, ranks and offers a seat; the
applicant accepts and is a member without paying; the public pages show one seat fewer and the fund drawn; axe
finds nothing on any of the pages."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from ..factories import PASSWORD, UserFactory
from ..scholarships.helpers import scholarship_hub
from .conftest import ARTIFACTS
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def clean(page) -> None:
    violations = Axe().run(page).response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def apply(page, site: str, hub, applicant, screenshot) -> None:
    """From the hub page, as a visitor: to the scholarship page, log in, answer, send."""
    page.goto(f"{site}/h/{hub.slug}")
    expect(page.locator(".seats")).to_contain_text("2 open")
    page.get_by_role("link", name="Apply for a scholarship").click()
    expect(page.get_by_role("heading", name=f"Scholarships in {hub.name}")).to_be_visible()
    clean(page)
    page.get_by_role("link", name="Log in to apply").click()
    page.get_by_label("E-mail").fill(applicant.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{site}/h/{hub.slug}/scholarships")
    page.get_by_label("Student").check()
    page.get_by_label("What would you do here?").fill("Learn to write smaller programs with other people.")
    page.get_by_label("Anything else?").fill("I can join the Thursday readings.")
    screenshot("scholarship-apply")
    clean(page)
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_role("heading", name="Your scholarship applications")).to_be_visible()
    expect(page.locator("main")).to_contain_text("submitted")


def review_and_offer(reviewer, site: str, hub, organizer) -> None:
    log_in(reviewer, site, organizer.email)
    reviewer.goto(f"{site}/h/{hub.slug}/manage/scholarships")
    clean(reviewer)
    reviewer.get_by_role("link", name="Sam Student").click()
    expect(reviewer.locator("main")).to_contain_text("Learn to write smaller programs")
    reviewer.get_by_label("Rank", exact=True).fill("1")
    reviewer.get_by_role("button", name="Save rank").click()
    clean(reviewer)
    ARTIFACTS.mkdir(exist_ok=True)
    reviewer.screenshot(path=str(ARTIFACTS / "scholarship-review.png"), full_page=True)
    reviewer.get_by_role("button", name="Offer a scholarship seat").click()
    expect(reviewer.locator(".flash-success")).to_contain_text("Offer sent")


def test_a_visitor_applies_is_offered_a_seat_accepts_and_is_a_member_without_paying(
        live_server, browser, page, screenshot, browser_errors):
    site = live_server
    hub, _, organizer = scholarship_hub(cap=12, seats=2, fund=500_00)
    applicant = UserFactory(name="Sam Student")
    apply(page, site, hub, applicant, screenshot)
    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    reviewer.on("pageerror", lambda exc: browser_errors.append(str(exc)))
    review_and_offer(reviewer, site, hub, organizer)

    page.reload()
    expect(page.locator("main")).to_contain_text("A scholarship seat is kept for you")
    clean(page)
    screenshot("scholarship-offer")
    page.get_by_role("button", name="Accept the seat").click()
    expect(page.get_by_text("You are a member")).to_be_visible()
    expect(page.locator(".seats")).to_contain_text("1 open")
    screenshot("scholarship-member")

    visitor = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    visitor.goto(f"{site}/h/{hub.slug}/scholarships")
    expect(visitor.locator("main")).to_contain_text("1 of 2 scholarship seats open")
    visitor.goto(f"{site}/h/{hub.slug}/transparency")
    expect(visitor.locator("main")).to_contain_text("Scholarship fund")
    expect(visitor.locator("main")).to_contain_text("€108.00")  # twelve months of the €9.00 plan, drawn
    assert applicant.name not in visitor.content()
    clean(visitor)
    assert browser_errors == []
