"""The demo hub's sponsors: two organizations with approved listings, a hub-page spot and a welcome e-mail spot,
three live placements paid for in the ledger, and a few weeks of daily figures (final after 48 hours)."""
from __future__ import annotations

import random
import struct
import zlib
from datetime import datetime, timedelta, timezone

from ..billing.fees import standard_fee
from ..database import utcnow
from ..extensions import db
from ..ledger.models import Account
from ..ledger.services import record_payment
from . import listings, logos, spots
from .models import Channel, Placement, PlacementDay, PlacementStatus, Sponsor, SponsorPerson, Spot, Where

SPONSOR_EMAIL = "sponsor@demo.microhub.local"
SPONSOR_PASSWORD = "demo-sponsor-2026"
#: (sponsor, person's e-mail and name, link, what it helps with, member perk, logo colour)
SPONSORS = [
    ("Toolsmiths Co-op", SPONSOR_EMAIL, "Tess Toolsmith", "https://toolsmiths.example.org",
     "Free CI minutes and a code-review workshop every quarter", "Code SLOWCODE for 2,000 CI minutes", (30, 90, 70)),
    ("Quiet Cloud", "sponsor2@demo.microhub.local", "Quinn Cloud", "https://quietcloud.example.org",
     "€50 of hosting credits for every member's side project", "Credits at quietcloud.example.org/slow", (40, 60, 140)),
]
#: (sponsor index, spot, days since it went live, period days)
PLACEMENTS = [(0, Where.HUB_PAGE, 20, 30), (1, Where.HUB_PAGE, 10, 30), (1, Where.WELCOME_EMAIL, 10, 30)]


def _logo(rgb: tuple[int, int, int], size: int = 48) -> bytes:
    """A plain square PNG in the sponsor's colour."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def load_sponsors(hub, organizer, person) -> None:
    """Idempotent: nothing is made twice. `person(email, name, password)` finds or makes an account."""
    if db.session.scalar(db.select(Sponsor.id).limit(1)) is not None:
        return
    made = []
    for name, email, person_name, link, helps, perk, colour in SPONSORS:
        user = person(email, person_name, SPONSOR_PASSWORD)
        sponsor = Sponsor(name=name, created_by_id=user.id)
        db.session.add(sponsor)
        db.session.flush()
        db.session.add(SponsorPerson(sponsor_id=sponsor.id, user_id=user.id))
        revision = listings.save(sponsor, hub, listings.ListingInfo(name=name, link=link, helps_with=helps,
                                                                    member_perk=perk), actor=user)
        revision.logo = logos.store((_logo(colour), ".png"))
        listings.approve(hub, revision.id, actor=organizer)
        made.append(sponsor)
    by_where = {Where.HUB_PAGE: spots.add_spot(hub, spots.SpotInfo("hub_page", 3, 30, "150.00"), actor=organizer),
                Where.WELCOME_EMAIL: spots.add_spot(hub, spots.SpotInfo("welcome_email", 2, 30, "60.00"),
                                                    actor=organizer)}
    for index, where, days_live, period in PLACEMENTS:
        _live(hub, made[index], by_where[where], days_live, period)
    db.session.flush()


def _live(hub, sponsor: Sponsor, spot: Spot, days_live: int, period: int) -> None:
    starts = (utcnow() - timedelta(days=days_live)).replace(hour=0, minute=0, second=0, microsecond=0)
    paid = starts - timedelta(days=2)
    listing = listings.listing_of(sponsor.id, hub.id)
    placement = Placement(hub_id=hub.id, spot_id=spot.id, sponsor_id=sponsor.id, listing_id=listing.id,
                          status=PlacementStatus.LIVE, starts_at=starts, ends_at=starts + timedelta(days=period),
                          price_minor=spot.price_minor, currency=hub.currency, decided_at=paid, paid_at=paid,
                          checkout_ref=f"cs_demo_placement_{sponsor.id}_{spot.id}",
                          charge_ref=f"ch_demo_placement_{sponsor.id}_{spot.id}", turned_on_at=starts)
    db.session.add(placement)
    db.session.flush()
    record_payment(hub, source=("demo-placement", str(placement.id)), income=Account.SPONSOR_INCOME,
                   gross=spot.price_minor, fee=standard_fee(spot.price_minor, hub.currency), currency=hub.currency,
                   occurred_at=paid, charge_ref=None, details={"placement": placement.id, "demo": True},
                   memo=f"Sponsor placement: {sponsor.name}")
    _figures(placement, spot.where, days_live)


def _figures(placement: Placement, where: Where, days_live: int) -> None:
    """Believable days: a weekly rhythm of visits, most of them unique, half viewable, a few clicks."""
    pick = random.Random(placement.id)
    channel = Channel.EMAIL if where is Where.WELCOME_EMAIL else Channel.WEB
    today = utcnow().date()
    for back in range(days_live, -1, -1):
        day = today - timedelta(days=back)
        served = pick.randint(1, 3) if channel is Channel.EMAIL else pick.randint(35, 70) + 25 * (day.weekday() < 5)
        final = back >= 2
        db.session.add(PlacementDay(
            placement_id=placement.id, day=day, channel=channel, served=served,
            unique=served if channel is Channel.EMAIL else int(served * pick.uniform(.62, .8)),
            viewable=0 if channel is Channel.EMAIL else int(served * pick.uniform(.45, .65)),
            clicks=pick.randint(0, max(1, served // 25)), discarded={"bot": pick.randint(0, 9), "repeat": 3},
            final=final, finalized_at=datetime.combine(day + timedelta(days=2), datetime.min.time(), timezone.utc)
            if final else None))
