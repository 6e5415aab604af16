"""The sponsor's own pages (`/sponsor/…`): its sponsors, a sponsor's home, its people, its listing in a hub,
asking for a placement and paying for it. Only the sponsor's people get past `sponsor_for`."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error, submit_form
from ..hubs.models import Hub
from ..hubs.access import Permission, can, hub_for, in_hub_or_404
from . import listings, payments, people, placements, spots
from . import logos
from .access import is_person_of, sponsor_for, sponsors_of
from .forms import ListingForm, PersonForm, RequestForm, SponsorForm
from .models import Listing, ListingRevision, Placement, ReviewStatus

bp = Blueprint("sponsors", __name__)


@bp.get("/sponsor")
@login_required
def mine():
    return render_template("sponsors/mine.html", sponsors=sponsors_of(current_user))


@bp.route("/sponsor/new", methods=["GET", "POST"])
@login_required
def new():
    form = SponsorForm()
    if form.validate_on_submit():
        try:
            sponsor = people.create_sponsor(form.name.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Sponsor created. Next: write your listing in a hub.", "success")
            return redirect(url_for("sponsors.home", sponsor_id=sponsor.id))
    return render_template("sponsors/new.html", form=form), 400 if form.errors else 200


def _home(sponsor, person_form=None, status: int = 200):
    mine = db.session.scalars(db.select(Listing).filter_by(sponsor_id=sponsor.id).order_by(Listing.id)).all()
    return render_template("sponsors/home.html", sponsor=sponsor, people=people.people(sponsor),
                           listings=[(listing, listings.latest(listing)) for listing in mine],
                           placements=placements.of_sponsor(sponsor), person_form=person_form or PersonForm(),
                           confirm=ConfirmForm(), paid=request.args.get("paid")), status


@bp.get("/sponsor/<int:sponsor_id>")
def home(sponsor_id: int):
    return _home(sponsor_for(sponsor_id))


@bp.post("/sponsor/<int:sponsor_id>/people")
def add_person(sponsor_id: int):
    sponsor = sponsor_for(sponsor_id)
    form = PersonForm()
    done = submit_form(form, lambda: people.add_person(sponsor, form.email.data, actor=current_user),
                       done="Person added.", to=url_for("sponsors.home", sponsor_id=sponsor.id))
    return done or _home(sponsor, person_form=form, status=400)


@bp.post("/sponsor/<int:sponsor_id>/people/<int:person_id>/remove")
def remove_person(sponsor_id: int, person_id: int):
    sponsor = sponsor_for(sponsor_id)
    form = ConfirmForm()
    done = submit_form(form, lambda: people.remove_person(sponsor, person_id, actor=current_user),
                       done="Person removed.", to=url_for("sponsors.home", sponsor_id=sponsor.id))
    return done or _home(sponsor, status=400)


@bp.get("/sponsor/<int:sponsor_id>/hubs")
def find_hub(sponsor_id: int):
    """The "write a listing in a hub" box: its address (/h/<slug>) or slug leads to the hub's listing page."""
    sponsor = sponsor_for(sponsor_id)
    slug = (request.args.get("hub") or "").strip().rstrip("/").rsplit("/", 1)[-1][:100]
    hub = db.session.scalar(db.select(Hub).filter_by(slug=slug)) if slug else None
    if hub is None:
        flash("No hub has that address. Copy it from the hub's page, such as /h/night-owls.", "error")
        return redirect(url_for("sponsors.home", sponsor_id=sponsor.id))
    return redirect(url_for("sponsors.listing", sponsor_id=sponsor.id, slug=hub.slug))


def _listing_page(sponsor, hub, form=None, request_form=None, status: int = 200):
    listing = listings.listing_of(sponsor.id, hub.id)
    latest = listings.latest(listing)
    if form is None:
        form = ListingForm(formdata=None, obj=latest) if latest else ListingForm(formdata=None)
    offered = spots.spots(hub, active_only=True)
    request_form = request_form or RequestForm(formdata=None)
    request_form.spot_id.choices = [(str(s.id), s.where.label) for s in offered]
    return render_template("sponsors/listing.html", sponsor=sponsor, hub=hub, form=form, listing=listing,
                           latest=latest, spots=offered, request_form=request_form), status


@bp.route("/sponsor/<int:sponsor_id>/hubs/<slug>/listing", methods=["GET", "POST"])
def listing(sponsor_id: int, slug: str):
    sponsor = sponsor_for(sponsor_id)
    hub = hub_for(slug)
    if request.method == "GET":
        return _listing_page(sponsor, hub)
    form = ListingForm()
    info = listings.ListingInfo(name=form.name.data or "", link=form.link.data or "",
                                helps_with=form.helps_with.data or "", member_perk=form.member_perk.data)
    done = submit_form(form, lambda: listings.save(sponsor, hub, info, form.logo.data, actor=current_user),
                       done="Sent for approval: members see the change once an organizer approves it.",
                       to=url_for("sponsors.listing", sponsor_id=sponsor.id, slug=hub.slug))
    return done or _listing_page(sponsor, hub, form=form, status=400)


@bp.post("/sponsor/<int:sponsor_id>/hubs/<slug>/placements")
def request_placement(sponsor_id: int, slug: str):
    sponsor = sponsor_for(sponsor_id)
    hub = hub_for(slug)
    form = RequestForm()
    form.spot_id.choices = [(str(s.id), s.where.label) for s in spots.spots(hub, active_only=True)]
    done = submit_form(form, lambda: placements.request(sponsor, hub, form.spot_id.data, form.starts_on.data,
                                                        actor=current_user),
                       done="Placement requested: an organizer of the hub decides.",
                       to=url_for("sponsors.home", sponsor_id=sponsor.id))
    return done or _listing_page(sponsor, hub, request_form=form, status=400)


@bp.post("/sponsor/<int:sponsor_id>/placements/<int:placement_id>/pay")
def pay(sponsor_id: int, placement_id: int):
    sponsor = sponsor_for(sponsor_id)
    form = ConfirmForm()
    back = url_for("sponsors.home", sponsor_id=sponsor.id)
    if not form.validate_on_submit():
        flash("The form expired. Send it again.", "error")
        return redirect(back)
    placement = in_hub_or_404(Placement, placement_id, sponsor_id=sponsor.id)
    try:
        return redirect(payments.open_checkout(placement, user=current_user))
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return redirect(back)


@bp.get("/sponsor/<int:sponsor_id>/placements/<int:placement_id>/receipt")
def receipt(sponsor_id: int, placement_id: int):
    """A printable receipt of a paid placement, for the sponsor's own people only."""
    sponsor = sponsor_for(sponsor_id)
    placement = db.session.get(Placement, placement_id)
    if placement is None or placement.sponsor_id != sponsor.id or placement.paid_at is None:
        abort(404)
    return render_template("sponsors/receipt.html", sponsor=sponsor, placement=placement)


@bp.get("/sponsor/logos/<int:revision_id>")
def logo(revision_id: int):
    """An approved revision's logo, for anyone (cached for good: a new logo is a new revision); a pending or
    refused one only for the sponsor's people and the hub's organizers."""
    revision = db.session.get(ListingRevision, revision_id)
    if revision is None or not revision.logo:
        abort(404)
    public = revision.status is ReviewStatus.APPROVED
    listing = revision.listing
    if not public and not (is_person_of(listing.sponsor_id, current_user)
                           or can(listing.hub, Permission.MANAGE)):
        abort(404)
    try:
        path = logos.path_of(revision.logo)
    except FileNotFoundError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=logos.MIMETYPES[path.suffix], max_age=31_536_000 if public else 0)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if public else "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
