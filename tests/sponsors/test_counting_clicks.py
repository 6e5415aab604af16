"""Clicks and viewability: a click counts once per token and only after a counted impression, and goes only to
the placement's approved link; the viewability beacon counts once per token; e-mail links last 30 days."""
from __future__ import annotations

from datetime import timedelta

import time_machine
from flask import url_for

from microhub.database import utcnow
from microhub.extensions import db
from microhub.sponsors import counting
from microhub.sponsors.clicks import make_token
from microhub.sponsors.models import Channel, ListingRevision, PlacementDay, ReviewStatus

from .counting_helpers import BROWSER, GOOGLEBOT, counting_app, flush, live_setup, serve  # noqa: F401

LINK = "https://tools.example.org/for-members"


def figures(placement, channel=Channel.WEB) -> tuple[int, int, int]:
    db.session.expire_all()
    row = db.session.scalar(db.select(PlacementDay).filter_by(placement_id=placement.id, channel=channel))
    return (row.served, row.viewable, row.clicks) if row else (0, 0, 0)


def test_a_click_counts_once_per_token_and_goes_to_the_approved_link(counting_app):
    live = live_setup(1)
    [url] = serve(counting_app, live.placements, hub_id=live.hub.id).values()
    client = counting_app.test_client()
    assert client.get(url, headers={"User-Agent": GOOGLEBOT}).headers["Location"] == LINK  # a link scanner
    for _ in range(3):
        response = client.get(url, headers={"User-Agent": BROWSER})
        assert response.status_code == 302 and response.headers["Location"] == LINK
    [other_url] = serve(counting_app, live.placements, hub_id=live.hub.id, address="198.51.100.1").values()
    client.get(other_url, headers={"User-Agent": BROWSER})
    flush(counting_app)
    assert figures(live.placements[0]) == (2, 0, 2)


def test_a_click_after_an_impression_that_was_not_counted_is_not_counted(counting_app):
    live = live_setup(1)
    [bot_url] = serve(counting_app, live.placements, hub_id=live.hub.id, agent=GOOGLEBOT).values()
    [first] = serve(counting_app, live.placements, hub_id=live.hub.id).values()
    [repeat] = serve(counting_app, live.placements, hub_id=live.hub.id).values()  # same viewer within the hour
    client = counting_app.test_client()
    for url in (bot_url, repeat):
        assert client.get(url).headers["Location"] == LINK  # still taken where they wanted to go
    flush(counting_app)
    assert figures(live.placements[0]) == (1, 0, 0)
    client.get(first, headers={"User-Agent": BROWSER})
    flush(counting_app)
    assert figures(live.placements[0]) == (1, 0, 1)


def test_the_redirect_follows_the_approved_revision_at_click_time_never_a_pending_one(counting_app):
    live = live_setup(1)
    [placement] = live.placements
    [url] = serve(counting_app, live.placements, hub_id=live.hub.id).values()
    db.session.add(ListingRevision(listing_id=placement.listing_id, name="Toolsmiths", link="https://evil.example.net",
                                   helps_with="x", status=ReviewStatus.PENDING))
    approved = ListingRevision(listing_id=placement.listing_id, name="Toolsmiths", link="https://new.example.org/",
                               helps_with="x", status=ReviewStatus.APPROVED)
    db.session.add(approved)
    db.session.flush()
    placement.listing.live_id = approved.id
    db.session.commit()
    assert counting_app.test_client().get(url).headers["Location"] == "https://new.example.org/"


def test_forged_tampered_and_expired_tokens_never_redirect_anywhere_but_the_hub(counting_app):
    live, other = live_setup(1), live_setup(1)
    [url] = serve(counting_app, live.placements, hub_id=live.hub.id).values()
    client = counting_app.test_client()
    token = url.rsplit("/", 1)[1]
    assert client.get(f"/s/c/{token[:-2]}xx").status_code == 404
    assert client.get("/s/c/https:%2F%2Fevil.example.net").status_code == 404
    assert client.get("/s/c/" + "a" * 400).status_code == 404
    with counting_app.test_request_context():
        # Signed, but naming this hub for another hub's placement: nothing.
        crossed = make_token(other.placements[0].id, live.hub.id, Channel.WEB, "imp", True)
        theirs = make_token(other.placements[0].id, other.hub.id, Channel.WEB, "imp", True)
    assert client.get(f"/s/c/{crossed}").status_code == 404
    assert client.get(f"/s/c/{theirs}").headers["Location"] == LINK  # their own approved link, nobody else's
    with time_machine.travel(utcnow() + timedelta(hours=2, minutes=1)):
        response = client.get(url)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/h/{live.hub.slug}")
    flush(counting_app)
    assert figures(live.placements[0])[2] == 0


