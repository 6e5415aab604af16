"""Three journeys people take, walked in Chromium at a desktop's and a phone's width: a visitor becomes a member,
a member's month (hub, cohorts, billing, a renewal), and an organizer's day through every manage page.

Every page on the way is kept as a full-page screenshot in test-artifacts/journeys/<journey>-<width>/ for people
to look at; axe-core (as in test_accessibility.py) must find nothing on any of them, and none may be wider than
the window. A step is one line: `journey.visit("name", "/path")` goes there (or, without a path, takes the page
the last click led to).
"""
from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from microhub.cohorts import enrollment
from microhub.extensions import db

from ..cohorts.helpers import enrolled_members, make_cohort
from ..factories import PASSWORD, UserFactory, organizer_of
from ..mail import mails
from ..payments.helpers import hub_with_plan, join_and_pay, membership_of
from .conftest import ARTIFACTS
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]

WIDTHS = pytest.mark.parametrize("width", [1280, 390])
HEIGHT = {1280: 900, 390: 844}


@dataclass
class Journey:
    """One walk through the site: numbered screenshots and every axe-core violation met on the way."""

    page: Page
    site: str
    name: str
    width: int
    found: list[str] = field(default_factory=list)
    steps: int = 0

    def __post_init__(self):
        self.folder = ARTIFACTS / "journeys" / f"{self.name}-{self.width}"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.page.set_viewport_size({"width": self.width, "height": HEIGHT[self.width]})

    def visit(self, name: str, path: str | None = None) -> Page:
        """Go to `path` (or stay on the page a click led to), keep a screenshot and run axe-core on it."""
        if path is not None:
            response = self.page.goto(self.site + path)
            assert response.ok, f"{path}: HTTP {response.status}"
        self.page.wait_for_load_state()
        self.steps += 1
        self.page.screenshot(path=str(self.folder / f"{self.steps:02d}-{name}.png"), full_page=True)
        for found in Axe().run(self.page).response["violations"]:
            targets = [node["target"] for node in found["nodes"]][:3]
            self.found.append(f"{self.name}-{self.width} {name} ({self.page.url}): {found['id']} "
                              f"({found['impact']}) at {targets}")
        wide = self.page.evaluate("document.documentElement.scrollWidth")
        if wide > self.width:  # a phone must never scroll the whole page sideways (a wide table scrolls alone)
            self.found.append(f"{self.name}-{self.width} {name} ({self.page.url}): {wide}px wide")
        return self.page

    def done(self, browser_errors: list[str]) -> None:
        assert self.found == [], "axe-core (or the width) found:\n" + "\n".join(self.found)
        assert browser_errors == []

    def log_in(self, email: str) -> None:
        self.page.context.clear_cookies()
        log_in(self.page, self.site, email)


@pytest.fixture
def site(live_server, app, monkeypatch):
    """The live server, also named as the public address, so the checkout's redirects come back to it."""
    monkeypatch.setitem(app.config, "MICROHUB_BASE_URL", live_server)
    return live_server


@pytest.fixture
def hub():
    """Night Owls: a Member plan, an organizer, a cohort starting next week with two members enrolled."""
    made, _ = hub_with_plan(slug="owls", name="Night Owls", cap=12, timezone="Europe/Berlin")
    organizer_of(made)
    enrolled_members(make_cohort(made), 2)
    return made


def organizer(hub):
    from microhub.hubs.models import Role

    return next(role.user for role in hub.roles if role.role is Role.ORGANIZER)


def cohort_of(hub):
    from microhub.cohorts.models import Cohort

    return db.session.scalars(db.select(Cohort).filter_by(hub_id=hub.id)).first()


