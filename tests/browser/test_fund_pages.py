"""The scholarship fund's pages in a browser: an organizer sets a plan's share (and is told when it is too much),
a visitor sees it on the plan choice, and the report's fund section with named and anonymous donors and a seat
the organizers pay for; axe-core finds nothing, nothing scrolls sideways on a phone, no CSP rule breaks."""
from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from microhub.extensions import db
from microhub.ledger.publishing import publish_month
from microhub.ledger.reports import month_of
from microhub.scholarships.models import ApplicationStatus, AwardKind, Need, ScholarshipApplication

from ..factories import PlanFactory, UserFactory, member_of, organizer_of
from ..ledger.test_fund_report import award, donate, share
from ..payments.helpers import hub_with_plan
from .test_accessibility import _months_ago, violations
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_an_organizer_sets_a_plans_share_and_a_visitor_sees_it_accessibly(live_server, page, screenshot,
                                                                          browser_errors):
    hub, plan = hub_with_plan(slug="owls", name="Night Owls")
    _, organizer = organizer_of(hub)
    site = live_server
    log_in(page, site, organizer.email)
    page.goto(f"{site}/h/owls/manage/plans/{plan.id}")
    field = page.get_by_label("Send to the scholarship fund per payment")
    field.fill("12.00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("at most its price (€9.00)")
    expect(field).to_have_attribute("aria-invalid", "true")
    found = [f"refusal: {v['id']}" for v in Axe().run(page).response["violations"]]  # the page as refused, as is
    screenshot("plan-share-refused")
    page.goto(f"{site}/h/owls/manage/plans/{plan.id}")
    page.get_by_label("Send to the scholarship fund per payment").fill("2.00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("main")).to_contain_text("€2.00 of each payment funds scholarships")
    found += violations(page, f"{site}/h/owls/manage/plans")
    page.context.clear_cookies()
    log_in(page, site, UserFactory().email)
    found += violations(page, f"{site}/h/owls/join")
    expect(page.get_by_role("group", name="Choose a plan")).to_contain_text("€2.00 of each payment funds scholarships")
    screenshot("plan-share-join-phone")
    assert found == [] and browser_errors == []


def test_the_reports_fund_section_is_accessible_and_names_only_donors_who_chose_to_be(live_server, page, screenshot,
                                                                                    browser_errors):
    hub, _ = hub_with_plan(slug="owls", name="Night Owls", timezone="Europe/Berlin")
    PlanFactory(hub=hub, name="Supporter", price_minor=2000, scholarship_share_minor=500)
    _, organizer = organizer_of(hub)
    scholar = member_of(hub, UserFactory(name="Zora Quill"))
    for ago in (2, 1, 0):
        when = _months_ago(ago)
        donate(hub, f"ada-{ago}", when, 5000, "Ada Lovelace", fee=100)
        donate(hub, f"anon-{ago}", when, 2000)
        share(hub, f"in-{ago}", when, gross=2000, share=500)
    award(hub, 1, _months_ago(1), 3000)
    db.session.add(ScholarshipApplication(hub_id=hub.id, user_id=scholar.id, need=Need.STUDENT,
                                          status=ApplicationStatus.ACTIVE, kind=AwardKind.FULL, value_minor=3000,
                                          funded_by="organizers", organizer_reason="We pay this seat ourselves.",
                                          decided_at=_months_ago(0)))
    publish_month(hub, month_of(hub, _months_ago(2)), note="", user_id=organizer.id)
    db.session.commit()
    found = violations(page, f"{live_server}/h/owls/transparency")
    main = page.get_by_role("main")
    expect(main).to_contain_text("Given by Ada Lovelace and 1 anonymous donor.")
    expect(main).to_contain_text("1 seat funded by the organizers")
    expect(main).not_to_contain_text("Zora")
    screenshot("transparency-fund-phone")
    assert found == [] and browser_errors == []
