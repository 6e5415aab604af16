"""A person signs up and starts a hub in a real browser; a weak password is refused next to its field."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from microhub.accounts.models import User
from microhub.extensions import db
from microhub.hubs.models import Hub, HubRole, Role

from ..mail import mails

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

#: Every visible form control that no <label> (nor aria-label / aria-labelledby) names.
UNLABELLED_CONTROLS = """
() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.type !== "hidden" && el.offsetParent !== null)
  .filter((el) => el.labels.length === 0 && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby"))
  .map((el) => el.outerHTML)
"""


def test_person_signs_up_and_starts_a_hub(live_server, page, screenshot, browser_errors):
    page.goto(f"{live_server}/signup")
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    # app.js pre-selects the browser's own time zone.
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    screenshot("signup")
    # The first Tab reaches the skip link, which leads past the navigation to the form.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Your name")).to_be_focused()

    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("E-mail").fill("ada@example.org")
    page.get_by_label("Password").fill("quiet-river-4821")
    page.get_by_label("Time zone").select_option("Asia/Tokyo")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    screenshot("signup-check-inbox")

    # The e-mailed link confirms the address and signs the new person in.
    [mail] = mails(to="ada@example.org")
    page.goto(live_server + re.search(r"http://[^/]+(/verify/\S+)", mail.body_text)[1])
    page.wait_for_url(re.compile(re.escape(live_server) + r"/(#main)?$"))
    expect(page.get_by_role("status")).to_contain_text("Welcome, Ada Lovelace!")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Ada Lovelace")
    user = db.session.scalar(db.select(User).filter_by(email="ada@example.org"))
    assert (user.name, user.timezone) == ("Ada Lovelace", "Asia/Tokyo") and user.email_verified_at is not None

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Start a hub").click()
    page.wait_for_url(f"{live_server}/hubs/new")
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    expect(page.get_by_label("Time zone")).to_have_value("Asia/Tokyo")  # the organizer's own zone
    page.get_by_label("Address").fill("night-owls")
    page.get_by_label("Name", exact=True).fill("Night Owls")
    page.get_by_label("Purpose").fill("Write a little every night, side by side.")
    page.get_by_label("Cap").fill("24")
    page.get_by_label("Promises").fill("A quiet room every night\nFeedback within two days")
    page.get_by_label("Rituals").fill("Nightly 45-minute writing sprint\nMonthly reading")
    page.get_by_label("House rules").fill("Be kind.\nCritique the page, never the person.")
    screenshot("new-hub")
    page.get_by_role("button", name="Create the hub").click()

    page.wait_for_url(f"{live_server}/h/night-owls")
    expect(page.get_by_role("heading", level=1)).to_have_text("Night Owls")
    expect(page.get_by_text("Write a little every night, side by side.")).to_be_visible()
    expect(page.locator(".seats")).to_contain_text("0 of 24 seats taken")
    expect(page.get_by_role("listitem").filter(has_text="Feedback within two days")).to_be_visible()
    expect(page.get_by_role("link", name="Manage this hub")).to_be_visible()
    screenshot("hub-page")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("hub-page-phone")
    # Nothing on the phone layout is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    hub = db.session.scalar(db.select(Hub).filter_by(slug="night-owls"))
    assert (hub.name, hub.cap, hub.timezone, hub.seats_taken) == ("Night Owls", 24, "Asia/Tokyo", 0)
    roles = db.session.scalars(db.select(HubRole).filter_by(hub_id=hub.id)).all()
    assert [(r.user_id, r.role) for r in roles] == [(user.id, Role.ORGANIZER)]
    assert browser_errors == []


def test_weak_password_is_shown_next_to_its_field_and_creates_no_account(live_server, page, screenshot,
                                                                          browser_errors):
    page.goto(f"{live_server}/signup")
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("E-mail").fill("ada@example.org")
    page.get_by_label("Password").fill("password123")
    with page.expect_response(re.compile(r"/signup$")) as sent:
        page.get_by_role("button", name="Create account").click()
    assert sent.value.status == 400

    password = page.get_by_label("Password")
    expect(password).to_have_attribute("aria-invalid", "true")
    expect(password).to_have_attribute("aria-describedby", re.compile(r"\bpassword-error\b"))
    expect(page.locator("#password-error")).to_have_text(re.compile("too easy to guess"))
    expect(password).to_have_value("")  # never sent back to the browser
    expect(page.get_by_label("E-mail")).to_have_value("ada@example.org")
    # app.js moves focus to the summary so screen readers announce what to fix; its link leads to the field.
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    summary.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#password$"))
    screenshot("signup-weak-password")

    assert db.session.scalar(db.select(db.func.count(User.id))) == 0
    assert browser_errors == []


def test_verification_link_from_the_dev_mailbox_confirms_the_address(live_server, page, screenshot,
                                                                      browser_errors):
    page.goto(f"{live_server}/signup")
    page.get_by_label("Your name").fill("Grace Hopper")
    page.get_by_label("E-mail").fill("grace@example.org")
    page.get_by_label("Password").fill("quiet-river-4821")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Dev mailbox").click()
    expect(page.get_by_role("row").filter(has_text="grace@example.org")).to_contain_text("kept in outbox")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot("dev-mailbox-phone")
    page.get_by_role("link", name="Confirm your e-mail for MicroHub").click()
    # The link in the e-mail points at MICROHUB_BASE_URL; follow its path on the live server.
    link = page.get_by_role("link", name=re.compile("verify"))
    page.goto(live_server + re.sub(r"^https?://[^/]+", "", link.get_attribute("href")))
    expect(page.get_by_role("status")).to_contain_text("e-mail address is confirmed")

    user = db.session.scalar(db.select(User).filter_by(email="grace@example.org"))
    assert user.email_verified_at is not None
    assert browser_errors == []
