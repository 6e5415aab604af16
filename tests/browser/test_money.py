"""In a real browser: an organizer records an expense with its receipt, approves and pays it, and publishes
last month; a visitor opens the report, sees its charts and downloads the month's CSV; axe finds nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from microhub.database import utcnow
from microhub.extensions import db
from microhub.ledger.models import Account
from microhub.ledger.reports import current_month
from microhub.ledger.services import record_payment

from ..factories import organizer_of
from .conftest import ARTIFACTS
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

RECEIPT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_an_expense_is_paid_last_month_is_published_and_a_visitor_reads_and_downloads_it(
        live_server, browser, page, screenshot, browser_errors):
    site = live_server
    hub, organizer = organizer_of(name="Tidy Books", slug="tidy-books", timezone="Europe/Berlin")
    last = current_month(hub) - timedelta(days=1)  # a day of last month
    record_payment(hub, source=("invoice", "in_browser"), income=Account.MEMBERSHIP_INCOME, gross=9000, fee=160,
                   currency="EUR", occurred_at=utcnow() - timedelta(days=utcnow().day + 3), charge_ref="ch_browser",
                   details={}, memo="Membership payment")
    db.session.commit()

    log_in(page, site, organizer.email)
    page.goto(f"{site}/h/{hub.slug}/manage/money")
    page.get_by_role("link", name="Record an expense").click()
    page.get_by_label("Amount").fill("45.90")
    page.get_by_label("Category").select_option(Account.TOOLS.value)
    page.get_by_label("Date spent").fill(last.replace(day=15).isoformat())
    page.get_by_label("Paid to").fill("Forum host")
    page.get_by_label("What it paid for").fill("Forum hosting for the month")
    page.get_by_label("Receipt (optional)").set_input_files(
        files=[{"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": RECEIPT}])
    page.get_by_role("button", name="Save draft").click()
    for step in ("Submit for approval", "Approve", "Mark as paid"):
        page.get_by_role("button", name=step).click()
    expect(page.get_by_text("paid", exact=False).first).to_be_visible()
    screenshot("money-expense-paid")

    page.goto(f"{site}/h/{hub.slug}/manage/money/reports")
    page.get_by_label("A note with the report (optional, public)").fill("Our first month in the open.")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".flash-success")).to_be_visible()

    visitor = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True).new_page()
    visitor.on("pageerror", lambda exc: browser_errors.append(str(exc)))
    visitor.goto(f"{site}/h/{hub.slug}")
    visitor.get_by_role("link", name="Where the money goes").click()
    expect(visitor.get_by_role("heading", name="Where the money goes")).to_be_visible()
    expect(visitor.locator("svg").first).to_be_visible()
    expect(visitor.get_by_text("Our first month in the open.")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("€45.90")
    ARTIFACTS.mkdir(exist_ok=True)
    visitor.screenshot(path=str(ARTIFACTS / "transparency-visitor-phone.png"), full_page=True)
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name=f"CSV for {last:%Y-%m}").click()
    csv = open(download.value.path(), encoding="utf-8").read()
    assert "Forum hosting for the month" in csv and "out" in csv and "4590" in csv
    assert Axe().run(visitor).response["violations"] == []
    assert browser_errors == []
