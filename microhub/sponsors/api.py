"""Sponsor API tokens (only their SHA-256 is kept) and `GET /api/v1/sponsor/placements`: a sponsor's own figures
for its own tools, with `Authorization: Bearer <token>`; no session, no cookie, nobody else's placements."""
from __future__ import annotations

import hashlib
import secrets

from flask import Blueprint, jsonify, request

from ..database import parse_id, utcnow
from ..errors import DomainError, NotFound
from ..extensions import csrf, db
from .models import Sponsor, SponsorToken
from .portal import as_document, figures_of

bp = Blueprint("sponsor_api", __name__)

TOKEN_PREFIX = "mhs_"
MAX_LIVE_TOKENS = 10


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(sponsor: Sponsor, name: str, actor) -> tuple[SponsorToken, str]:
    """A new token for `sponsor`: the row, and the token itself (shown once, never stored). Flushes."""
    live = db.session.scalar(db.select(db.func.count(SponsorToken.id)).where(
        SponsorToken.sponsor_id == sponsor.id, SponsorToken.revoked_at.is_(None)))
    if live >= MAX_LIVE_TOKENS:
        raise DomainError(f"A sponsor can have {MAX_LIVE_TOKENS} tokens at once. Revoke one you no longer use.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = SponsorToken(sponsor_id=sponsor.id, name=name.strip()[:80], token_hash=digest(token),
                       created_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    return row, token


def revoke_token(sponsor: Sponsor, token_id) -> SponsorToken:
    """Revoke one of this sponsor's tokens (another sponsor's is not found). Flushes."""
    token_id = parse_id(token_id)
    row = db.session.get(SponsorToken, token_id) if token_id else None
    if row is None or row.sponsor_id != sponsor.id:
        raise NotFound("That token is not one of this sponsor's.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    db.session.flush()
    return row


def tokens_of(sponsor: Sponsor) -> list[SponsorToken]:
    return list(db.session.scalars(db.select(SponsorToken).where(SponsorToken.sponsor_id == sponsor.id)
                                   .order_by(SponsorToken.revoked_at.is_not(None), SponsorToken.created_at.desc())))


def sponsor_from_bearer(header: str | None) -> Sponsor | None:
    """The sponsor of a live token in `Authorization: Bearer …`, or None (unknown, revoked, malformed)."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    row = db.session.scalar(db.select(SponsorToken).where(SponsorToken.token_hash == digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    row.last_used_at = utcnow()
    return db.session.get(Sponsor, row.sponsor_id)


@bp.get("/api/v1/sponsor/placements")
@csrf.exempt
def placements():
    """The token's sponsor's placements, totals, adjustments and one row per placement, day and channel."""
    sponsor = sponsor_from_bearer(request.headers.get("Authorization"))
    if sponsor is None:
        response = jsonify(error="Unauthorized", detail="Send a live sponsor API token: Authorization: Bearer <token>.")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="sponsor"'
        return response
    document = as_document(sponsor, figures_of(sponsor.id))
    db.session.commit()  # last_used_at
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response
