"""The organizer's member list in pages: the page links pass axe-core at both widths, say which page is open and
lead on; a search narrows the list."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from microhub.memberships.queries import MEMBERS_PER_PAGE

from ..factories import UserFactory, member_of, organizer_of
from .test_accessibility import checked_both_widths
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_the_member_pages_are_a_labelled_nav_marking_the_open_page(live_server, page, browser_errors):
    hub, organizer = organizer_of(slug="big", cap=MEMBERS_PER_PAGE * 5)
    for n in range(MEMBERS_PER_PAGE * 4 + 3):
        member_of(hub, UserFactory(name=f"Member {n:03d}"))
    log_in(page, live_server, organizer.email)
    manage = f"{live_server}/h/big/manage"
    assert checked_both_widths(page, f"{manage}?page=3", "manage-overview-page-3") == []
    pages = page.get_by_role("navigation", name="Pages of the member list")
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 3")
    pages.get_by_role("link", name="Next page").click()
    expect(page.get_by_role("cell", name=f"Member {MEMBERS_PER_PAGE * 3:03d}", exact=True)).to_be_visible()
    expect(pages.locator("[aria-current=page]")).to_have_text("Page 4")
    page.get_by_label("Find a member by name or e-mail").fill("member 20")
    page.get_by_role("button", name="Find").click()
    expect(page.get_by_role("heading", name="Members (3 matching “member 20”)")).to_be_visible()
    assert page.get_by_role("navigation", name="Pages of the member list").count() == 0
    assert browser_errors == []
