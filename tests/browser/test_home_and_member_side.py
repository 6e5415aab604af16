"""The home (a member's and an organizer's), the member side of the hub page and the rituals page: axe-core finds
nothing on them, none scrolls sideways on a phone, and the browser reports no error (no CSP break)."""
from __future__ import annotations

import pytest

from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.hubs.rituals import RitualInfo, add_ritual

from ..cohorts.helpers import enrolled_members, make_cohort
from ..factories import HubFactory, RoleFactory, organizer_of
from ..payments.helpers import hub_with_plan
from .test_accessibility import violations
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_home_member_side_and_rituals_are_accessible_and_fit_a_phone(live_server, page, screenshot, browser_errors):
    hub, _ = hub_with_plan(slug="owls", name="Night Owls", timezone="Europe/Berlin")
    _, organizer = organizer_of(hub)
    add_ritual(hub, RitualInfo(title="Weekly call", weekday="1", starts_at="19:00", duration_minutes="60",
                               link="https://meet.example.org/owls"), actor=organizer)
    cohort = make_cohort(hub)
    member = enrolled_members(cohort, 1)[0]
    RoleFactory(hub=HubFactory(name="Early Larks", slug="larks"), user=organizer, role=Role.ORGANIZER)
    HubFactory(name="Quiet Readers", slug="readers")
    db.session.commit()
    site = live_server
    log_in(page, site, member.email)
    found = violations(page, f"{site}/")
    screenshot("home-member-phone")
    found += violations(page, f"{site}/h/owls")
    page.goto(f"{site}/h/owls#member-side")
    screenshot("hub-member-side-phone")
    page.context.clear_cookies()
    log_in(page, site, organizer.email)
    found += violations(page, f"{site}/")
    screenshot("home-organizer-phone")
    found += violations(page, f"{site}/h/owls/manage/rituals")
    page.get_by_label("Starts at").fill("7pm")
    page.get_by_role("button", name="Add the ritual").click()
    assert "e.g. 19:00" in page.content()
    found += [f"rituals with an error: {v}" for v in _axe_here(page)]
    assert found == [] and browser_errors == []


def _axe_here(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    return [f"{v['id']} ({v['impact']})" for v in Axe().run(page).response["violations"]]
