"""People who sign in, and the failed attempts that throttle guessing."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased, so one address is one account whatever its spelling.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Werkzeug hash string (scrypt); never the password itself.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: IANA zone the person reads times in, e.g. Europe/Berlin.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: When the person proved they own `email`; None until then.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class FailedLogin(db.Model):
    """One wrong password for an address; recent rows throttle further attempts."""

    __tablename__ = "failed_logins"
    __table_args__ = (Index("ix_failed_logins_email_at", "email", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    #: Address the attempt came from, kept for operators looking at abuse.
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
