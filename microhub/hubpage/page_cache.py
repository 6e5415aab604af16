"""The hub page, rendered once per hub face (`document.hub_face`, at most a second old), per process and per kind of
viewer, with a marker wherever one view's page differs from the next; every view fills in its own parts.

A visitor who is not signed in gets the kept page with their own freshly signed sponsor click links. A signed-in
person whose page shows no form (a member or staff, or someone neither waiting nor joining from a flashed message)
gets the page kept for their kind (staff or not, member or not) with their name in the navigation, their own
member side (rendered for them: rituals at their times, their cohorts) and their click links. Everything else that
differs per person (the waitlist place with its CSRF-protected form, a flashed message) is rendered for them in
full. A kept page changes when the face does: it lags the data no more than the face does. Each view is still
counted, with its own impressions and click links, exactly as a rendered page's would be.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import render_template, request, session
from flask_login import current_user
from markupsafe import Markup, escape

from .document import HubFace, keep, kept_in

#: Marks a blank in a kept page: random per process, so no hub's, sponsor's or person's words can contain it.
_MARK = f"mh-{secrets.token_hex(8)}-"
_BLANK = re.compile(re.escape(_MARK) + r"(\d+|name|member)-")
#: The blanks a signed-in person's page fills: their name in the navigation, their member side.
_NAME, _MEMBER = f"{_MARK}name-", f"{_MARK}member-"


@dataclass(frozen=True)
class KeptPage:
    face: HubFace
    script_root: str
    parts: tuple[str, ...]  # text, blank, text, blank, …, text (a blank: a placement id, "name" or "member")
    links: dict  # placement id → its approved link, escaped (what the page shows without a click URL)

    def fill(self, click_urls: dict[int, str], name: str = "", member: str = "") -> str:
        """The page with each placement's click URL of this view where its marker was, and the person's name and
        member side (both HTML, escaped where they must be) in theirs."""
        out = list(self.parts)
        for i in range(1, len(out), 2):
            blank = out[i]
            if blank == "name":
                out[i] = name
            elif blank == "member":
                out[i] = member
            else:
                out[i] = click_urls.get(int(blank)) or self.links[int(blank)]
        return "".join(out)


def for_visitor() -> bool:
    """True when the kept page is the page this request would get: not signed in, no flashed message waiting."""
    return "_flashes" not in session and not current_user.is_authenticated


def visitor_page(face: HubFace) -> KeptPage:
    """The visitor's page of this face, rendered on first use and kept until the face changes."""
    return _kept(face, "visitor", lambda: dict(roles=frozenset(), is_staff=False))


def signed_in_page(face: HubFace, roles: frozenset, is_staff: bool, member) -> KeptPage:
    """The page of a signed-in person without a form on it (`waiting` None, no flashed message): the page kept for
    their kind, filled with their name, member side (`member`, a MemberSide or None) and click links (`fill`)."""
    kind = (is_staff, roles)
    return _kept(face, kind, lambda: dict(roles=roles, is_staff=is_staff, current_user=_Marked(),
                                           member_side=Markup(_MEMBER) if member else ""))


def member_html(hub, member) -> str:
    """The member side of the hub page for this person (empty for none), as the kept page's blank takes it."""
    return render_template("hubpage/_member.html", hub=hub, member=member) if member else ""


class _Marked:
    """Who the navigation names while a signed-in kind's page is kept: a marker where their name goes."""

    is_authenticated = True
    name = Markup(_NAME)


def _kept(face: HubFace, kind, context) -> KeptPage:
    pages = kept_in("microhub.kept_hub_pages")
    key = (face.hub.slug, kind)
    page = pages.get(key)
    if page is not None and page.face is face and page.script_root == request.script_root:
        return page
    marks = {p.placement_id: Markup(f"{_MARK}{p.placement_id}-") for p in face.sponsors}
    html = render_template("hubpage/show.html", hub=face.hub, plans=face.plans, sponsors=list(face.sponsors),
                           scholarships_open=face.scholarships_open, click_urls=marks, waiting=None, confirm=None,
                           **{"member_side": "", **context()})
    page = KeptPage(face=face, script_root=request.script_root, parts=tuple(_BLANK.split(html)),
                    links={p.placement_id: str(escape(p.link)) for p in face.sponsors})
    keep(pages, key, page)
    return page
