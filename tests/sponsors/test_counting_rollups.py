"""Roll-ups: counters move into daily rows exactly once, days become final 48 hours after they end (UTC), and
what arrives later for a final day is a dated adjustment, never an edit of the final row."""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
import time_machine

from microhub import jobs
from microhub.database import utcnow
from microhub.extensions import db
from microhub.sponsors import counting, rollups
from microhub.sponsors.models import Channel, PlacementAdjustment, PlacementDay

from .counting_helpers import counting_app, flush, live_setup, serve  # noqa: F401


def rows(placement) -> list[PlacementDay]:
    db.session.expire_all()
    return db.session.scalars(db.select(PlacementDay).filter_by(placement_id=placement.id)
                              .order_by(PlacementDay.day)).all()


def test_flushing_twice_adds_each_count_once(counting_app):
    live = live_setup(1)
    for n in range(3):
        serve(counting_app, live.placements, hub_id=live.hub.id, address=f"192.0.2{n}.1")
    assert flush(counting_app) == 1
    assert flush(counting_app) == 0
    serve(counting_app, live.placements, hub_id=live.hub.id, address="198.51.100.1")
    flush(counting_app)
    [row] = rows(live.placements[0])
    assert (row.served, row.unique, row.final) == (4, 4, False)


def test_counts_taken_by_a_flush_that_cannot_write_are_put_back(counting_app, monkeypatch):
    live = live_setup(1)
    serve(counting_app, live.placements, hub_id=live.hub.id)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(rollups, "add", broken)
    with pytest.raises(RuntimeError):
        flush(counting_app)
    monkeypatch.undo()
    flush(counting_app)
    [row] = rows(live.placements[0])
    assert row.served == 1


def test_a_day_is_final_48_hours_after_it_ends_and_late_counts_become_adjustments(counting_app):
    live = live_setup(1)
    [placement] = live.placements
    day = utcnow().date() - timedelta(days=1)
    noon = datetime.combine(day, time(12), tzinfo=timezone.utc)
    with counting_app.app_context():
        for _ in range(5):
            counting.bump(placement.id, Channel.WEB, "served", at=noon)
    flush(counting_app, now=noon)
    ends = datetime.combine(day + timedelta(days=1), time(0), tzinfo=timezone.utc)
    with counting_app.app_context():
        assert rollups.finalize(ends + timedelta(hours=47, minutes=59)) == 0
        assert rollups.finalize(ends + timedelta(hours=48)) == 1
        db.session.commit()
        counting.bump(placement.id, Channel.WEB, "clicks", at=noon)  # a late count for that day
    flush(counting_app, now=ends + timedelta(hours=50))
    [row] = rows(placement)
    assert (row.served, row.clicks, row.final) == (5, 0, True)
    [adjustment] = db.session.scalars(db.select(PlacementAdjustment)).all()
    assert (adjustment.day, adjustment.deltas) == (day, {"clicks": 1})
    assert "final" in adjustment.reason and adjustment.created_at is not None


def test_counts_for_a_day_already_past_its_finality_with_no_row_are_an_adjustment_too(counting_app):
    live = live_setup(1)
    old = utcnow() - timedelta(days=5)
    with counting_app.app_context():
        counting.bump(live.placements[0].id, Channel.WEB, "served", at=old)
    flush(counting_app)
    [row] = rows(live.placements[0])
    assert (row.served, row.final) == (0, True)
    assert db.session.scalar(db.select(PlacementAdjustment.deltas)) == {"served": 1}


def test_the_tick_rolls_counts_up_and_finalizes_days(counting_app):
    live = live_setup(1)
    serve(counting_app, live.placements, hub_id=live.hub.id)
    with counting_app.app_context():
        jobs.tick()
    [row] = rows(live.placements[0])
    assert row.served == 1 and not row.final
    with time_machine.travel(utcnow() + timedelta(days=3)), counting_app.app_context():
        jobs.tick()
    assert rows(live.placements[0])[0].final
