"""The organizer's overview page, cheap per row: links that differ only by a number are built once per page, and the
one CSRF token the per-member forms share is rendered once (issue 15)."""
from __future__ import annotations

import os
from typing import Callable

from flask import render_template, url_for

from ..accounts.forms import ConfirmForm
from ..billing.provider import gateway
from ..hubs.access import Permission, can
from ..hubs.models import Hub
from ..memberships.queries import MembersPage


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


def render_overview(hub: Hub, listing: MembersPage) -> str:
    """The overview with one page of its member list; the test-clock column's forms are built only when a row shows
    one (an organizer, a gateway with a test clock, a member with a subscription)."""
    is_organizer = can(hub, Permission.MANAGE)
    test_clock = gateway().has_test_clock
    advancing = test_clock and is_organizer and any(m.subscription_ref for m in listing.members)
    # Every row's form carries the same token: rendered once, not once a row.
    token = ConfirmForm().csrf_token() if advancing else None
    return render_template(
        "hubpage/manage.html", hub=hub, listing=listing, members=listing.members, is_organizer=is_organizer,
        test_clock=test_clock, advance_token=token,
        advance_url=numbered(lambda n: url_for("memberships.advance", slug=hub.slug, membership_id=n))
        if advancing else None,
        page_url=numbered(lambda n: url_for("hubpage.manage", slug=hub.slug, page=n, q=listing.search or None))
        if listing.pages > 1 else None)
