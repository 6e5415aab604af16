"""Sponsors with live placements made directly as rows (the flows that make them are tested elsewhere), and
an app counting on the real Redis."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import request
from flask_login import AnonymousUserMixin

from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.sponsors import counting, viewers
from microhub.sponsors.models import (Listing, ListingRevision, Placement, PlacementStatus, ReviewStatus, Sponsor,
                                      SponsorPerson, Spot, Where)

from ..backends import redis_url
from ..factories import HubFactory, UserFactory

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"


@dataclass
class Live:
    hub: Hub
    sponsor: Sponsor
    person: object
    placements: list[Placement]


def sponsor_with_person(name: str = "Toolsmiths"):
    sponsor = Sponsor(name=name)
    db.session.add(sponsor)
    db.session.flush()
    person = UserFactory()
    db.session.add(SponsorPerson(sponsor_id=sponsor.id, user_id=person.id))
    db.session.commit()
    return sponsor, person


def live_placement(hub: Hub, sponsor: Sponsor, *, link: str = "https://tools.example.org/for-members",
                   where: Where = Where.HUB_PAGE, status: PlacementStatus = PlacementStatus.LIVE) -> Placement:
    listing = db.session.scalar(db.select(Listing).filter_by(sponsor_id=sponsor.id, hub_id=hub.id))
    if listing is None:
        listing = Listing(sponsor_id=sponsor.id, hub_id=hub.id)
        db.session.add(listing)
        db.session.flush()
        revision = ListingRevision(listing_id=listing.id, name=sponsor.name, link=link, helps_with="Free credits",
                                   status=ReviewStatus.APPROVED)
        db.session.add(revision)
        db.session.flush()
        listing.live_id = revision.id
    spot = Spot(hub_id=hub.id, where=where, price_minor=5000)
    db.session.add(spot)
    db.session.flush()
    now = utcnow()
    placement = Placement(hub_id=hub.id, spot_id=spot.id, sponsor_id=sponsor.id, listing_id=listing.id,
                          status=status, starts_at=now - timedelta(days=10), ends_at=now + timedelta(days=20),
                          price_minor=5000, currency="EUR", paid_at=now - timedelta(days=11), turned_on_at=now)
    db.session.add(placement)
    db.session.commit()
    return placement


def live_setup(count: int = 1, hub: Hub | None = None) -> Live:
    hub = hub or HubFactory()
    sponsor, person = sponsor_with_person()
    return Live(hub, sponsor, person, [live_placement(hub, sponsor) for _ in range(count)])


@pytest.fixture
def counting_app(app, app_factory):
    """An app whose counters live on the real test Redis (flushed), with no cached salt."""
    viewers.forget_salts()
    counting.resume()
    made = app_factory(REDIS_URL=redis_url())
    yield made
    viewers.forget_salts()
    counting.resume()


def serve(app, placements, *, hub_id: int, address: str = "203.0.113.7", agent: str = BROWSER, user=None,
          ids: bool = True):
    """What a page does: count these placements (rows, or ids when `ids`) for one request; their click URLs."""
    headers = {"User-Agent": agent} if agent is not None else {}
    with app.test_request_context("/h/x", environ_base={"REMOTE_ADDR": address}, headers=headers):
        return counting.count_served([p.id for p in placements] if ids else placements, hub_id=hub_id,
                                     request=request, user=user or AnonymousUserMixin())


def flush(app, now=None) -> int:
    from microhub.jobs import redis_connection
    from microhub.sponsors import rollups

    with app.app_context():
        done = rollups.flush(redis_connection(app), now or utcnow())
        db.session.commit()
    return done


@pytest.fixture
def clocked_app(app, app_factory):
    """An app counting on fakeredis, whose expiry follows `time_machine` (a real Redis keeps its own clock)."""
    import fakeredis

    viewers.forget_salts()
    counting.resume()
    made = app_factory(REDIS_URL="redis://fake.invalid:6379/0")
    made.extensions["microhub.redis"] = fakeredis.FakeRedis()
    yield made
    viewers.forget_salts()
