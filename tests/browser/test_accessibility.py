"""axe-core (the engine behind most accessibility checkers) finds nothing on the pages people use most,
and none of them scrolls sideways on a phone."""
from __future__ import annotations

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe

from microhub import jobs
from microhub.extensions import db
from microhub.ledger import expenses
from microhub.memberships import joining

from ..cohorts.helpers import enrolled_members, make_cohort
from ..factories import UserFactory, organizer_of
from ..payments.helpers import hub_with_plan
from .conftest import ARTIFACTS
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


PHONE_WIDTH = 390


def violations(page, url: str) -> list[str]:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    found = Axe().run(page).response["violations"]
    problems = [f"{url}: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}" for v in found]
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE_WIDTH:
        problems.append(f"{url}: {width}px wide on a {PHONE_WIDTH}px phone")
    return problems


def _expenses(hub, organizer) -> tuple[int, int]:
    """A draft (its page has the edit form) and a submitted expense (approve and reject)."""
    made = [expenses.create_draft(hub, expenses.ExpenseInfo("12.00", hub.currency, "spending.tools",
                                                            expenses.today_in(hub), "Host", "Hosting"), actor=organizer)
            for _ in range(2)]
    expenses.submit(hub, made[1].id, actor=organizer)
    db.session.commit()
    return made[0].id, made[1].id


def test_public_member_and_organizer_pages_are_accessible_and_fit_a_phone(live_server, page):
    hub, plan = hub_with_plan(slug="owls", name="Night Owls", timezone="Europe/Berlin")
    cohort = make_cohort(hub)
    member = enrolled_members(cohort, 2)[0]
    _, organizer = organizer_of(hub)
    site, slug = live_server, hub.slug
    public = ["/", "/login", "/signup", f"/h/{slug}", f"/h/{slug}/cohorts", f"/h/{slug}/cohorts/{cohort.id}"]
    found = [v for path in public for v in violations(page, site + path)]

    with time_machine.travel(cohort.sessions[0].ends_at, tick=True):
        jobs.tick()
        log_in(page, site, member.email)
        for path in (f"/h/{slug}/join", f"/h/{slug}/cohorts/{cohort.id}", f"/h/{slug}/cohorts/{cohort.id}/weeks/1",
                     "/account/profile", "/account/calendar", f"/h/{slug}/leave"):
            found += violations(page, site + path)
        page.context.clear_cookies()

        draft, submitted = _expenses(hub, organizer)
        log_in(page, site, organizer.email)
        money = f"/h/{slug}/manage/money"
        for path in (f"/h/{slug}/manage", f"/h/{slug}/manage/cohorts", f"/h/{slug}/manage/cohorts/new",
                     f"/h/{slug}/manage/cohorts/{cohort.id}", f"/h/{slug}/cohorts/{cohort.id}/weeks/1",
                     money, f"{money}/expenses/new", f"{money}/expenses/{draft}", f"{money}/expenses/{submitted}"):
            found += violations(page, site + path)
        page.context.clear_cookies()

        visitor = UserFactory()  # back from checkout without paying: the page that offers to give the seat back
        hold = joining.start_join(hub, visitor, plan.id)
        db.session.commit()
        log_in(page, site, visitor.email)
        found += violations(page, f"{site}/h/{slug}/join/{hold.id}/cancelled")
        found += violations(page, f"{site}/h/{slug}/join")
    assert found == []


