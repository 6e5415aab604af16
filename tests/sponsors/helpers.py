"""Shared steps of the sponsor tests: a sponsor with a person, an approved listing, a spot, a placement."""
from __future__ import annotations

import struct
import zlib
from datetime import date, timedelta

from microhub.database import utcnow
from microhub.extensions import db
from microhub.sponsors import listings, placements, spots
from microhub.sponsors.models import Placement, Sponsor, SponsorPerson

from ..factories import UserFactory, organizer_of


def png(width: int = 2, height: int = 2) -> bytes:
    """A real (tiny) PNG image."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    raw = b"".join(b"\x00" + b"\x00\x00\x00" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def make_sponsor(name: str = "Toolsmiths", person=None) -> tuple[Sponsor, object]:
    person = person or UserFactory()
    sponsor = Sponsor(name=name, created_by_id=person.id)
    db.session.add(sponsor)
    db.session.flush()
    db.session.add(SponsorPerson(sponsor_id=sponsor.id, user_id=person.id))
    db.session.commit()
    return sponsor, person


def approved_listing(sponsor, hub, organizer, **fields):
    info = listings.ListingInfo(name=fields.get("name", "Toolsmiths"), link=fields.get("link", "https://tools.example"),
                                helps_with=fields.get("helps_with", "Free CI minutes for every member"),
                                member_perk=fields.get("member_perk", "Code MICRO50"))
    revision = listings.save(sponsor, hub, info, actor=organizer)
    listings.approve(hub, revision.id, actor=organizer)
    db.session.commit()
    return revision


def spot_of(hub, organizer, *, where: str = "hub_page", at_once: int = 3, period_days: int = 30,
            price: str = "150"):
    spot = spots.add_spot(hub, spots.SpotInfo(where=where, at_once=at_once, period_days=period_days, price=price),
                          actor=organizer)
    db.session.commit()
    return spot


def ready(**hub_fields):
    """A hub with its organizer, a hub-page spot, and a sponsor (with its person) whose listing is approved."""
    hub, organizer = organizer_of(**hub_fields)
    sponsor, person = make_sponsor()
    approved_listing(sponsor, hub, organizer)
    return hub, organizer, sponsor, person, spot_of(hub, organizer)


def requested(hub, sponsor, person, spot, *, in_days: int = 3) -> Placement:
    starts_on = utcnow().date() + timedelta(days=in_days)
    placement = placements.request(sponsor, hub, spot.id, starts_on, actor=person)
    db.session.commit()
    return placement


def approved(hub, organizer, sponsor, person, spot, *, in_days: int = 3) -> Placement:
    placement = requested(hub, sponsor, person, spot, in_days=in_days)
    placements.approve(hub, placement.id, actor=organizer)
    db.session.commit()
    return placement


def day(offset: int) -> date:
    return utcnow().date() + timedelta(days=offset)
