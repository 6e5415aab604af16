"""The visitor's hub page is kept rendered per hub face, with each view's own click links filled in: it is the page
a render would give, it follows the data within the face's bound, every view is still counted with links of its
own, and a flashed message or a signed-in person always gets a page rendered for them."""
import re

import pytest

from microhub.extensions import db
from microhub.sponsors.clicks import read_token
from microhub.sponsors.models import ListingRevision, PlacementDay, PlacementStatus

from ..factories import PlanFactory, member_of, organizer_of
from ..helpers import signed_in
from ..payments.helpers import hub_with_plan
from ..sponsors.counting_helpers import BROWSER, counting_app, flush, live_setup  # noqa: F401
from .test_cache_hub_face import eventually

CLICK = re.compile(r"/s/c/[A-Za-z0-9_.-]+")


@pytest.fixture
def kept(counting_app, app_factory):
    """The page kept for a second, counting on the real Redis."""
    return app_factory(HUB_PAGE_CACHE_SECONDS=1.0, REDIS_URL=counting_app.config["REDIS_URL"])


def view(client, path: str, address: str = "203.0.113.7") -> str:
    response = client.get(path, headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": address})
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_kept_page_is_the_rendered_page_with_each_views_own_links(kept, app_factory):
    live = live_setup(2)
    path = f"/h/{live.hub.slug}"
    client = kept.test_client()
    first, second = view(client, path), view(client, path, "198.51.100.9")
    rendered = view(app_factory(REDIS_URL=kept.config["REDIS_URL"]).test_client(), path)  # no cache: rendered
    assert CLICK.sub("LINK", first) == CLICK.sub("LINK", second) == CLICK.sub("LINK", rendered)
    links = CLICK.findall(first)
    assert len(links) == 4 and not set(links) & set(CLICK.findall(second))  # two per placement, fresh per view
    with kept.app_context():
        seen = [read_token(link.removeprefix("/s/c/")) for link in links]
    assert {(s.placement_id, s.hub_id, s.counted) for s in seen} == {
        (p.id, live.hub.id, True) for p in live.placements}


def test_every_view_of_the_kept_page_is_counted(kept):
    live = live_setup(1)
    client = kept.test_client()
    for address in ("203.0.113.7", "198.51.100.9", "203.0.113.8"):  # the last: same network as the first
        view(client, f"/h/{live.hub.slug}", address)
    flush(kept)
    row = db.session.scalar(db.select(PlacementDay).filter_by(placement_id=live.placements[0].id))
    assert (row.served, row.unique, row.discarded) == (2, 2, {"repeat": 1})


def test_a_placement_ended_or_relisted_shows_within_the_bound(kept):
    live = live_setup(1)
    [placement] = live.placements
    path = f"/h/{live.hub.slug}"
    client = kept.test_client()
    assert "Free credits" in view(client, path)
    db.session.get(ListingRevision, placement.listing.live_id).helps_with = "Workshops every month"
    db.session.commit()
    eventually(client, path, lambda r: "Workshops every month" in r.get_data(as_text=True))
    placement.status = PlacementStatus.ENDED
    db.session.commit()
    eventually(client, path, lambda r: "Workshops every month" not in r.get_data(as_text=True)
               and not CLICK.search(r.get_data(as_text=True)))


def test_a_flashed_message_still_shows_to_a_visitor(kept):
    hub, _ = hub_with_plan()
    client = kept.test_client()
    view(client, f"/h/{hub.slug}")  # the page is kept now
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "You are logged out.")]
    assert "You are logged out." in view(client, f"/h/{hub.slug}")
    assert "You are logged out." not in view(client, f"/h/{hub.slug}")  # shown once, as always


def test_signed_in_people_never_get_the_visitors_page(kept):
    hub, organizer = organizer_of(slug="kept")
    PlanFactory(hub=hub)
    member = member_of(hub)
    visitor = view(kept.test_client(), "/h/kept")
    assert "Log in" in visitor and "Join " in visitor
    page = signed_in(kept, member).get("/h/kept").get_data(as_text=True)
    assert "You are a member" in page and "Log out" in page
    page = signed_in(kept, organizer).get("/h/kept").get_data(as_text=True)
    assert "Manage this hub" in page and "Join " not in page
    assert "Log in" in view(kept.test_client(), "/h/kept")  # and the kept page is still the visitor's
