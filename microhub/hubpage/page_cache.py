"""The visitor's hub page, rendered once per hub face (`document.hub_face`, at most a second old) and per process,
with a marker where each sponsor's click link goes; every view fills in its own freshly signed links.

Only for a visitor who is not signed in and has no flashed message waiting: everything else that differs from
one visitor to the next on this page (the nav, the member side, the waitlist place, a form's CSRF token) belongs
to signed-in people, who get the page rendered for them. The page changes when the face does: it is rendered
again for every new face, so it lags the data no more than the face does. Each view is still counted, with its
own impressions and click links, exactly as a rendered page's would be.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from flask import render_template, request, session
from flask_login import current_user
from markupsafe import escape

from .document import HubFace, keep, kept_in

#: Marks a click link in the rendered page: random per process, so no hub's or sponsor's words can contain it.
_MARK = f"mh-click-{secrets.token_hex(8)}-"
_MARKED = re.compile(re.escape(_MARK) + r"(\d+)-")


@dataclass(frozen=True)
class VisitorPage:
    face: HubFace
    script_root: str
    parts: tuple[str, ...]  # text, placement id, text, placement id, …, text
    links: dict  # placement id → its approved link, escaped (what the page shows without a click URL)

    def fill(self, click_urls: dict[int, str]) -> str:
        """The page with each placement's click URL of this view where the marker was."""
        out = list(self.parts)
        for i in range(1, len(out), 2):
            pid = int(out[i])
            out[i] = click_urls.get(pid) or self.links[pid]
        return "".join(out)


def for_visitor() -> bool:
    """True when the kept page is the page this request would get: not signed in, no flashed message waiting."""
    return "_flashes" not in session and not current_user.is_authenticated



def visitor_page(face: HubFace) -> VisitorPage:
    """The visitor's page of this face, rendered on first use and kept until the face changes."""
    pages = kept_in("microhub.visitor_pages")
    slug = face.hub.slug
    page = pages.get(slug)
    if page is not None and page.face is face and page.script_root == request.script_root:
        return page
    page = _render(face)
    keep(pages, slug, page)
    return page


def _render(face: HubFace) -> VisitorPage:
    marks = {p.placement_id: f"{_MARK}{p.placement_id}-" for p in face.sponsors}
    html = render_template("hubpage/show.html", hub=face.hub, roles=frozenset(), is_staff=False, plans=face.plans,
                           scholarships_open=face.scholarships_open, sponsors=list(face.sponsors),
                           click_urls=marks, waiting=None, confirm=None, member=None)
    return VisitorPage(face=face, script_root=request.script_root, parts=tuple(_MARKED.split(html)),
                       links={p.placement_id: str(escape(p.link)) for p in face.sponsors})
