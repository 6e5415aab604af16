"""Views known not to count are tallied in the process and reach Redis within SPONSOR_TALLY_SECONDS; views that may
count still ask Redis before the page answers, so what counts is what counted before. Click tokens are signed
directly, in the format itsdangerous reads (and tokens it made are still good)."""
from __future__ import annotations

import time
from unittest import mock

import pytest
from redis import Redis

from microhub.database import utcnow
from microhub.sponsors import clicks, counting, tally
from microhub.sponsors.models import Channel

from ..backends import REDIS_TEST_URL
from .counting_helpers import BROWSER, GOOGLEBOT, counting_app, flush, live_setup, serve  # noqa: F401
from .test_counting import day_row

BOUND = 2.0  # the interval is 1 s


@pytest.fixture
def tallied(counting_app, app_factory):
    tally.forget()
    yield app_factory(REDIS_URL=counting_app.config["REDIS_URL"], SPONSOR_TALLY_SECONDS=1.0)
    tally.flush()
    tally.forget()


def figures(placement) -> dict[str, int]:
    """Today's web counters of `placement` as Redis holds them now."""
    key = counting.counters_key(placement.id, utcnow().date(), Channel.WEB)
    return {k.decode(): int(v) for k, v in Redis.from_url(REDIS_TEST_URL).hgetall(key).items()}


def within_bound(check) -> None:
    started = time.monotonic()
    while not check():
        assert time.monotonic() - started < BOUND
        time.sleep(0.05)


def counted_flags(app, urls: dict[int, str]) -> set[bool]:
    with app.app_context():
        return {clicks.read_token(url.removeprefix("/s/c/")).counted for url in urls.values()}


def test_a_first_view_counts_at_once_and_repeats_and_bots_reach_redis_within_the_interval(tallied):
    live = live_setup(1)
    [placement] = live.placements
    assert counted_flags(tallied, serve(tallied, live.placements, hub_id=live.hub.id)) == {True}
    assert figures(placement) == {"served": 1}  # written before the page answered
    for _ in range(3):  # the same viewer: known to this process, Redis is not asked
        assert counted_flags(tallied, serve(tallied, live.placements, hub_id=live.hub.id)) == {False}
    serve(tallied, live.placements, hub_id=live.hub.id, agent=GOOGLEBOT)
    assert counted_flags(tallied, serve(tallied, live.placements, hub_id=live.hub.id,
                                        address="198.51.100.9")) == {True}  # someone else: counted at once
    within_bound(lambda: figures(placement) == {"served": 2, "discarded:repeat": 3, "discarded:bot": 1})
    flush(tallied)
    row = day_row(placement)
    assert (row.served, row.unique, row.discarded) == (2, 2, {"repeat": 3, "bot": 1})


def test_a_repeat_the_process_has_not_seen_is_asked_and_then_remembered(tallied, app_factory):
    live = live_setup(1)
    [placement] = live.placements
    serve(tallied, live.placements, hub_id=live.hub.id)
    tally.forget()  # as another worker would be: it never saw this viewer
    with mock.patch.object(counting, "_serve", wraps=counting._serve) as asked:
        assert counted_flags(tallied, serve(tallied, live.placements, hub_id=live.hub.id)) == {False}
        assert counted_flags(tallied, serve(tallied, live.placements, hub_id=live.hub.id)) == {False}
    assert asked.call_count == 1  # Redis said "repeat" and how long its marker lasts; the next one was known
    within_bound(lambda: figures(placement) == {"served": 1, "discarded:repeat": 2})


def test_pending_figures_are_written_when_the_process_exits(tallied):
    live = live_setup(1)
    [placement] = live.placements
    for _ in range(2):
        serve(tallied, live.placements, hub_id=live.hub.id, agent=GOOGLEBOT)
    tally.flush()  # what the process does at exit (atexit)
    assert figures(placement) == {"discarded:bot": 2}


def test_click_tokens_are_the_serializers_own_and_its_older_tokens_still_read(app):
    with app.test_request_context("/"), mock.patch("time.time", return_value=time.time()):
        made = clicks.make_token(12, 3, Channel.WEB, "abcDEF_-1234", True)
        assert made == clicks._serializer().dumps([12, 3, "w", "abcDEF_-1234", 1])
        old = clicks._serializer().dumps([7, 3, "e", "x" * 40, 0])  # long enough for zlib to shorten it
        assert old.startswith(".")
        seen, older = clicks.read_token(made), clicks.read_token(old)
    assert (seen.placement_id, seen.hub_id, seen.channel, seen.impression, seen.counted, seen.expired) == (
        12, 3, Channel.WEB, "abcDEF_-1234", True, False)
    assert (older.placement_id, older.channel, older.counted) == (7, Channel.EMAIL, False)
