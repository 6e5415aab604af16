"""In a real browser: an organizer creates a cohort, a member in another time zone enrolls, sees the
schedule in their own time, and posts the first week's check-in once the cohort is under way."""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from microhub import jobs
from microhub.cohorts.models import Cohort
from microhub.cohorts.services import today_in
from microhub.extensions import db

from ..factories import member_of, organizer_of
from .conftest import ARTIFACTS
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_organizer_creates_a_cohort_a_member_enrolls_sees_their_time_and_checks_in(
        live_server, browser, page, screenshot, browser_errors):
    site = live_server
    hub, organizer = organizer_of(name="Night Owls", slug="night-owls", timezone="Europe/Berlin")
    member = member_of(hub)
    member.timezone = "America/New_York"
    db.session.commit()
    start = today_in("Europe/Berlin") + timedelta(days=8)

    log_in(page, site, organizer.email)
    page.goto(f"{site}/h/{hub.slug}/manage/cohorts")
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Title").fill("Ship it by spring")
    page.get_by_label("Shared goal").fill("Each of us ships one small project to real users.")
    page.get_by_label("Accountability pod").check()
    page.get_by_label("Capacity").fill("6")
    page.get_by_label("Start date").fill(start.isoformat())
    page.get_by_label("Meets every").select_option(str(start.weekday()))
    page.get_by_label("From").fill("19:00")
    page.get_by_label("Until").fill("20:30")
    page.get_by_label("Meeting link (optional)").fill("https://meet.example.org/owls")
    screenshot("cohort-new-form")
    page.get_by_role("button", name="Create cohort and its schedule").click()
    expect(page.locator(".flash-success")).to_contain_text("open for enrollment with 6 sessions")
    screenshot("cohort-manage")
    cohort = db.session.scalar(db.select(Cohort))
    first = cohort.sessions[0]

    context = browser.new_context(viewport={"width": 390, "height": 844}, timezone_id="America/New_York")
    phone = context.new_page()
    phone.on("pageerror", lambda exc: browser_errors.append(str(exc)))
    log_in(phone, site, member.email)
    phone.goto(f"{site}/h/{hub.slug}/cohorts")
    phone.get_by_role("link", name="Ship it by spring").click()
    expect(phone.get_by_text("https://meet.example.org/owls")).to_have_count(0)  # not enrolled yet
    phone.get_by_role("button", name="Enroll").click()
    expect(phone.locator(".flash-success")).to_contain_text("You are in.")
    new_york = first.starts_at.astimezone(ZoneInfo("America/New_York")).strftime("%a %d %b %Y, %H:%M")
    expect(phone.locator(".schedule li").first).to_contain_text(new_york)
    expect(phone.get_by_text("Times in America/New York")).to_be_visible()
    expect(phone.get_by_role("link", name="https://meet.example.org/owls")).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "cohort-member-phone.png"), full_page=True)

    with time_machine.travel(first.ends_at + timedelta(minutes=5), tick=True):
        jobs.tick()  # starts the cohort and sends week 1's check-in prompt
        phone.reload()
        phone.get_by_role("link", name="Week 1").click()
        phone.get_by_label("Progress").fill("Picked the project and wrote the landing page.")
        phone.get_by_label("Next step").fill("Put it in front of three people.")
        phone.get_by_role("button", name="Post check-in").click()
        expect(phone.locator(".flash-success")).to_be_visible()
        expect(phone.locator("dd", has_text="Picked the project and wrote the landing page.")).to_be_visible()
        phone.screenshot(path=str(ARTIFACTS / "cohort-checkin-phone.png"), full_page=True)
    context.close()
    assert browser_errors == []