def test_a_placement_without_an_approved_link_sends_the_click_to_its_hub(counting_app):
    live = live_setup(1)
    [url] = serve(counting_app, live.placements, hub_id=live.hub.id).values()
    live.placements[0].listing.live.link = "javascript:alert(1)"
    db.session.commit()
    assert counting_app.test_client().get(url).headers["Location"].endswith(f"/h/{live.hub.slug}")


def test_viewable_counts_once_per_token_and_only_for_a_counted_impression(counting_app):
    live = live_setup(1)
    [url] = serve(counting_app, live.placements, hub_id=live.hub.id).values()
    [bot_url] = serve(counting_app, live.placements, hub_id=live.hub.id, agent=GOOGLEBOT).values()
    client = counting_app.test_client()
    for token_url in (url, url, bot_url):
        response = client.post("/s/v", data=token_url.rsplit("/", 1)[1], content_type="text/plain")
        assert response.status_code == 204
    assert client.post("/s/v", data="nonsense", content_type="text/plain").status_code == 400
    assert client.post("/s/v", data="x" * 5000, content_type="text/plain").status_code == 400
    flush(counting_app)
    assert figures(live.placements[0]) == (1, 1, 0)


def test_email_sends_count_and_their_links_work_for_30_days(counting_app):
    live = live_setup(1)
    [placement] = live.placements
    with counting_app.test_request_context():
        url = counting.count_sent(placement.id)
        counting.count_sent(placement.id)
    assert url.startswith("http") and "/s/c/" in url
    path = url.split("/s/c/", 1)[1]
    client = counting_app.test_client()
    with time_machine.travel(utcnow() + timedelta(days=3)):
        assert client.get(f"/s/c/{path}", headers={"User-Agent": BROWSER}).headers["Location"] == LINK
        assert client.get(f"/s/c/{path}", headers={"User-Agent": BROWSER}).headers["Location"] == LINK
    with time_machine.travel(utcnow() + timedelta(days=31)):
        assert client.get(f"/s/c/{path}").headers["Location"].endswith(f"/h/{live.hub.slug}")
    flush(counting_app)
    db.session.expire_all()
    rows = db.session.scalars(db.select(PlacementDay).filter_by(placement_id=placement.id, channel=Channel.EMAIL)).all()
    assert sum(r.served for r in rows) == 2 and sum(r.clicks for r in rows) == 1 and all(r.unique == 0 for r in rows)


def test_one_address_adds_at_most_its_allowance_of_clicks_and_is_still_sent_on(counting_app):
    from microhub.sponsors.count_views import COUNTED_PER_ADDRESS

    allowance = int(COUNTED_PER_ADDRESS.split()[0])
    live = live_setup(1)
    client = counting_app.test_client()
    for n in range(allowance + 5):  # counted impressions from many networks, every click from one address
        [url] = serve(counting_app, live.placements, hub_id=live.hub.id, address=f"10.{n}.0.1").values()
        response = client.get(url, headers={"User-Agent": BROWSER})
        assert response.status_code == 302 and response.headers["Location"] == LINK
    flush(counting_app)
    assert figures(live.placements[0])[2] == allowance


def test_the_click_base_follows_where_the_app_is_mounted(app):
    from microhub.sponsors.clicks import click_base

    for root in ("", "/community", "", "/other"):
        with app.test_request_context("/", base_url=f"http://hubs.example{root}/"):
            assert click_base() == url_for("sponsor_counting.click", token="t")[:-1]
            assert click_base().startswith(f"{root}/")
