"""The public JSON API of a hub."""
from flask import Blueprint, jsonify

from ..hubs.access import hub_for
from ..billing.services import hub_plans
from ..memberships.seats import SEATS

bp = Blueprint("hubs_api", __name__, url_prefix="/api/v1")


def hub_document(hub) -> dict:
    return {
        "slug": hub.slug,
        "name": hub.name,
        "purpose": hub.purpose,
        "cap": hub.cap,
        "seats_taken": hub.seats_taken,
        "seats_left": hub.seats_left,
        "waitlist_count": SEATS.count(hub.id),
        "currency": hub.currency,
        "plans": [
            {"id": plan.id, "name": plan.name, "includes": plan.lines(), "price_minor": plan.price_minor,
             "currency": hub.currency, "interval": plan.interval.value}
            for plan in hub_plans(hub.id)
        ],
    }


@bp.get("/hubs/<slug>")
def hub(slug: str):
    return jsonify(hub_document(hub_for(slug)))
