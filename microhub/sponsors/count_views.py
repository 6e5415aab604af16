"""The counting endpoints pages link to: the signed click redirect and the viewability beacon."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request
from flask_limiter.errors import RateLimitExceeded

from ..extensions import csrf, db
from ..hubs.models import Hub
from .bots import is_bot
from .clicks import read_token
from .counting import bump
from .models import Channel, Placement, PlacementStatus

bp = Blueprint("sponsor_counting", __name__)

#: What one network address may add to the counts (clicks and viewable reports together), as EthicalAds limits
#: per IP: replaying tokens from one place inflates nothing beyond it. The person is still sent on their way.
COUNTED_PER_ADDRESS = "30 per minute; 300 per hour"


def within_limit() -> bool:
    """True while this address may still add to the counts (one atomic increment in the limiter's storage)."""
    try:
        with current_app.extensions["microhub.limiter"].limit(COUNTED_PER_ADDRESS, scope="sponsor-counting"):
            return True
    except RateLimitExceeded:
        return False


def approved_link(placement: Placement) -> str | None:
    """The listing's approved link (http or https), looked up now; never anything a URL or token says."""
    live = placement.listing.live if placement.listing is not None else None
    link = live.link if live is not None else None
    if link and link.lower().startswith(("https://", "http://")):
        return link
    return None


@bp.get("/s/c/<token>")
def click(token: str):
    """Count the click (once per token, only after a counted impression, never a bot's) and go to the approved link.

    A forged token is a 404; an expired one, or a placement with no approved link, leads to its hub's page."""
    seen = read_token(token)
    if seen is None:
        abort(404)
    placement = db.session.get(Placement, seen.placement_id)
    if placement is None or placement.hub_id != seen.hub_id:
        abort(404)
    link = approved_link(placement)
    if seen.expired or link is None:
        slug = db.session.scalar(db.select(Hub.slug).where(Hub.id == placement.hub_id))
        return redirect(f"/h/{slug}", 303)
    # Link scanners and prefetchers (mail filters open every link) follow clicks too: not counted.
    if (seen.counted and placement.status is PlacementStatus.LIVE and not is_bot(request.headers.get("User-Agent"))
            and within_limit()):
        bump(placement.id, seen.channel, "clicks", once=seen.impression)
    response = redirect(link, 302)
    response.headers["Referrer-Policy"] = "origin"
    return response


@bp.post("/s/v")
@csrf.exempt
def viewable():
    """The beacon of static/sponsors.js: half the placement was on screen for a second. Counted once per token,
    and only for a counted web impression; the answer is the same either way."""
    body = request.stream.read(401)
    seen = read_token(body.decode("utf-8", "replace").strip()) if len(body) <= 400 else None
    if seen is None:
        return "That token is not one of ours.", 400
    if seen.counted and not seen.expired and seen.channel is Channel.WEB and within_limit():
        bump(seen.placement_id, Channel.WEB, "viewable", once=seen.impression)
    return "", 204
