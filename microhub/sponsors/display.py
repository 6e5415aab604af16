"""What members and visitors see of sponsors: the live placements of a spot, with their approved listing."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from markupsafe import Markup

from ..extensions import db
from ..hubs.access import Permission, can
from .models import Listing, ListingRevision, Placement, PlacementStatus as P, Spot, Where


@dataclass(frozen=True)
class Shown:
    """One live placement as shown: the approved revision's words, never a pending one."""

    placement_id: int
    revision_id: int
    name: str
    logo: str | None
    link: str
    helps_with: str
    member_perk: str | None


def live_placements(hub_id: int, where: Where | str) -> list[Shown]:
    """The hub's live placements in spots of `where`, oldest first; one query."""
    rows = db.session.execute(
        db.select(Placement.id, ListingRevision).join(Spot, Placement.spot_id == Spot.id)
        .join(Listing, Placement.listing_id == Listing.id)
        .join(ListingRevision, Listing.live_id == ListingRevision.id)
        .where(Placement.hub_id == hub_id, Placement.status == P.LIVE, Spot.where == Where(where))
        .order_by(Placement.starts_at, Placement.id)).all()
    return [Shown(placement_id, rev.id, rev.name, rev.logo, rev.link, rev.helps_with, rev.member_perk)
            for placement_id, rev in rows]


def blocks(hub, *, where: str, user=None) -> Markup | str:
    """A receiver of `signals.sponsor_blocks_asked`: the sponsors of `where` in `hub`, rendered (HTML for pages,
    plain text for the welcome e-mail); empty when none is live. Perks only for members (`user` is one)."""
    shown = live_placements(hub.id, where)
    if not shown:
        return ""
    member = user is not None and can(hub, Permission.TAKE_PART, user)
    if Where(where) is Where.WELCOME_EMAIL:
        return render_template("sponsors/_placements.txt", hub=hub, placements=shown, member=True)
    return Markup(render_template("sponsors/_placements.html", hub=hub, placements=shown, member=member,
                                  click_urls={}))
