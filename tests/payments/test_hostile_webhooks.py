"""Hostile deliveries to POST /webhooks/stripe: a 4xx with a JSON reason, never a 5xx, nothing stored unsigned."""
import json
import time

import pytest
import stripe

from microhub.billing.gateway import webhook_secret
from microhub.billing.models import PaymentEvent
from microhub.extensions import db

from .helpers import post_event


def event(**overrides) -> dict:
    body = {"id": "evt_hostile", "object": "event", "type": "customer.created", "created": int(time.time()),
            "data": {"object": {"id": "cus_1", "object": "customer"}}, "livemode": False}
    body.update(overrides)
    return body


def deliver(client, raw: bytes, header: str | None):
    headers = {"Stripe-Signature": header} if header is not None else {}
    return client.post("/webhooks/stripe", data=raw, headers=headers, content_type="application/json")


def sign(raw: bytes, timestamp: int | None = None) -> str:
    # Stripe signs the bytes it sends; for non-UTF-8 bodies sign what a forger would, the latin-1 text.
    return stripe.WebhookSignature.generate_signature_header(raw.decode("latin-1"), webhook_secret(), timestamp)


def stored() -> int:
    return db.session.scalar(db.select(db.func.count(PaymentEvent.id)))


NOT_UTF8 = [b"\xff\xfe\x00garbage", b'{"id": "evt_\xc3\x28"}', b"\x80" * 100, "é".encode("latin-1")]


@pytest.mark.parametrize("raw", NOT_UTF8)
@pytest.mark.parametrize("signed", [False, True])
def test_a_body_that_is_not_utf8_is_refused_with_a_reason(client, raw, signed):
    response = deliver(client, raw, sign(raw) if signed else None)
    assert response.status_code == 400 and response.get_json()["error"] == "bad event"
    assert stored() == 0


ODD = [
    {"created": True}, {"created": 2**63}, {"created": 10**30}, {"created": -5}, {"created": 1.5},
    {"id": "evt_\x00nul"}, {"type": "customer.\x00created"}, {"id": "evt_\ud800"}, {"id": ""}, {"id": "x" * 300},
    {"id": 12}, {"type": None}, {"data": []}, {"data": {"object": "str"}}, {"id": "evt_\u2028line"},
]


@pytest.mark.parametrize("overrides", ODD, ids=[repr(o)[:40] for o in ODD])
def test_signed_events_with_odd_values_get_a_4xx_not_a_500(client, overrides):
    response = post_event(client, json.dumps(event(**overrides)))
    assert 400 <= response.status_code < 500 and response.get_json()["detail"]
    assert stored() == 0


def test_a_nul_or_lone_surrogate_deep_inside_a_signed_event_is_refused(client):
    for text in ('"name": "a\\u0000b"', '"name": "\\udc00"'):
        raw = json.dumps(event()).replace('"object": "customer"', f'"object": "customer", {text}')
        assert post_event(client, raw).status_code == 400, text
    assert stored() == 0


def test_json_nested_a_thousand_deep_is_refused(client):
    raw = json.dumps(event()).replace('"livemode": false', '"deep": ' + "[" * 1000 + "]" * 1000)
    response = post_event(client, raw)
    assert response.status_code == 400 and stored() == 0


def test_a_body_over_the_limit_is_refused_before_it_is_read(client):
    raw = b'{"pad": "' + b"x" * (300 * 1024) + b'"}'
    response = deliver(client, raw, sign(raw))
    assert response.status_code == 413 and "not a Stripe event" in response.get_json()["detail"]
    assert stored() == 0


def test_a_signature_from_the_future_is_refused_like_a_stale_one(client):
    raw = json.dumps(event()).encode()
    response = deliver(client, raw, sign(raw, timestamp=int(time.time()) + 3600))
    assert response.status_code == 400 and "future" in response.get_json()["detail"] and stored() == 0


def test_an_honest_emoji_still_arrives(client):
    assert post_event(client, json.dumps(event(data={"object": {"id": "cus_2", "name": "Ada 😀"}}))).status_code \
        == 200
    assert stored() == 1


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_a_signed_event_with_a_number_json_cannot_hold_is_refused(client, number):
    raw = json.dumps(event()).replace('"livemode": false', f'"livemode": false, "amount": {number}')
    response = post_event(client, raw)
    assert response.status_code == 400 and response.get_json()["detail"] and stored() == 0
