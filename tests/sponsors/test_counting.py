"""Counting on the server: once per viewer per placement per hour, bots, staff and the sponsor's own people
discarded by reason, daily keys that never match across days, and nothing lost for a page when Redis is down."""
from __future__ import annotations

import logging
from datetime import timedelta

import time_machine
from redis import Redis

from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.sponsors import viewers
from microhub.sponsors.models import Channel, PlacementDay

from ..backends import redis_url
from ..factories import RoleFactory, UserFactory
from .counting_helpers import (BROWSER, FIREFOX, GOOGLEBOT, clocked_app, counting_app, flush,  # noqa: F401
                               live_setup, serve)

CLOSED_REDIS = "redis://127.0.0.1:1/0"


def day_row(placement, channel=Channel.WEB) -> PlacementDay | None:
    db.session.expire_all()
    return db.session.scalar(db.select(PlacementDay).filter_by(placement_id=placement.id, channel=channel))


def test_a_viewer_counts_once_per_placement_per_hour(clocked_app):
    counting_app = clocked_app
    live = live_setup(2)
    first, second = live.placements
    start = utcnow().replace(hour=10, minute=0)
    with time_machine.travel(start, tick=False):
        urls = serve(counting_app, live.placements, hub_id=live.hub.id)
        serve(counting_app, [first], hub_id=live.hub.id)  # the same viewer, again within the hour
        serve(counting_app, [first], hub_id=live.hub.id, address="198.51.100.9")  # someone else
        serve(counting_app, [first], hub_id=live.hub.id, agent=FIREFOX)  # another browser on the same network
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        serve(counting_app, [first], hub_id=live.hub.id)  # an hour later: counted again
        assert flush(counting_app) == 2
        assert flush(counting_app) == 0  # taken and reset: a second flush adds nothing
    assert set(urls) == {first.id, second.id} and all(url.startswith("/s/c/") for url in urls.values())
    row = day_row(first)
    assert (row.served, row.unique, row.discarded) == (4, 3, {"repeat": 1})
    assert (day_row(second).served, day_row(second).unique) == (1, 1)


def test_the_same_address_on_the_same_network_prefix_is_one_viewer():
    salt = b"s" * 32
    def key(address):
        return viewers.viewer_key(salt, viewers.viewer_of(address, BROWSER), hub_id=1, placement_id=2)

    assert key("203.0.113.7") == key("203.0.113.200") != key("203.0.114.7")
    assert key("2001:db8:1:2::1") == key("2001:db8:1:ffff::9") != key("2001:db8:2::1")
    assert key("::ffff:203.0.113.9") == key("203.0.113.7")
    assert viewers.ip_prefix("not an address") == "unknown"


def test_two_days_salts_never_give_the_same_key_for_the_same_viewer(counting_app):
    conn = Redis.from_url(redis_url())
    today = utcnow().date()
    with counting_app.app_context():
        salts = [viewers.day_salt(conn, today), viewers.day_salt(conn, today + timedelta(days=1))]
        viewers.forget_salts()
        assert viewers.day_salt(conn, today) == salts[0]  # made once, read by every process
    keys = {viewers.viewer_key(salt, viewers.viewer_of("203.0.113.7", BROWSER), hub_id=1, placement_id=2)
            for salt in salts}
    assert len(keys) == 2
    assert 0 < conn.ttl(viewers.salt_key(today)) <= viewers.SALT_TTL  # Redis forgets it; PostgreSQL never sees it


def test_bots_staff_and_the_sponsors_own_people_are_discarded_by_reason_and_members_counted(counting_app):
    live = live_setup(1)
    [placement] = live.placements
    staff = RoleFactory(hub=live.hub, user=UserFactory(), role=Role.MODERATOR).user
    visitor = UserFactory()
    for agent in (GOOGLEBOT, "curl/8.5.0", ""):
        serve(counting_app, live.placements, hub_id=live.hub.id, agent=agent, address="192.0.2.1")
    serve(counting_app, live.placements, hub_id=live.hub.id, user=staff, address="192.0.2.2")
    serve(counting_app, live.placements, hub_id=live.hub.id, user=live.person, address="192.0.2.3")
    serve(counting_app, live.placements, hub_id=live.hub.id, user=visitor, address="192.0.2.4")
    flush(counting_app)
    row = day_row(placement)
    assert row.served == 1 and row.unique == 1
    assert row.discarded == {"bot": 3, "staff": 1, "sponsor": 1}


