"""POST /webhooks/stripe: signature on the raw body, store once, answer fast, process by job."""
import json
import time
from datetime import timedelta

import pytest
import time_machine
from rq import SimpleWorker

from microhub import jobs
from microhub.billing.models import EventStatus, PaymentEvent
from microhub.database import utcnow
from microhub.extensions import db

from ..backends import redis_url
from .helpers import post_event, signed


def event(event_id="evt_test_1", event_type="customer.created", created=None, obj=None):
    return {"id": event_id, "object": "event", "type": event_type, "created": created or int(time.time()),
            "data": {"object": obj or {"id": "cus_1", "object": "customer"}}, "livemode": False}


def stored() -> list[PaymentEvent]:
    return db.session.scalars(db.select(PaymentEvent).order_by(PaymentEvent.id)).all()


def test_unknown_event_type_is_stored_answered_2xx_and_marked_processed(client):
    response = post_event(client, event())
    assert response.status_code == 200 and response.get_json() == {"received": "evt_test_1", "duplicate": False}
    [row] = stored()
    assert row.type == "customer.created" and row.status is EventStatus.PROCESSED and row.attempts == 1


def test_a_repeated_delivery_answers_2xx_and_is_not_processed_again(client):
    assert post_event(client, event()).status_code == 200
    again = post_event(client, event())
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    [row] = stored()
    assert row.attempts == 1


@pytest.mark.parametrize("header", [None, "", "t=1,v1=deadbeef", "garbage"])
def test_missing_or_wrong_signature_is_refused_and_nothing_stored(client, header):
    headers = {"Stripe-Signature": header} if header is not None else {}
    response = client.post("/webhooks/stripe", data=json.dumps(event()), headers=headers,
                           content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "bad event"
    assert stored() == []


def test_stale_signature_is_refused(client):
    response = post_event(client, event(), timestamp=int(time.time()) - 600)
    assert response.status_code == 400 and stored() == []


def test_a_body_changed_after_signing_is_refused(client):
    raw, header = signed(event())
    response = client.post("/webhooks/stripe", data=raw.replace(b"customer.created", b"invoice.paid"),
                           headers={"Stripe-Signature": header}, content_type="application/json")
    assert response.status_code == 400 and stored() == []


@pytest.mark.parametrize("body", ["{not json", "[]", json.dumps({"object": "event"}),
                                  json.dumps({"id": "evt_x", "object": "event", "type": "x", "created": "soon",
                                              "data": {"object": {}}})])
def test_malformed_but_signed_bodies_are_refused(client, body):
    assert post_event(client, body).status_code == 400
    assert stored() == []


def test_configured_webhook_secret_is_the_one_checked(app_factory):
    app = app_factory(STRIPE_WEBHOOK_SECRET="whsec_configured")
    client = app.test_client()
    with app.app_context():
        assert post_event(client, event("evt_a"), secret="whsec_other").status_code == 400
        assert post_event(client, event("evt_b"), secret="whsec_configured").status_code == 200


def test_processing_failure_is_recorded_on_the_event_for_operators(app_factory):
    app = app_factory(JOBS_RAISE=False)
    client = app.test_client()
    body = event("evt_bad", "customer.subscription.updated", obj={"object": "subscription"})  # no id: KeyError
    with app.app_context():
        assert post_event(client, body).status_code == 200
        row = db.session.scalar(db.select(PaymentEvent).filter_by(stripe_id="evt_bad"))
        assert row.status is EventStatus.PENDING and row.attempts == 1 and "KeyError" in row.last_error
        assert row.next_attempt_at is not None


def test_webhook_arriving_while_redis_is_down_is_stored_and_processed_once_redis_is_back(app_factory):
    down = app_factory(REDIS_URL="redis://127.0.0.1:1/0")
    with down.app_context():
        response = post_event(down.test_client(), event("evt_outage"))
        assert response.status_code == 200
        row = db.session.scalar(db.select(PaymentEvent).filter_by(stripe_id="evt_outage"))
        assert row.status is EventStatus.PENDING
    url = redis_url()
    back = app_factory(REDIS_URL=url)
    with back.app_context():
        with time_machine.travel(utcnow() + timedelta(minutes=4), tick=False):
            jobs.tick()  # the sweeper finds the stored event and enqueues it
        queue = jobs.queue(jobs.HIGH)
        assert [job.args for job in queue.jobs] == [("microhub.billing.processing:process_event", row.id)]
        jobs.bind_app(back)
        SimpleWorker([queue], connection=queue.connection).work(burst=True)
        db.session.expire_all()
        row = db.session.scalar(db.select(PaymentEvent).filter_by(stripe_id="evt_outage"))
        assert row.status is EventStatus.PROCESSED and row.attempts == 1
