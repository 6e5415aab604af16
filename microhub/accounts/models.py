"""People who sign in, and each browser they are signed in on."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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

    #: The token of the login this object was loaded through (or just made); what Flask-Login keeps in cookies.
    login_token = None

    def get_id(self) -> str | None:
        # Flask-Login's "alternative id": the cookie names a login, not the person, so a login can be revoked.
        return self.login_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class LoginSession(db.Model):
    """One signed-in browser: its cookie carries a secret token whose hash is kept here; deleting the row signs it out."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the token in the session and remember cookies; the token itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: What the browser said it was, shortened, so people can tell their devices apart.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User")
