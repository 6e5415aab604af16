"""The organizer's overview page, cheap per row: links that differ only by a number are built once per page, the one
CSRF token the per-member forms share is rendered once, and a page of rows that carries no form is rendered once per
process for the very rows it shows (issue 15)."""
from __future__ import annotations

import os
from typing import Callable

from flask import current_app, render_template, url_for
from markupsafe import Markup

from ..accounts.forms import ConfirmForm
from ..billing.provider import gateway
from ..hubs.access import Permission, can
from ..hubs.models import Hub
from ..memberships.queries import MembersPage
from .document import kept_in


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


#: Pages of rows one process keeps (about 15 kB each); past this many it starts afresh (a bound on memory).
ROWS_KEPT = 256


def member_rows(members: list, zone: str, test_clock: bool, **advance) -> Markup:
    """The table rows of `members` (`hubpage/_member_rows.html`), the day in `zone`.

    Rows without forms (no `advance`) are the same for every viewer and depend on nothing but the listed columns, the
    zone and the test-clock column: they are kept under exactly those, so a page is never stale (a renamed member or a
    changed status is a different key) and the template runs once per distinct page per process."""
    template = current_app.jinja_env.get_template("hubpage/_member_rows.html")
    if advance:  # forms with the viewer's CSRF token: theirs alone
        return Markup(template.render(members=members, zone=zone, test_clock=test_clock, **advance))
    store, key = kept_in("microhub.overview_rows"), (zone, test_clock, tuple(members))
    rows = store.get(key)
    if rows is None:
        rows = Markup(template.render(members=members, zone=zone, test_clock=test_clock))
        if len(store) >= ROWS_KEPT:
            store.clear()
        store[key] = rows
    return rows


def render_overview(hub: Hub, listing: MembersPage) -> str:
    """The overview with one page of its member list; the test-clock column's forms are built only when a row shows
    one (an organizer, a gateway with a test clock, a member with a subscription)."""
    is_organizer = can(hub, Permission.MANAGE)
    test_clock = gateway().has_test_clock
    advancing = test_clock and is_organizer and any(m.subscription_ref for m in listing.members)
    # Every row's form carries the same token: rendered once, not once a row.
    advance = {"advance_token": ConfirmForm().csrf_token(), "advance_url": numbered(
        lambda n: url_for("memberships.advance", slug=hub.slug, membership_id=n))} if advancing else {}
    return render_template(
        "hubpage/manage.html", hub=hub, listing=listing, members=listing.members, is_organizer=is_organizer,
        test_clock=test_clock, rows=member_rows(listing.members, hub.timezone, test_clock, **advance),
        page_url=numbered(lambda n: url_for("hubpage.manage", slug=hub.slug, page=n, q=listing.search or None))
        if listing.pages > 1 else None)