@WIDTHS
def test_a_visitor_becomes_a_member(site, page, hub, width, browser_errors):
    walk = Journey(page, site, "visitor-to-member", width)
    walk.visit("home", "/")
    walk.visit("hub", f"/h/{hub.slug}")
    page.get_by_role("link", name="Join Night Owls").click()
    page.wait_for_url(re.compile(r"/login\b"))
    walk.visit("login-to-join")
    page.get_by_role("main").get_by_role("link", name="Sign up").click()
    walk.visit("signup")
    page.get_by_label("Your name").fill("Nora Night")
    page.get_by_label("E-mail").fill("nora@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    walk.visit("check-inbox")

    [mail] = mails(to="nora@example.org")  # the e-mailed link confirms, signs in and goes on to the join page
    page.goto(site + re.search(r"http://[^/\s]+(/verify/\S+)", mail.body_text)[1])
    page.wait_for_url(re.compile(re.escape(f"{site}/h/{hub.slug}/join")))
    walk.visit("join")
    page.get_by_role("radio", name=re.compile("Member")).check()
    page.get_by_role("button", name="Continue to payment").click()
    page.wait_for_url(re.compile(r"/billing/test-checkout/"))
    walk.visit("checkout")
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_role("button", name=re.compile("^Pay ")).click()
    expect(page.get_by_role("heading", name="You're in!")).to_be_visible(timeout=8_000)
    walk.visit("youre-in")
    walk.visit("hub-as-member", f"/h/{hub.slug}")
    expect(page.get_by_text("You are a member")).to_be_visible()
    expect(page.get_by_role("heading", name="Your side of Night Owls")).to_be_visible()
    walk.visit("home-as-member", "/")
    expect(page.get_by_role("heading", name="Hubs you belong to")).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    walk.visit("billing")
    expect(page.get_by_role("main")).to_contain_text("Night Owls")
    expect(page.get_by_role("main")).to_contain_text("First payment")
    page.get_by_role("link", name=re.compile("^Receipt")).first.click()
    walk.visit("receipt")
    expect(page.get_by_role("main")).to_contain_text("TEST MODE")
    walk.done(browser_errors)


def renews_on(membership, user) -> str:
    db.session.refresh(membership)
    return membership.current_period_end.astimezone(ZoneInfo(user.timezone)).strftime("%d %b %Y")


@WIDTHS
def test_a_members_month(site, page, client, hub, width, browser_errors):
    from microhub.billing.models import Plan

    from ..factories import PlanFactory

    member = UserFactory(name="Mo Member")
    client.login(member.email)
    plan = db.session.scalars(db.select(Plan).filter_by(hub_id=hub.id)).one()
    join_and_pay(client, hub, plan)
    PlanFactory(hub=hub, name="Patron", includes="Everything, and a thank-you", price_minor=1500)
    cohort = cohort_of(hub)
    enrollment.enroll(cohort, member)
    db.session.commit()
    membership = membership_of(member, hub)
    first_end = renews_on(membership, member)

    walk = Journey(page, site, "members-month", width)
    walk.log_in(member.email)
    walk.visit("home", "/")
    expect(page.get_by_role("heading", name="Hubs you belong to")).to_be_visible()
    walk.visit("hub", f"/h/{hub.slug}")
    expect(page.get_by_role("heading", name="Your side of Night Owls")).to_be_visible()
    walk.visit("cohorts", f"/h/{hub.slug}/cohorts")
    page.get_by_role("main").get_by_role("link", name=cohort.title).first.click()
    walk.visit("cohort")
    walk.visit("billing", "/account/billing")
    expect(page.get_by_role("main")).to_contain_text(first_end)

    # The test clock is an organizer's tool (Manage › Overview); the member then sees the renewal.
    walk.log_in(organizer(hub).email)
    walk.visit("organizer-manage", f"/h/{hub.slug}/manage")
    page.get_by_role("button", name="Advance to renewal for Mo Member").click()
    expect(page.get_by_role("status")).to_contain_text("Test clock")
    walk.visit("organizer-advanced")
    walk.log_in(member.email)
    walk.visit("billing-renewed", "/account/billing")
    renewed = renews_on(membership, member)
    assert renewed != first_end
    expect(page.get_by_role("main")).to_contain_text(renewed)
    expect(page.get_by_role("main")).to_contain_text("Renewal")

    # A plan switch: the difference is shown before confirming; the plan follows once the event is processed.
    page.get_by_role("link", name="Switch plan").click()
    walk.visit("switch")
    page.get_by_role("radio", name=re.compile("Patron")).check()
    page.get_by_role("button", name="See the price difference").click()
    walk.visit("switch-confirm")
    page.get_by_role("button", name="Confirm switch to Patron").click()
    page.wait_for_url(re.compile(r"/account/billing"))
    for _ in range(20):  # the subscription's event is processed beside the request
        if "Patron" in page.get_by_role("main").inner_text() and "Plan change" in page.get_by_role("main").inner_text():
            break
        page.wait_for_timeout(300)
        page.reload()
    walk.visit("billing-switched")
    expect(page.get_by_role("main")).to_contain_text("Plan change")
    walk.done(browser_errors)


@WIDTHS
def test_an_organizers_day(site, page, hub, width, browser_errors):
    from microhub.billing.models import Plan

    plan = db.session.scalars(db.select(Plan).filter_by(hub_id=hub.id)).one()
    cohort = cohort_of(hub)
    manage = f"/h/{hub.slug}/manage"
    walk = Journey(page, site, "organizers-day", width)
    walk.log_in(organizer(hub).email)
    walk.visit("home", "/")
    expect(page.get_by_role("heading", name="Hubs you run")).to_be_visible()
    walk.visit("hub", f"/h/{hub.slug}")
    walk.visit("manage", manage)
    expect(page.get_by_role("heading", name=re.compile("Members"))).to_be_visible()  # members: on the overview
    walk.visit("waitlist", f"{manage}/waitlist")
    walk.visit("plans", f"{manage}/plans")
    walk.visit("plan-edit", f"{manage}/plans/{plan.id}")
    walk.visit("team", f"{manage}/team")
    walk.visit("cohorts", f"{manage}/cohorts")
    walk.visit("cohort", f"{manage}/cohorts/{cohort.id}")
    walk.visit("money", f"{manage}/money")
    walk.visit("transparency", f"{manage}/money/reports")
    walk.visit("scholarships", f"{manage}/scholarships")
    walk.visit("sponsors", f"{manage}/sponsors")
    walk.visit("rituals", f"{manage}/rituals")
    walk.visit("settings", f"{manage}/settings")
    walk.done(browser_errors)
