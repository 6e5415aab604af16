"""Members see sponsors as helpers: on the hub page (perk for members only, a clear "Sponsored" label), on cohort
pages and in the welcome e-mail; never a pending revision. And a placement's checkout is nobody else's."""
from __future__ import annotations

import re
from datetime import timedelta

from microhub.billing.models import EventStatus, PaymentEvent
from microhub.database import update_where, utcnow
from microhub.extensions import db
from microhub.sponsors import listings
from microhub.sponsors.models import Placement, PlacementStatus as P

from ..cohorts.helpers import make_cohort
from ..factories import member_of
from ..helpers import signed_in
from ..mail import mails
from ..payments.helpers import join_and_pay, post_event
from .helpers import approved, ready, spot_of


def live(placement) -> None:
    update_where(Placement, placement.id, status=P.LIVE, starts_at=utcnow() - timedelta(days=1),
                 turned_on_at=utcnow())
    db.session.commit()


def test_the_hub_page_shows_live_sponsors_as_helpers_and_the_perk_only_to_members(app):
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    visitor = signed_in(app, None).get(f"/h/{hub.slug}").get_data(as_text=True)
    assert "Toolsmiths" not in visitor  # approved, not paid, not live
    live(placement)
    visitor = signed_in(app, None).get(f"/h/{hub.slug}").get_data(as_text=True)
    assert "Our sponsors help with…" in visitor and "Sponsored" in visitor and "Free CI minutes" in visitor
    link = re.search(r'<a href="([^"]+)" rel="sponsored noopener">Toolsmiths', visitor)
    assert link and "/s/c/" in link.group(1) and "MICRO50" not in visitor  # through the counted redirect
    assert signed_in(app, None).get(link.group(1)).headers["Location"] == "https://tools.example"
    member = signed_in(app, member_of(hub)).get(f"/h/{hub.slug}").get_data(as_text=True)
    assert "MICRO50" in member


def test_a_pending_change_is_not_shown_until_approved(app):
    hub, organizer, sponsor, person, spot = ready()
    live(approved(hub, organizer, sponsor, person, spot))
    listings.save(sponsor, hub, listings.ListingInfo(name="Shady Ltd", link="https://shady.example",
                                                     helps_with="Nothing"), actor=person)
    db.session.commit()
    page = signed_in(app, None).get(f"/h/{hub.slug}").get_data(as_text=True)
    assert "Shady" not in page and "Toolsmiths" in page


def test_cohort_pages_show_the_sponsors_of_the_cohort_pages_spot(app):
    hub, organizer, sponsor, person, _ = ready()
    cohort_spot = spot_of(hub, organizer, where="cohort_pages")
    cohort = make_cohort(hub)
    page = signed_in(app, None).get(f"/h/{hub.slug}/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Toolsmiths" not in page
    live(approved(hub, organizer, sponsor, person, cohort_spot))
    page = signed_in(app, None).get(f"/h/{hub.slug}/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Our sponsors help with…" in page and "Toolsmiths" in page
    assert "Toolsmiths" not in signed_in(app, None).get(f"/h/{hub.slug}").get_data(as_text=True)


def test_the_welcome_email_names_the_sponsors_of_the_welcome_email_spot_with_the_perk(app):
    from ..factories import PlanFactory, UserFactory

    hub, organizer, sponsor, person, _ = ready()
    live(approved(hub, organizer, sponsor, person, spot_of(hub, organizer, where="welcome_email")))
    plan = PlanFactory(hub=hub, name="Member", includes="Everything", price_minor=900)
    newcomer = UserFactory()
    join_and_pay(signed_in(app, newcomer), hub, plan)
    [welcome] = mails(newcomer.email, subject_contains="Welcome")
    assert "Toolsmiths (sponsored)" in welcome.body_text and "MICRO50" in welcome.body_text


def test_a_payment_checkout_claimed_by_nobody_is_still_ignored(client):
    session = {"id": "cs_foreign", "object": "checkout.session", "mode": "payment", "metadata": {"other": "x"}}
    body = {"id": "evt_foreign", "object": "event", "type": "checkout.session.completed", "created": 1_900_000_000,
            "data": {"object": session}, "livemode": False}
    post_event(client, body)
    event = db.session.scalars(db.select(PaymentEvent)).one()
    assert event.status is EventStatus.IGNORED


def test_a_checkout_naming_an_unknown_placement_is_ignored_and_donations_stay_out_of_it(client):
    session = {"id": "cs_x", "object": "checkout.session", "mode": "payment", "metadata": {"placement_id": "999"}}
    body = {"id": "evt_x", "object": "event", "type": "checkout.session.completed", "created": 1_900_000_000,
            "data": {"object": session}, "livemode": False}
    post_event(client, body)
    event = db.session.scalars(db.select(PaymentEvent)).one()
    assert event.status is EventStatus.IGNORED and "placement" in event.last_error
