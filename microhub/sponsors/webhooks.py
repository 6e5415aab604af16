"""A sponsor's optional daily webhook: each day's totals, once the day is final, POSTed once to its URL and signed.

The body holds figures only. `X-MicroHub-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the
webhook's secret>`. Each day is claimed by one conditional UPDATE of `sent_through` before it is sent, so double
ticks and retried jobs send it at most once; a failed delivery is logged and not retried (the API has the same
figures). Days from before the webhook was set are not sent.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.request
from datetime import date, timedelta
from urllib.parse import urlsplit

from flask import current_app

from .. import jobs
from ..database import utcnow
from ..errors import ValidationFailed
from ..extensions import db
from .models import Placement, PlacementDay, Sponsor, SponsorWebhook
from .rollups import final_before

log = logging.getLogger(__name__)

SIGNATURE = "X-MicroHub-Signature"
TIMEOUT = 5


def latest_final_day() -> date:
    return final_before(utcnow()) - timedelta(days=1)


def check_url(url: str) -> str:
    """A public https address (http and private addresses only where the installation allows them)."""
    url = (url or "").strip()
    allow_private = current_app.config.get("SPONSOR_WEBHOOKS_ALLOW_PRIVATE", False)
    parts = urlsplit(url)
    if len(url) > 500 or parts.scheme not in (("https", "http") if allow_private else ("https",)) or not parts.hostname:
        raise ValidationFailed("Give an https:// address of at most 500 characters.", "url")
    if parts.username or parts.password:
        raise ValidationFailed("Leave user names and passwords out of the address; use the signature instead.", "url")
    if not allow_private and not _public(parts.hostname, parts.port or 443):
        raise ValidationFailed("That address does not lead to a public server.", "url")
    return url


def _public(host: str, port: int) -> bool:
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return False
    return bool(found) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_global for info in found)


def set_webhook(sponsor: Sponsor, url: str) -> str:
    """Send this sponsor's daily totals to `url` from the next final day on; the new secret (shown once). Flushes."""
    url = check_url(url)
    secret = secrets.token_hex(32)
    hook = db.session.get(SponsorWebhook, sponsor.id) or SponsorWebhook(sponsor_id=sponsor.id)
    hook.url, hook.secret, hook.sent_through = url, secret, latest_final_day()
    db.session.add(hook)
    db.session.flush()
    return secret


def remove_webhook(sponsor: Sponsor) -> None:
    db.session.execute(db.delete(SponsorWebhook).where(SponsorWebhook.sponsor_id == sponsor.id))


def send_due() -> None:
    """Periodic: claim the latest final day for every webhook still behind it, and enqueue its delivery."""
    day = latest_final_day()
    due = db.session.scalars(db.select(SponsorWebhook.sponsor_id).where(
        db.or_(SponsorWebhook.sent_through.is_(None), SponsorWebhook.sent_through < day))).all()
    for sponsor_id in due:
        claimed = db.session.execute(db.update(SponsorWebhook).where(
            SponsorWebhook.sponsor_id == sponsor_id,
            db.or_(SponsorWebhook.sent_through.is_(None), SponsorWebhook.sent_through < day))
            .values(sent_through=day).execution_options(synchronize_session=False)).rowcount
        if claimed:
            jobs.enqueue(deliver, sponsor_id, day.isoformat())


def totals(sponsor_id: int, day: date) -> dict:
    """The day's figures of each of the sponsor's placements, and their sum: figures only."""
    rows = db.session.execute(db.select(PlacementDay).join(Placement, Placement.id == PlacementDay.placement_id)
                              .where(Placement.sponsor_id == sponsor_id, PlacementDay.day == day)
                              .order_by(PlacementDay.placement_id, PlacementDay.channel)).scalars().all()
    names = ("served", "unique", "viewable", "clicks")
    placements = [{"placement": r.placement_id, "channel": r.channel.value, **{n: getattr(r, n) for n in names}}
                  for r in rows]
    return {"sponsor": sponsor_id, "date": day.isoformat(), "final": True, "placements": placements,
            "totals": {n: sum(p[n] for p in placements) for n in names}}


def sign(secret: str, body: bytes, at: int) -> str:
    digest = hmac.new(secret.encode(), f"{at}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={at},v1={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect is an answer, not somewhere else to send the figures


def deliver(sponsor_id: int, day: str) -> None:
    """Job: POST one day's totals to the sponsor's webhook (already claimed; never sent twice)."""
    hook = db.session.get(SponsorWebhook, sponsor_id)
    if hook is None:
        return
    body = json.dumps(totals(sponsor_id, date.fromisoformat(day)), separators=(",", ":")).encode()
    request = urllib.request.Request(hook.url, data=body, method="POST", headers={
        "Content-Type": "application/json", "User-Agent": "MicroHub sponsor webhook",
        "X-MicroHub-Delivery": f"{sponsor_id}-{day}", SIGNATURE: sign(hook.secret, body, int(time.time()))})
    try:
        check_url(hook.url)
        with urllib.request.build_opener(_NoRedirects).open(request, timeout=TIMEOUT) as answer:
            status = answer.status
    except Exception as exc:  # noqa: BLE001  whatever the far end does, the day stays sent-once
        log.warning("sponsor %s webhook for %s not delivered: %s", sponsor_id, day, exc)
        return
    if not 200 <= status < 300:
        log.warning("sponsor %s webhook for %s answered %s", sponsor_id, day, status)
