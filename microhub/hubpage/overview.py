"""The organizer's overview page (issue 15): its content is the same for every organizer who sees the same rows, so
a process renders it once for exactly what it shows and keeps it; links that differ only by a number are built once
per page, and the one CSRF token the per-member forms share is rendered once."""
from __future__ import annotations

import os
from typing import Callable, NamedTuple

from flask import current_app, render_template, request, url_for
from markupsafe import Markup

from ..accounts.forms import ConfirmForm
from ..billing.provider import gateway
from ..hubs.access import Permission, can
from ..hubs.models import Hub
from ..memberships.queries import MembersPage
from .document import keep, kept_in

#: Overview contents one process keeps (some 20 kB each); past this many it starts afresh (a bound on memory).
MOST_KEPT = 256


def numbered(link: Callable[[int], str]) -> Callable[[int], str]:
    """`link(n)` for any whole number n, with `link` called twice (a `url_for` costs about as much as a row).

    `link` is called with 1 and 20: what comes before the number and after it is the same for every n (only the number
    changes), so a page's fifty links are made by formatting, not by fifty trips through the URL map. When the number
    is not written as itself in the one place (padded, or twice), every link is built by `link`."""
    one, twenty = link(1), link(20)
    head = os.path.commonprefix([one, twenty])
    tail = one[len(head) + 1:]
    if one != f"{head}1{tail}" or twenty != f"{head}20{tail}":
        return link
    return lambda n: f"{head}{int(n)}{tail}"


class HubShown(NamedTuple):
    """The hub's columns the overview's content shows."""
    name: str
    slug: str
    timezone: str
    seats_taken: int
    seats_left: int
    cap: int


class MemberShown(NamedTuple):
    """A row of the member list as the content shows it: a plain tuple, so comparing two pages' rows is cheap. Its
    fields are the listing's first columns, in their order (a Row's slice is ten times cheaper than its attributes)."""
    id: int
    status: object
    activated_at: object
    cancel_at_period_end: bool
    subscription_ref: str | None
    name: str
    email: str


SHOWN = len(MemberShown._fields)


class ListingShown(NamedTuple):
    """What the content says about the member list besides its rows."""
    total: int
    page: int
    pages: int
    per_page: int
    search: str


class Shown(NamedTuple):
    """Everything `hubpage/_overview.html` shows, and where the app is mounted (its links start there): the template
    is given these and nothing else, so equal `Shown`s render equal content, and the content is kept under its
    `Shown`. A renamed member, a changed status, a seat taken is a different key: what is kept is never stale."""
    root: str
    hub: HubShown
    listing: ListingShown
    members: tuple
    is_organizer: bool
    test_clock: bool


def shown(hub: Hub, listing: MembersPage) -> Shown:
    return Shown(request.script_root,
                 HubShown(hub.name, hub.slug, hub.timezone, hub.seats_taken, hub.seats_left, hub.cap),
                 ListingShown(listing.total, listing.page, listing.pages, listing.per_page, listing.search),
                 tuple([MemberShown._make(row[:SHOWN]) for row in listing.members]),
                 can(hub, Permission.MANAGE), gateway().has_test_clock)


def _render(page: Shown, **advance) -> Markup:
    """The content of `page`; `advance` gives the test clock's forms (`advance_url`, `advance_token`)."""
    slug, search = page.hub.slug, page.listing.search or None
    page_url = numbered(lambda n: url_for("hubpage.manage", slug=slug, page=n, q=search)) \
        if page.listing.pages > 1 else None
    template = current_app.jinja_env.get_template("hubpage/_overview.html")
    return Markup(template.render(page._asdict(), page_url=page_url, **advance))


def content(page: Shown) -> Markup:
    """The overview's content for `page`: rendered once per process for every viewer without a form of their own.

    The test-clock column's forms (an organizer, a gateway with a test clock, a member with a subscription) carry the
    viewer's CSRF token, the same on every row (rendered once): that content is theirs alone and is not kept."""
    if page.test_clock and page.is_organizer and any(m.subscription_ref for m in page.members):
        return _render(page, advance_token=ConfirmForm().csrf_token(), advance_url=numbered(
            lambda n: url_for("memberships.advance", slug=page.hub.slug, membership_id=n)))
    store = kept_in("microhub.overview_contents")
    found = store.get(page)
    if found is None:
        found = _render(page)
        keep(store, page, found, most=MOST_KEPT)
    return found


def render_overview(hub: Hub, listing: MembersPage) -> str:
    """The overview with one page of its member list."""
    return render_template("hubpage/manage.html", hub=hub, content=content(shown(hub, listing)))