def _months_ago(count: int):
    from datetime import datetime, timezone

    from microhub.database import utcnow

    now = utcnow()
    index = now.year * 12 + now.month - 1 - count
    return datetime(index // 12, index % 12 + 1, 10, 12, tzinfo=timezone.utc)


def test_transparency_pages_are_accessible_fit_a_phone_and_break_no_csp_rule(live_server, page, screenshot,
                                                                             browser_errors):
    from microhub.ledger.models import Account
    from microhub.ledger.publishing import publish_month
    from microhub.ledger.reports import month_of

    from ..factories import member_of
    from ..transparency.helpers import pay, spend

    hub, _ = hub_with_plan(slug="owls", name="Night Owls", timezone="Europe/Berlin")
    _, organizer = organizer_of(hub)
    member = member_of(hub)
    for ago in (3, 2, 1, 0):
        when = _months_ago(ago)
        pay(hub, f"pay-{ago}", when, gross=4500 + 300 * ago, fee=130)
        pay(hub, f"sponsor-{ago}", when, gross=10000, fee=0, income=Account.SPONSOR_INCOME)
        spend(hub, f"tools-{ago}", when, 1900, Account.TOOLS, "Video calls")
        spend(hub, f"mod-{ago}", when, 3000 + 500 * ago, Account.MODERATION, "Moderator stipend")
    for ago in (3, 2):
        publish_month(hub, month_of(hub, _months_ago(ago)), note="Checked by two organizers.", user_id=organizer.id)
    db.session.commit()
    site, slug = live_server, hub.slug
    found = violations(page, f"{site}/h/{slug}/transparency")
    screenshot("transparency-phone")
    screenshot("transparency-phone-top", clip={"x": 0, "y": 0, "width": PHONE_WIDTH, "height": 1400})
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot("transparency-desktop")
    log_in(page, site, member.email)
    found += violations(page, f"{site}/h/{slug}/report-emails")
    page.context.clear_cookies()
    log_in(page, site, organizer.email)
    found += violations(page, f"{site}/h/{slug}/manage/money/reports")
    screenshot("transparency-manage-phone", clip={"x": 0, "y": 0, "width": PHONE_WIDTH, "height": 1400})
    assert found == [] and browser_errors == []


def test_scholarship_and_donation_pages_are_accessible_and_fit_a_phone(live_server, page, browser_errors):
    from microhub.scholarships import awards, offers

    from ..scholarships.helpers import applied, ranked, scholarship_hub

    hub, _, organizer = scholarship_hub(cap=10, seats=2)
    site, slug = live_server, hub.slug
    waiting = applied(hub)
    scholar = ranked(hub, organizer, rank=1)
    offers.offer(scholar, actor=organizer)
    db.session.commit()
    found = [v for path in (f"/h/{slug}", f"/h/{slug}/scholarships", f"/h/{slug}/scholarships/donate")
             for v in violations(page, site + path)]
    log_in(page, site, scholar.user.email)
    found += violations(page, f"{site}/h/{slug}/scholarships/mine")  # an open offer
    awards.accept(scholar, scholar.user)
    db.session.commit()
    found += violations(page, f"{site}/h/{slug}/scholarships/mine")  # a running scholarship
    page.context.clear_cookies()
    log_in(page, site, organizer.email)
    for path in (f"/h/{slug}/manage/scholarships", f"/h/{slug}/manage/scholarships/{waiting.id}",
                 f"/h/{slug}/manage/scholarships/{scholar.id}"):
        found += violations(page, site + path)
    assert found == [] and browser_errors == []


VISUAL = ARTIFACTS / "visual"


def checked_both_widths(page, url: str, shot: str) -> list[str]:
    """axe-core at 1280 px and at 390 px (where nothing may scroll sideways), with a screenshot of each under
    test-artifacts/visual/."""
    VISUAL.mkdir(parents=True, exist_ok=True)
    problems = []
    for width, height in ((1280, 900), (PHONE_WIDTH, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(url)
        found = Axe().run(page).response["violations"]
        problems += [f"{url} at {width}px: {v['id']} ({v['impact']}) at {[n['target'] for n in v['nodes']][:3]}"
                     for v in found]
        page.screenshot(path=str(VISUAL / f"{shot}-{width}.png"), full_page=True)
    scroll = page.evaluate("document.documentElement.scrollWidth")
    if scroll > PHONE_WIDTH:
        problems.append(f"{url}: {scroll}px wide on a {PHONE_WIDTH}px phone")
    return problems


def _hub_with_identity():
    from microhub.hubs import identity

    from ..hubs.test_identity import png
    from ..factories import member_of

    hub, plan = hub_with_plan(slug="owls", name="Night Owls", timezone="Europe/Berlin")
    hub.accent_color = "#6b2d8f"
    hub.cover_image = identity.store_cover((png(32, 8), ".png"))
    cohort = make_cohort(hub, title="Morning pages circle")
    enrolled_members(cohort, 3)
    for _ in range(2):
        member_of(hub)
    _, organizer = organizer_of(hub)
    db.session.commit()
    return hub, plan, cohort, organizer


def _billing_of_a_subscriber(page, site, hub, plan) -> list[str]:
    """Billing with its renewal and card forms: the generic .row and form.inline rules keep them in line."""
    from microhub.memberships.models import Membership

    membership = db.session.scalar(db.select(Membership).filter_by(hub_id=hub.id).order_by(Membership.id))
    membership.plan_id, membership.subscription_ref = plan.id, "sub_visual"
    db.session.commit()
    log_in(page, site, membership.user.email)
    found = checked_both_widths(page, f"{site}/account/billing", "billing")
    page.context.clear_cookies()
    return found


def _hub_page_of_someone_waiting(page, site, hub) -> list[str]:
    """A full hub: the person in line sees their place and a red, two-step "Leave the waitlist" in the header."""
    from microhub.memberships import waitlist

    hub.cap = hub.seats_taken
    person = UserFactory()
    waitlist.join(hub, person)
    db.session.commit()
    log_in(page, site, person.email)
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 844})
    page.goto(f"{site}/h/{hub.slug}")
    page.get_by_text("Leave the waitlist").first.click()
    found = [f"waiting, confirm open: {v['id']}" for v in Axe().run(page).response["violations"]]
    page.screenshot(path=str(VISUAL / "hub-page-waiting-confirm-390.png"), full_page=True)
    page.context.clear_cookies()
    hub.cap = 20
    db.session.commit()
    return found


def test_manage_pages_team_plan_edit_and_a_hub_with_its_identity_pass_axe_at_both_widths(live_server, page,
                                                                                         browser_errors):
    hub, plan, cohort, organizer = _hub_with_identity()
    site, slug = live_server, hub.slug
    found = checked_both_widths(page, f"{site}/h/{slug}", "hub-page-identity")
    found += checked_both_widths(page, f"{site}/h/{slug}/cohorts/{cohort.id}", "cohort-page")
    found += _billing_of_a_subscriber(page, site, hub, plan)
    found += _hub_page_of_someone_waiting(page, site, hub)
    log_in(page, site, organizer.email)
    manage = f"{site}/h/{slug}/manage"
    for path, shot in (("", "manage-overview"), ("/team", "manage-team"), ("/settings", "manage-settings"),
                       ("/plans", "manage-plans"), (f"/plans/{plan.id}", "manage-plan-edit"),
                       ("/cohorts", "manage-cohorts"), (f"/cohorts/{cohort.id}", "manage-cohort"),
                       ("/money", "manage-money"), ("/sponsors", "manage-sponsors"),
                       ("/scholarships", "manage-scholarships"), ("/money/reports", "manage-reports"),
                       ("/waitlist", "manage-waitlist")):
        found += checked_both_widths(page, manage + path, shot)
    page.goto(f"{manage}/cohorts/{cohort.id}")
    page.get_by_text("Cancel this cohort").click()  # the confirmation step opens without a script
    page.set_viewport_size({"width": 1280, "height": 900})
    found += [f"confirm step: {v['id']}" for v in Axe().run(page).response["violations"]]
    page.screenshot(path=str(VISUAL / "confirm-step-1280.png"), full_page=True)
    assert found == [] and browser_errors == []


def test_a_destructive_action_is_confirmed_in_a_second_step_without_javascript(live_server, browser):
    from playwright.sync_api import expect

    from microhub.hubs.models import HubRole, Role

    from ..factories import RoleFactory

    hub, me = organizer_of(slug="owls", name="Night Owls")
    moderator = RoleFactory(hub=hub, role=Role.MODERATOR)
    db.session.commit()
    context = browser.new_context(java_script_enabled=False, viewport={"width": PHONE_WIDTH, "height": 844})
    page = context.new_page()
    try:
        log_in(page, live_server, me.email)
        page.goto(f"{live_server}/h/owls/manage/team")
        yes = page.get_by_role("button", name=f"Yes, remove {moderator.user.name} as moderator")
        expect(yes).to_be_hidden()  # one click is never enough
        expect(page.get_by_text("The only organizer")).to_be_visible()  # nothing to remove beside my own name
        page.get_by_text("Remove", exact=False).first.click()
        expect(yes).to_be_visible()
        expect(page.locator(".confirm-step")).to_contain_text(f"{moderator.user.name} stops being moderator")
        page.screenshot(path=str(VISUAL / "confirm-step-no-js-390.png"), full_page=True)
        yes.click()
        expect(page.get_by_role("status")).to_contain_text("Role removed.")
    finally:
        context.close()
    assert db.session.scalar(db.select(HubRole.id).filter_by(id=moderator.id)) is None
