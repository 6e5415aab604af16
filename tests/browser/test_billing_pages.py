"""The billing pages in Chromium: axe-core finds nothing at 1280 and 390 px, nothing scrolls sideways, the card
form's input and button share one line apart from "Cancel at period end", and a screenshot of each page is kept."""
from __future__ import annotations

import pytest

from ..memberships.billing_helpers import Local, hub_with_plans
from ..payments.helpers import membership_of
from .test_accessibility import violations
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_billing_receipt_and_switch_pages_are_accessible_aligned_and_fit_a_phone(app, live_server, page, screenshot):
    hub, member, patron = hub_with_plans(slug="owls", name="Night Owls", timezone="Europe/Berlin")
    paying = Local(app)
    user, client = paying.join(hub, member)
    membership = membership_of(user, hub)
    paying.renew(membership)
    listed = client.get("/account/billing").get_data(as_text=True)
    receipt = listed.split("/account/billing/receipts/", 1)[1].split('"', 1)[0]
    pages = {"billing": "/account/billing", "billing-receipt": f"/account/billing/receipts/{receipt}",
             "billing-switch": f"/account/billing/{membership.id}/switch",
             "billing-switch-confirm": f"/account/billing/{membership.id}/switch?plan={patron.id}"}
    log_in(page, live_server, user.email)
    found = []
    for name, path in pages.items():
        found += violations(page, live_server + path)  # ends at the phone's width
        screenshot(f"{name}-390")
        page.set_viewport_size({"width": 1280, "height": 900})
        screenshot(f"{name}-1280")
    assert found == []

    page.goto(live_server + "/account/billing")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        field, button = box(page, ".billing-card-form input[name=card_number]"), box(page, ".billing-card-form button")
        assert abs(field["y"] + field["height"] - button["y"] - button["height"]) <= 2, (width, field, button)
        cancel, form = box(page, ".billing-renewal button"), box(page, ".billing-card-form")
        assert cancel["y"] >= form["y"] + form["height"] + 12, (width, form, cancel)
