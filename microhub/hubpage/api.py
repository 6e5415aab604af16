"""The public JSON API of a hub."""
from flask import Blueprint, jsonify, url_for

from ..hubs.access import hub_for
from ..billing.services import hub_plans
from ..memberships.seats import SEATS
from ..scholarships.program import accepting, program_of

bp = Blueprint("hubs_api", __name__, url_prefix="/api/v1")


def hub_document(hub) -> dict:
    applying = accepting(hub, program_of(hub))
    return {
        "slug": hub.slug,
        "name": hub.name,
        "purpose": hub.purpose,
        "cap": hub.cap,
        "seats_taken": hub.seats_taken,
        "seats_left": hub.seats_left,
        "waitlist_count": SEATS.count(hub.id),
        "scholarship_seats": hub.scholarship_seats,
        "scholarship_seats_left": hub.scholarship_seats_left,
        "scholarships_url": url_for("scholarships.show", slug=hub.slug, _external=True) if applying else None,
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
