"""The sponsor pages and the organizers' sponsor page: axe-core finds nothing, none scrolls sideways on a phone,
and the hub page shows a live sponsor as a helper."""
from __future__ import annotations

from datetime import timedelta

import pytest

from microhub.database import update_where, utcnow
from microhub.extensions import db
from microhub.sponsors import listings
from microhub.sponsors.models import Placement, PlacementStatus as P

from ..factories import member_of
from ..sponsors.helpers import approved, png, ready, requested, spot_of
from .test_accessibility import violations
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_sponsor_and_organizer_sponsor_pages_are_accessible_and_fit_a_phone(live_server, page, screenshot):
    hub, organizer, sponsor, person, spot = ready(slug="owls", name="Night Owls")
    other = spot_of(hub, organizer, where="cohort_pages")
    live = approved(hub, organizer, sponsor, person, spot)
    update_where(Placement, live.id, status=P.LIVE, starts_at=utcnow() - timedelta(days=1), turned_on_at=utcnow())
    approved(hub, organizer, sponsor, person, other, in_days=5)
    requested(hub, sponsor, person, other, in_days=40)

    class Upload:  # a logo as the form sends it
        filename, stream = "logo.png", __import__("io").BytesIO(png(64, 32))

    listings.save(sponsor, hub, listings.ListingInfo("Toolsmiths", "https://tools.example", "More CI minutes",
                                                     "Code MICRO50"), Upload(), actor=person)
    db.session.commit()
    site, slug = live_server, hub.slug
    found = violations(page, f"{site}/h/{slug}")
    assert "Our sponsors help with" in page.content() and "Sponsored" in page.content()
    log_in(page, site, person.email)
    for path in ("/sponsor", "/sponsor/new", f"/sponsor/{sponsor.id}", f"/sponsor/{sponsor.id}/hubs/{slug}/listing"):
        found += violations(page, site + path)
    screenshot("sponsor-home")
    page.context.clear_cookies()
    log_in(page, site, organizer.email)
    found += violations(page, f"{site}/h/{slug}/manage/sponsors")
    screenshot("manage-sponsors")
    page.context.clear_cookies()
    log_in(page, site, member_of(hub).email)
    found += violations(page, f"{site}/h/{slug}")
    assert "Code MICRO50" in page.content()
    assert found == []
