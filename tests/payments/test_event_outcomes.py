"""Events that are not ours are ignored with a reason; failures are retried with backoff, then dead; never forever."""
import time
from datetime import timedelta

import time_machine

from microhub import jobs
from microhub.billing import processing
from microhub.billing.models import EventStatus, PaymentEvent
from microhub.commands import events_command
from microhub.database import utcnow
from microhub.extensions import db

from .helpers import post_event


def event(event_id, event_type, obj):
    return {"id": event_id, "object": "event", "type": event_type, "created": int(time.time()),
            "data": {"object": obj}, "livemode": False}


def row(stripe_id) -> PaymentEvent:
    db.session.expire_all()
    return db.session.scalar(db.select(PaymentEvent).filter_by(stripe_id=stripe_id))


def test_events_of_another_product_are_ignored_with_a_reason_and_never_swept_again(app_factory):
    app = app_factory(JOBS_RAISE=False)
    client = app.test_client()
    foreign = [
        event("evt_other_checkout", "checkout.session.completed",
              {"id": "cs_other", "object": "checkout.session", "metadata": {"order": "42"}}),
        event("evt_unknown_hold", "checkout.session.completed",
              {"id": "cs_other2", "object": "checkout.session", "metadata": {"hold_id": "987654"}}),
        event("evt_unknown_sub", "customer.subscription.updated", {"id": "sub_someone_else", "object": "subscription"}),
        event("evt_unknown_invoice", "invoice.paid", {"id": "in_x", "object": "invoice", "subscription": "sub_nope"}),
    ]
    with app.app_context():
        for body in foreign:
            assert post_event(client, body).status_code == 200
        for body in foreign:
            stored = row(body["id"])
            assert stored.status is EventStatus.IGNORED and stored.last_error, body["id"]
        with time_machine.travel(utcnow() + timedelta(days=2), tick=False):
            jobs.tick()
        assert all(row(b["id"]).attempts == 1 for b in foreign)  # not retried


def test_a_failing_event_is_retried_with_backoff_then_dead_and_listed(app_factory):
    app = app_factory(JOBS_RAISE=False)
    client = app.test_client()
    with app.app_context():
        assert post_event(client, event("evt_broken", "customer.subscription.updated", {"object": "x"})).status_code \
            == 200
        moment = utcnow()
        for _ in range(processing.MAX_ATTEMPTS + 3):
            jobs.tick()  # nothing is due before the backoff has passed
            moment += timedelta(days=2)
            with time_machine.travel(moment, tick=False):
                jobs.tick()
        broken = row("evt_broken")
        assert broken.status is EventStatus.DEAD and broken.attempts == processing.MAX_ATTEMPTS
    runner = app.test_cli_runner()
    out = runner.invoke(events_command).output
    assert "evt_broken" in out and "dead after" in out and "KeyError" in out


def test_microhub_events_shows_ignored_events_with_their_reason(app_factory):
    app = app_factory(JOBS_RAISE=False)
    with app.app_context():
        post_event(app.test_client(), event("evt_foreign", "checkout.session.completed",
                                            {"id": "cs_f", "object": "checkout.session", "metadata": {}}))
    out = app.test_cli_runner().invoke(events_command).output
    assert "evt_foreign" in out and "[ignored]" in out and "why: " in out and "hold_id" in out
