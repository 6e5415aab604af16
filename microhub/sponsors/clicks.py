"""Signed click tokens: which placement, channel and impression, and whether that impression was counted.

A token never carries a destination: a click goes to the placement's approved listing link, read when it
happens. Web tokens are good for 2 hours; e-mail tokens for 30 days (e-mail is read days after it is sent),
and an e-mail click counts once per token within those 30 days.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, request, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..database import utcnow
from .models import Channel

WEB_TOKEN_AGE = timedelta(hours=2)
EMAIL_TOKEN_AGE = timedelta(days=30)
_SALT = "microhub.sponsors.click"
_CHANNELS = {Channel.WEB: "w", Channel.EMAIL: "e"}
_BY_CODE = {code: channel for channel, code in _CHANNELS.items()}


@dataclass(frozen=True)
class Impression:
    """What a token names: one showing (or sending) of one placement."""

    placement_id: int
    hub_id: int
    channel: Channel
    impression: str
    counted: bool
    expired: bool = False

    @property
    def max_age(self) -> timedelta:
        return EMAIL_TOKEN_AGE if self.channel is Channel.EMAIL else WEB_TOKEN_AGE


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def new_impression() -> str:
    """A random name for one showing: links nothing to the viewer."""
    return secrets.token_urlsafe(9)


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


_keys: dict[str | bytes, bytes] = {}


def _signing_key(secret: str | bytes) -> bytes:
    """What itsdangerous derives from the secret for every token it signs ("django-concat", SHA-1), once."""
    key = _keys.get(secret)
    if key is None:
        _keys.clear()  # one secret per process; a bound, not a policy
        key = _keys[secret] = hashlib.sha1(
            _SALT.encode() + b"signer" + (secret.encode() if isinstance(secret, str) else secret)).digest()
    return key


def make_token(placement_id: int, hub_id: int, channel: Channel, impression: str, counted: bool) -> str:
    """The token `URLSafeTimedSerializer(SECRET_KEY, salt=_SALT).dumps(payload)` makes (uncompressed, which it
    reads the same), built directly: one HMAC, without the serializer's layers and its zlib attempt (a tenth of
    the cost; `read_token` reads it with itsdangerous)."""
    payload = json.dumps([placement_id, hub_id, _CHANNELS[channel], impression, int(counted)],
                         separators=(",", ":"), ensure_ascii=False).encode()
    value = _b64(payload) + b"." + _b64(int(time.time()).to_bytes(8, "big").lstrip(b"\x00"))
    signature = hmac.new(_signing_key(current_app.config["SECRET_KEY"]), value, hashlib.sha1).digest()
    return (value + b"." + _b64(signature)).decode("ascii")


def click_url(placement_id: int, hub_id: int, channel: Channel, *, counted: bool, external: bool = False,
              base: str | None = None) -> str:
    """The signed redirect of one new impression (`external` for e-mail: an absolute URL; `base`: what
    `click_base()` gave for this request, saving a URL build per link)."""
    token = make_token(placement_id, hub_id, channel, new_impression(), counted)
    if external:
        return current_app.config["MICROHUB_BASE_URL"] + url_for("sponsor_counting.click", token=token)
    return (base + token) if base is not None else url_for("sponsor_counting.click", token=token)


_bases: dict[tuple[int, str], str] = {}


def click_base() -> str:
    """The click redirect's URL up to its token, for this request (tokens are URL-safe: nothing to quote). It
    depends only on the app's routes and where the app is mounted, so it is built once per app and mount point."""
    key = (id(current_app.url_map), request.script_root)
    base = _bases.get(key)
    if base is None:
        if len(_bases) > 64:
            _bases.clear()  # a bound for tests that make many apps, not a policy
        base = _bases[key] = url_for("sponsor_counting.click", token="t")[:-1]
    return base


def read_token(token: str) -> Impression | None:
    """The impression a token names, marked `expired` past its channel's age; None if forged or malformed."""
    if not isinstance(token, str) or len(token) > 300:
        return None
    serializer = _serializer()
    try:
        payload, signed_at = serializer.loads(token, max_age=int(EMAIL_TOKEN_AGE.total_seconds()),
                                              return_timestamp=True)
        expired = False
    except SignatureExpired as too_old:
        payload, signed_at, expired = too_old.payload, too_old.date_signed, True
        try:
            payload = serializer.load_payload(payload)
        except BadSignature:
            return None
    except BadSignature:
        return None
    return _impression(payload, signed_at, expired)


def _impression(payload, signed_at, expired: bool) -> Impression | None:
    try:
        placement_id, hub_id, code, impression, counted = payload
        made = Impression(int(placement_id), int(hub_id), _BY_CODE[code], str(impression), bool(counted))
    except (TypeError, ValueError, KeyError):
        return None
    if signed_at is not None and not expired:
        expired = utcnow() - signed_at > made.max_age
    return Impression(made.placement_id, made.hub_id, made.channel, made.impression, made.counted, expired)
