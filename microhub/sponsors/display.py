"""What members and visitors see of sponsors: the live placements of a spot, with their approved listing."""
from __future__ import annotations

from dataclasses import dataclass

from flask import render_template, request
from markupsafe import Markup

from ..extensions import db
from ..hubs.access import Permission, can
from .counting import count_sent, count_served
from .models import Listing, ListingRevision, Placement, PlacementStatus as P, Spot, Where


@dataclass(frozen=True)
class Shown:
    """One live placement as shown: the approved revision's words, never a pending one."""

    placement_id: int
    sponsor_id: int
    revision_id: int
    name: str
    logo: str | None
    link: str
    helps_with: str
    member_perk: str | None


def live_placements(hub_id: int, where: Where | str) -> list[Shown]:
    """The hub's live placements in spots of `where`, oldest first; one query."""
    rows = db.session.execute(
        db.select(Placement.id, Placement.sponsor_id, ListingRevision).join(Spot, Placement.spot_id == Spot.id)
        .join(Listing, Placement.listing_id == Listing.id)
        .join(ListingRevision, Listing.live_id == ListingRevision.id)
        .where(Placement.hub_id == hub_id, Placement.status == P.LIVE, Spot.where == Where(where))
        .order_by(Placement.starts_at, Placement.id)).all()
    return [Shown(placement_id, sponsor_id, rev.id, rev.name, rev.logo, rev.link, rev.helps_with, rev.member_perk)
            for placement_id, sponsor_id, rev in rows]


def on_page(hub, where: Where | str, *, request, user, shown=None) -> tuple[list[Shown], dict[int, str]]:
    """The live placements a page shows, counted as served (or discarded, with a reason), with their click URLs;
    `shown`: those placements as the page read them already (else read here)."""
    shown = live_placements(hub.id, where) if shown is None else list(shown)
    return shown, (count_served(shown, hub_id=hub.id, request=request, user=user) if shown else {})


def blocks(hub, *, where: str, user=None) -> Markup | str:
    """A receiver of `signals.sponsor_blocks_asked`: the sponsors of `where` in `hub`, rendered and counted (HTML
    for pages, plain text for the welcome e-mail, each send counted); empty when none is live. Perks only for
    members (`user` is one)."""
    if Where(where) is Where.WELCOME_EMAIL:
        shown = live_placements(hub.id, where)
        links = {p.placement_id: count_sent(p.placement_id) for p in shown}
        return render_template("sponsors/_placements.txt", hub=hub, placements=shown, member=True,
                               click_urls=links) if shown else ""
    shown, links = on_page(hub, where, request=request, user=user)
    if not shown:
        return ""
    member = user is not None and can(hub, Permission.TAKE_PART, user)
    return Markup(render_template("sponsors/_placements.html", hub=hub, placements=shown, member=member,
                                  click_urls=links))