def test_placements_not_live_or_of_another_hub_are_neither_counted_nor_linked(counting_app):
    live, other = live_setup(1), live_setup(1)
    assert serve(counting_app, other.placements, hub_id=live.hub.id) == {}
    assert flush(counting_app) == 0


def test_nothing_in_redis_names_an_address_or_a_browser(counting_app):
    live = live_setup(1)
    serve(counting_app, live.placements, hub_id=live.hub.id, address="203.0.113.77")
    conn = Redis.from_url(redis_url())
    stored = b" ".join(conn.keys("*"))
    for key in conn.keys("*"):
        kind = conn.type(key)
        if kind == b"string":
            stored += conn.get(key)
        elif kind == b"hash":
            stored += b" ".join(k + v for k, v in conn.hgetall(key).items())
    assert b"203.0.113" not in stored and b"Chrome" not in stored


def test_the_page_still_gets_working_links_and_a_log_line_when_redis_is_down(app, app_factory, caplog):
    down = app_factory(REDIS_URL=CLOSED_REDIS)
    live = live_setup(1)
    from microhub.sponsors import counting

    counting.resume()
    with caplog.at_level(logging.WARNING, logger="microhub.sponsors.counting"):
        urls = serve(down, live.placements, hub_id=live.hub.id)
        serve(down, live.placements, hub_id=live.hub.id)  # resting: no second wait for a dead Redis
    counting.resume()
    [url] = urls.values()
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)
    response = down.test_client().get(url)
    assert response.status_code == 302 and response.headers["Location"] == "https://tools.example.org/for-members"


def test_without_redis_configured_pages_get_links_and_nothing_is_counted(app):
    live = live_setup(1)
    urls = serve(app, live.placements, hub_id=live.hub.id)
    assert list(urls) == [live.placements[0].id]


def test_placement_rows_from_the_page_are_counted_without_a_query_and_only_when_live_here(counting_app):
    from sqlalchemy import event

    from microhub.sponsors.models import PlacementStatus

    live, other = live_setup(2), live_setup(1)
    live.placements[1].status = PlacementStatus.ENDED
    db.session.commit()
    rows = [*live.placements, *other.placements]
    assert all(p.status and p.hub_id for p in rows)  # loaded, as a page that showed them has them
    hub_id, statements = live.hub.id, []
    with counting_app.app_context():
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            urls = serve(counting_app, rows, hub_id=hub_id, ids=False)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    assert list(urls) == [live.placements[0].id] and statements == []


def test_the_same_viewer_just_before_and_after_midnight_utc_has_two_unrelated_keys(clocked_app):
    live = live_setup(1)
    conn = clocked_app.extensions["microhub.redis"]
    midnight = (utcnow() + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    seen = []
    for moment in (midnight - timedelta(minutes=20), midnight + timedelta(minutes=20)):
        with time_machine.travel(moment, tick=False):
            serve(clocked_app, live.placements, hub_id=live.hub.id)
            seen.append({key for key in conn.keys("microhub:sponsors:seen:*")})
            flush(clocked_app)
    # Forty minutes apart, yet not a repeat: after midnight the same viewer has a new key, unrelated to the old.
    assert len(seen[0]) == 1 and len(seen[1]) == 2 and seen[0] < seen[1]
    served = [row.served for row in db.session.scalars(db.select(PlacementDay).order_by(PlacementDay.day))]
    assert served == [1, 1]  # counted on each day: the days cannot be linked


def test_staff_found_by_the_page_for_this_request_are_discarded_without_asking_again(counting_app):
    from flask import request
    from sqlalchemy import event

    from microhub.hubs.access import roles_in
    from microhub.sponsors import counting

    live = live_setup(1)
    staff = RoleFactory(hub=live.hub, user=UserFactory(), role=Role.ORGANIZER).user
    rows, statements = list(live.placements), []
    with counting_app.test_request_context("/h/x", environ_base={"REMOTE_ADDR": "192.0.2.8"},
                                           headers={"User-Agent": BROWSER}):
        assert Role.ORGANIZER in roles_in(live.hub, staff)  # what the hub page asks first
        listen = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        try:
            counting.count_served(rows, hub_id=live.hub.id, request=request, user=staff)
        finally:
            event.remove(db.engine, "before_cursor_execute", listen)
    flush(counting_app)
    assert day_row(live.placements[0]).discarded == {"staff": 1}
    assert not [s for s in statements if "hub_roles" in s]
