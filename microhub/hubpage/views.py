"""The public hub page and the organizer's overview: read-only pages over hubs, plans and memberships."""
from __future__ import annotations

from flask import Blueprint, render_template, request, session
from flask_login import current_user
from markupsafe import escape

from ..database import reads_only
from ..hubs.access import STAFF, Permission, can, hub_for, roles_and
from ..hubs.models import Role
from ..hubs.person import asks
from ..accounts.forms import ConfirmForm
from ..memberships.queries import live_members_page
from ..memberships.waitlist import waitlist_position
from ..sponsors.counting import VIEWER_CHECKS
from ..sponsors.display import on_page
from ..sponsors.models import Where
from .document import hub_face
from . import member_side as mine
from .overview import render_overview
from .page_cache import for_visitor, member_html, signed_in_page, visitor_page

bp = Blueprint("hubpage", __name__)
#: What the hub page asks of a signed-in person with their roles, in the same statement (`access.roles_and`).
PAGE_CHECKS = {**VIEWER_CHECKS, **mine.CHECKS}


@bp.route("/h/<slug>")
@reads_only
@asks(PAGE_CHECKS, hub_row=False)  # the face has the hub's row
def show(slug: str):
    face = hub_face(slug)  # read at most once a second per process: counters may lag a change by that much
    if for_visitor():  # the page kept for this face, with this view's own counted click links
        click_urls = on_page(face.hub, Where.HUB_PAGE, request=request, user=current_user, shown=face.sponsors)[1]
        return visitor_page(face).fill(click_urls)
    hub = face.hub
    # One statement for a signed-in person: their roles, and what counting and the member's side need to know of
    # them (kept for the request: counting reads them instead of asking again).
    roles, holds = roles_and(hub, PAGE_CHECKS)
    sponsors, click_urls = on_page(hub, Where.HUB_PAGE, request=request, user=current_user, shown=face.sponsors)
    # The page shows a place in line only to someone neither staff nor a member: nobody else's is asked for.
    asks_waitlist = current_user.is_authenticated and not roles & (STAFF | {Role.MEMBER})
    waiting = waitlist_position(hub.id, current_user.id) if asks_waitlist else None
    member = (mine.member_side(hub, current_user, sponsors, in_a_cohort=mine.IN_A_COHORT in holds)
              if Role.MEMBER in roles else None)
    is_staff = can(hub, Permission.MODERATE)
    if waiting is None and "_flashes" not in session:  # no form and no message: the page kept for their kind
        return signed_in_page(face, roles, is_staff, member).fill(
            click_urls, name=str(escape(current_user.name)), member=member_html(hub, member))
    return render_template("hubpage/show.html", hub=hub, roles=roles, is_staff=is_staff,
                           plans=face.plans, scholarships_open=face.scholarships_open,
                           sponsors=sponsors, click_urls=click_urls, waiting=waiting,
                           confirm=ConfirmForm() if waiting else None, member_side=member_html(hub, member))


@bp.route("/h/<slug>/manage")
@reads_only
@asks()
def manage(slug: str):
    hub = hub_for(slug, Permission.MODERATE)
    # A page of the member list at a time (`?page=`, `?q=` to find a name or e-mail): a fixed number of statements.
    listing = live_members_page(hub.id, request.args.get("page", 1, type=int), search=request.args.get("q", ""))
    return render_overview(hub, listing)
