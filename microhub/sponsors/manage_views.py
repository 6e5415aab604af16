"""The organizers' sponsor page (`/h/<slug>/manage/sponsors`): listing changes to approve or refuse, the spots
the hub offers, placement requests to decide, and cancelling a paid or live placement with a prorated refund."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, render_template, url_for
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..hubs.access import Permission, hub_for
from ..forms import submit_form
from ..money import CURRENCIES
from . import listings, placements, spots
from .forms import ReasonForm, SpotForm
from .models import PlacementStatus as P

bp = Blueprint("sponsor_admin", __name__)


def _page(hub, spot_form=None, failed: str | None = None, failed_form=None, status: int = 200):
    offered = spots.spots(hub)
    edit_forms = {s.id: SpotForm(formdata=None, obj=s, where=s.where.value,
                                 price=_units(s.price_minor, hub.currency), prefix=f"spot{s.id}") for s in offered}
    if failed and failed_form is not None and failed.startswith("spot"):
        edit_forms[int(failed[4:])] = failed_form
    return render_template("sponsors/manage.html", hub=hub, pending=listings.pending(hub), spots=offered,
                           edit_forms=edit_forms, spot_form=spot_form or SpotForm(formdata=None),
                           placements=placements.of_hub(hub), P=P, confirm=ConfirmForm(),
                           reason_form=failed_form if failed == "reason" else ReasonForm(formdata=None),
                           failed=failed, is_organizer=True, active="sponsors"), status


def _units(minor: int, currency: str) -> str:
    """1500 EUR → '15.00', as the price field takes it."""
    return str(Decimal(minor).scaleb(-CURRENCIES.get(currency, 2)))


def _back(hub) -> str:
    return url_for("sponsor_admin.index", slug=hub.slug)


@bp.get("/h/<slug>/manage/sponsors")
def index(slug: str):
    return _page(hub_for(slug, Permission.MANAGE))


def _info(form: SpotForm) -> spots.SpotInfo:
    return spots.SpotInfo(where=form.where.data, at_once=form.at_once.data, period_days=form.period_days.data,
                          price=form.price.data or "")


@bp.post("/h/<slug>/manage/sponsors/spots")
def add_spot(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = SpotForm()
    done = submit_form(form, lambda: spots.add_spot(hub, _info(form), actor=current_user),
                       done="Placement offered.", to=_back(hub))
    return done or _page(hub, spot_form=form, status=400)


@bp.post("/h/<slug>/manage/sponsors/spots/<int:spot_id>")
def update_spot(slug: str, spot_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    form = SpotForm(prefix=f"spot{spot_id}")
    done = submit_form(form, lambda: spots.update_spot(hub, spot_id, _info(form), actor=current_user),
                       done="Placement saved.", to=_back(hub))
    return done or _page(hub, failed=f"spot{spot_id}", failed_form=form, status=400)


@bp.post("/h/<slug>/manage/sponsors/spots/<int:spot_id>/<any(withdraw, resume):what>")
def spot_active(slug: str, spot_id: int, what: str):
    hub = hub_for(slug, Permission.MANAGE)
    done = submit_form(ConfirmForm(), lambda: spots.set_active(hub, spot_id, what == "resume", actor=current_user),
                       done="Placement withdrawn." if what == "withdraw" else "Placement offered again.",
                       to=_back(hub))
    return done or _page(hub, status=400)


@bp.post("/h/<slug>/manage/sponsors/listings/<int:revision_id>/approve")
def approve_listing(slug: str, revision_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    done = submit_form(ConfirmForm(), lambda: listings.approve(hub, revision_id, actor=current_user),
                       done="Listing approved: members see it now.", to=_back(hub))
    return done or _page(hub, status=400)


@bp.post("/h/<slug>/manage/sponsors/listings/<int:revision_id>/reject")
def reject_listing(slug: str, revision_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    form = ReasonForm()
    done = submit_form(form, lambda: listings.reject(hub, revision_id, form.reason.data, actor=current_user),
                       done="Listing change refused; the sponsor is told why.", to=_back(hub))
    return done or _page(hub, failed="reason", failed_form=form, status=400)


@bp.post("/h/<slug>/manage/sponsors/placements/<int:placement_id>/approve")
def approve_placement(slug: str, placement_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    done = submit_form(ConfirmForm(), lambda: placements.approve(hub, placement_id, actor=current_user),
                       done="Placement approved; the sponsor is asked to pay.", to=_back(hub))
    return done or _page(hub, status=409)


@bp.post("/h/<slug>/manage/sponsors/placements/<int:placement_id>/<any(reject, cancel):what>")
def decide_placement(slug: str, placement_id: int, what: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = ReasonForm()
    act = placements.reject if what == "reject" else placements.cancel
    done = submit_form(form, lambda: act(hub, placement_id, form.reason.data, actor=current_user),
                       done="Request refused; the sponsor is told why." if what == "reject"
                       else "Placement cancelled; the unused days are refunded.", to=_back(hub))
    return done or _page(hub, failed="reason", failed_form=form, status=400)
