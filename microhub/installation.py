"""This installation's random id: it keeps idempotency keys unique when databases share one Stripe account."""
from __future__ import annotations

import secrets

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from .database import added_unless_taken
from .extensions import db


class Installation(db.Model):
    """One row, made by the first migration that needs it (or on first use): who this database is."""

    __tablename__ = "installation"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Random and never reused: a restored, reset or staging database gets its own.
    key: Mapped[str] = mapped_column(String(32), unique=True)


def installation_key() -> str:
    """The installation's id; created race-safely if the row is missing (an emptied database)."""
    key = db.session.scalar(db.select(Installation.key).filter_by(id=1))
    if key is None:
        added_unless_taken(Installation(id=1, key=secrets.token_hex(8)))
        key = db.session.scalar(db.select(Installation.key).filter_by(id=1))
    return key
