"""The public hub page and the organizer's overview: read-only pages over hubs, plans and memberships."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from ..hubs.access import Permission, can, hub_for, roles_in
from ..hubs.models import Role
from ..accounts.forms import ConfirmForm
from ..billing.provider import gateway
from ..memberships.queries import live_members
from ..memberships.waitlist import waitlist_position
from ..sponsors.display import on_page
from ..sponsors.models import Where
from .document import hub_face
from .member_side import member_side
from .page_cache import for_visitor, visitor_page

bp = Blueprint("hubpage", __name__)


@bp.route("/h/<slug>")
def show(slug: str):
    face = hub_face(slug)  # read at most once a second per process: counters may lag a change by that much
    if for_visitor():  # the page kept for this face, with this view's own counted click links
        click_urls = on_page(face.hub, Where.HUB_PAGE, request=request, user=current_user, shown=face.sponsors)[1]
        return visitor_page(face).fill(click_urls)
    hub = face.hub
    sponsors, click_urls = on_page(hub, Where.HUB_PAGE, request=request, user=current_user, shown=face.sponsors)
    waiting = waitlist_position(hub.id, current_user.id) if current_user.is_authenticated else None
    roles = roles_in(hub)
    member = member_side(hub, current_user, sponsors) if Role.MEMBER in roles else None
    return render_template("hubpage/show.html", hub=hub, roles=roles, is_staff=can(hub, Permission.MODERATE),
                           plans=face.plans, scholarships_open=face.scholarships_open,
                           sponsors=sponsors, click_urls=click_urls, waiting=waiting,
                           confirm=ConfirmForm() if waiting else None, member=member)


@bp.route("/h/<slug>/manage")
def manage(slug: str):
    hub = hub_for(slug, Permission.MODERATE)
    return render_template("hubpage/manage.html", hub=hub, members=live_members(hub.id),
                           is_organizer=can(hub, Permission.MANAGE), test_clock=gateway().has_test_clock,
                           confirm=ConfirmForm())
