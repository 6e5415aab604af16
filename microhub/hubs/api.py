"""The public JSON API of a hub."""
from flask import Blueprint, jsonify

from .access import hub_for

bp = Blueprint("hubs_api", __name__, url_prefix="/api/v1")


def hub_document(hub) -> dict:
    return {
        "slug": hub.slug,
        "name": hub.name,
        "purpose": hub.purpose,
        "cap": hub.cap,
        "seats_taken": hub.seats_taken,
        "seats_left": hub.seats_left,
        "waitlist_count": 0,
        "currency": hub.currency,
        "plans": [],
    }


@bp.get("/hubs/<slug>")
def hub(slug: str):
    return jsonify(hub_document(hub_for(slug)))
