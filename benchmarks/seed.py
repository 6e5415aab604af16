"""A demo-like hub for the served benchmarks: 500 members, 2 plans, 3 live sponsor placements (and "plain", the same
hub without sponsors), and the session cookies of one member and of the organizer, signed as the served app signs
them."""
from __future__ import annotations

from datetime import timedelta

from .common import REDIS

AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
MEMBERS = 500


def live_placements(hub) -> None:
    """Three sponsors, each with an approved listing live on the hub's page for the next 29 days."""
    from microhub.database import utcnow
    from microhub.extensions import db
    from microhub.sponsors.models import (Listing, ListingRevision, Placement, PlacementStatus, ReviewStatus,
                                          Sponsor, Spot, Where)

    spot = Spot(hub_id=hub.id, where=Where.HUB_PAGE, price_minor=5000)
    db.session.add(spot)
    for n in range(3):
        sponsor = Sponsor(name=f"Sponsor {n}")
        db.session.add(sponsor)
        db.session.flush()
        listing = Listing(sponsor_id=sponsor.id, hub_id=hub.id)
        db.session.add(listing)
        db.session.flush()
        revision = ListingRevision(listing_id=listing.id, name=f"Sponsor {n}", link="https://example.org/",
                                   helps_with="Free credits", member_perk="20% off", status=ReviewStatus.APPROVED)
        db.session.add(revision)
        db.session.flush()
        listing.live_id = revision.id
        db.session.add(Placement(hub_id=hub.id, spot_id=spot.id, sponsor_id=sponsor.id, listing_id=listing.id,
                                 status=PlacementStatus.LIVE, starts_at=utcnow() - timedelta(days=1),
                                 ends_at=utcnow() + timedelta(days=29), price_minor=5000, currency="EUR"))


def _cookie(app, user) -> str:
    """The session cookie of a login opened for `user`, as a browser on 127.0.0.1 with AGENT would hold it."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    from microhub.accounts import logins
    from microhub.extensions import db

    with app.test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}, headers={"User-Agent": AGENT}):
        logins.start(user, AGENT)
        db.session.commit()
        login_user(user)
        generate_csrf()  # a browser holds the form token its first page put in the session
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def seed_hub(url: str) -> tuple[str, dict]:
    from microhub.accounts.models import User
    from microhub.app import create_app
    from microhub.billing.services import create_plan
    from microhub.extensions import db
    from microhub.hubs.services import HubInfo, create_hub
    from microhub.memberships.services import admit

    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": REDIS, "SECRET_KEY": "bench-secret",
                                    "STRIPE_WEBHOOK_SECRET": "whsec_bench", "TEST_PAYMENTS_ALLOWED": True})
    with app.app_context():
        organizer = User(email="org@bench.local", name="Org", password_hash="x")
        db.session.add(organizer)
        db.session.flush()
        hub = create_hub(organizer, "demo", HubInfo(
            name="Demo hub", purpose="Ship side projects together", cap=MEMBERS,
            promises="A weekly check-in\nHonest feedback", rituals="Monday goals\nFriday demos",
            rules="Be kind.\nShip something small every week."))
        for plan in ("Member", "Supporter"):
            create_plan(hub, name=plan, includes="Weekly check-ins\nCohorts", price="9.00", interval="month")
        users = [User(email=f"m{i}@bench.local", name=f"Member {i}", password_hash="x") for i in range(MEMBERS)]
        db.session.add_all(users)
        db.session.flush()
        plain = create_hub(organizer, "plain", HubInfo(name="Plain hub", purpose="The same hub without sponsors",
                                                      cap=MEMBERS, promises=hub.promises, rituals=hub.rituals,
                                                      rules=hub.rules))
        create_plan(plain, name="Member", includes="Weekly check-ins\nCohorts", price="9.00", interval="month")
        for user in users:
            admit(hub, user)
            admit(plain, user)
        live_placements(hub)
        db.session.commit()
        cookies = {"member": _cookie(app, users[0]), "organizer": _cookie(app, organizer)}
        slug = hub.slug
        db.engine.dispose()
    return slug, cookies
