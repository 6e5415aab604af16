"""Signed, expiring tokens for e-mailed links (verification and password reset)."""
from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..errors import ValidationFailed

VERIFY = "verify-email"
RESET = "reset-password"


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"microhub.{purpose}")


def fingerprint(value: str) -> str:
    # Binding a token to the current e-mail or password hash makes it single-use: changing either voids it.
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def make(purpose: str, user_id: int, bound_to: str) -> str:
    return _serializer(purpose).dumps({"u": user_id, "f": fingerprint(bound_to)})


def read(purpose: str, token: str, max_age: int) -> tuple[int, str]:
    """Return (user_id, fingerprint) or raise ValidationFailed with a message for the person."""
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        raise ValidationFailed("This link has expired. Ask for a new one below.")
    except BadSignature:
        raise ValidationFailed("This link is not valid. It may have been copied incompletely.")
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise ValidationFailed("This link is not valid. It may have been copied incompletely.")
    return data["u"], str(data.get("f", ""))
