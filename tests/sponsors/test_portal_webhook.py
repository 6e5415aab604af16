"""The optional daily webhook: set in the portal by the sponsor's people only, public https addresses only, and
each final day's totals POSTed once, signed, with figures and nothing about viewers."""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import time_machine

from microhub import jobs
from microhub.database import utcnow
from microhub.extensions import db
from microhub.sponsors.models import Channel, PlacementDay, SponsorWebhook

from .counting_helpers import live_setup, sponsor_with_person


class Receiver:
    """A local HTTP server that keeps what it was sent."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                received.append((self.headers, self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/totals"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def set_hook(client, sponsor_id: int, url: str):
    return client.submit(f"/sponsor/{sponsor_id}/webhook", {"url": url}, form_url=f"/sponsor/{sponsor_id}/stats")


def test_only_public_https_addresses_are_taken(client):
    live = live_setup(1)
    client.login(live.person.email)
    for url in ("http://example.org/x", "https://127.0.0.1/x", "https://10.1.2.3/", "https://localhost/",
                "javascript:alert(1)", "https://user:pw@example.org/", "", "https://" + "x" * 600):
        response = set_hook(client, live.sponsor.id, url)
        assert response.status_code == 400, url
    assert db.session.scalar(db.select(SponsorWebhook)) is None


def test_another_sponsors_people_cannot_set_or_remove_it(client, app):
    live = live_setup(1)
    other, stranger = sponsor_with_person("Other")
    client.login(stranger.email)
    token = client.csrf_token(f"/sponsor/{other.id}/stats")
    assert client.post(f"/sponsor/{live.sponsor.id}/webhook", data={"csrf_token": token,
                                                                   "url": "https://example.org/"}).status_code == 404
    assert client.post(f"/sponsor/{live.sponsor.id}/webhook/remove", data={"csrf_token": token}).status_code == 404


def test_each_final_days_totals_are_sent_once_and_signed(app, app_factory):
    served = app_factory(SPONSOR_WEBHOOKS_ALLOW_PRIVATE=True)
    client = served.test_client()
    receiver = Receiver()
    try:
        live = live_setup(1)
        client.login(live.person.email)
        page = set_hook(client, live.sponsor.id, receiver.url).get_data(as_text=True)
        secret = re.search(r'id="new-secret" type="text" readonly value="([0-9a-f]{64})"', page).group(1)
        day = (utcnow() - timedelta(days=2)).date()  # final tomorrow
        db.session.add(PlacementDay(placement_id=live.placements[0].id, day=day, channel=Channel.WEB, served=40,
                                    unique=30, viewable=20, clicks=3, discarded={"bot": 9}, final=True))
        db.session.commit()
        with served.app_context():
            jobs.tick()  # nothing final since the webhook was set
            assert receiver.received == []
            with time_machine.travel(utcnow() + timedelta(days=1)):
                jobs.tick()
                jobs.tick()
    finally:
        receiver.close()
    [(headers, body)] = receiver.received
    sent = json.loads(body)
    assert sent["date"] == day.isoformat() and sent["totals"] == {"served": 40, "unique": 30, "viewable": 20,
                                                                  "clicks": 3}
    assert "discarded" not in body.decode()
    stamp, signature = re.fullmatch(r"t=(\d+),v1=([0-9a-f]{64})", headers["X-MicroHub-Signature"]).groups()
    expected = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(signature, expected)
