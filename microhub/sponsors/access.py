"""Who may act for a sponsor: its people, and nobody else. Every sponsor page loads its sponsor here."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..database import parse_id
from ..extensions import db
from ..hubs.access import require_login
from .models import Sponsor, SponsorPerson


def is_person_of(sponsor_id: int, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return db.session.scalar(db.select(SponsorPerson.id).filter_by(sponsor_id=sponsor_id, user_id=user.id)) is not None


def sponsor_for(sponsor_id) -> Sponsor:
    """The sponsor named in the URL, for its own people only: visitors log in; anyone else gets 404 (a sponsor's
    existence is not told to others)."""
    require_login()
    sponsor_id = parse_id(sponsor_id)
    sponsor = db.session.get(Sponsor, sponsor_id) if sponsor_id is not None else None
    if sponsor is None or not is_person_of(sponsor.id, current_user):
        abort(404)
    return sponsor


def sponsors_of(user) -> list[Sponsor]:
    """Every sponsor `user` acts for, by name."""
    return list(db.session.scalars(db.select(Sponsor).join(SponsorPerson).where(SponsorPerson.user_id == user.id)
                                   .order_by(Sponsor.name, Sponsor.id)))
