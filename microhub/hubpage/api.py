"""The public JSON API of a hub."""
from flask import Blueprint, jsonify, url_for

from ..database import reads_only
from .document import HubFace, hub_face

bp = Blueprint("hubs_api", __name__, url_prefix="/api/v1")


def hub_document(face: HubFace) -> dict:
    hub = face.hub
    return {
        "slug": hub.slug,
        "name": hub.name,
        "purpose": hub.purpose,
        "cap": hub.cap,
        "seats_taken": hub.seats_taken,
        "seats_left": hub.seats_left,
        "waitlist_count": face.waitlist_count,
        "scholarship_seats": hub.scholarship_seats,
        "scholarship_seats_left": hub.scholarship_seats_left,
        "scholarships_url": (url_for("scholarships.show", slug=hub.slug, _external=True)
                             if face.scholarships_open else None),
        "currency": hub.currency,
        "plans": [
            {"id": plan.id, "name": plan.name, "includes": plan.lines(), "price_minor": plan.price_minor,
             "currency": hub.currency, "interval": plan.interval.value}
            for plan in face.plans
        ],
    }


@bp.get("/hubs/<slug>")
@reads_only
def hub(slug: str):
    """The hub as a visitor sees it, at most `HUB_PAGE_CACHE_SECONDS` old (see `hubpage.document`)."""
    return jsonify(hub_document(hub_face(slug)))
