"""Revocable logins: each signed-in browser holds a secret token whose hash is a row; deleting the row signs it out."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import bindparam

from ..extensions import db
from ..forms import flattened
from .models import LoginSession, User


def start(user: User, user_agent: str | None) -> None:
    """Open a login for this browser: a fresh secret token, kept only as a hash; `user.get_id()` returns it."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_digest(token), user_agent=flattened(user_agent)[:200]))
    db.session.flush()
    user.login_token = token


def user_for(token: str | None) -> User | None:
    """The person a session or remember cookie's token belongs to, while that login is still open."""
    rows = first_with_login(_USER_BY_TOKEN, token)
    return None if rows is None else rows[0][0]


def with_login(*columns):
    """A select of the person of an open login (a `User`, first) with more `columns` that may name `User` and join
    further tables: for a page that asks who the person is and more in the same statement (`first_with_login`)."""
    return (db.select(User, *columns).select_from(LoginSession).join(User, LoginSession.user_id == User.id)
            .where(LoginSession.token_hash == bindparam("token_hash")))


#: The person of an open login, by its token's hash: one statement, built once (every signed-in request runs it).
_USER_BY_TOKEN = with_login()


def first_with_login(statement, token: str | None, params: dict | None = None) -> list | None:
    """The rows of a `with_login` statement for this cookie's token (its `User` knowing the token, as `get_id`
    needs), or None when the token opens no login."""
    if not token or len(token) > 100:
        return None
    rows = db.session.execute(statement, {"token_hash": _digest(token), **(params or {})}).all()
    if not rows:
        return None
    rows[0][0].login_token = token
    return rows


def end(token: str | None) -> None:
    """Sign this browser out for good: a copy of its cookies opens nothing any more."""
    if token:
        db.session.execute(db.delete(LoginSession).where(LoginSession.token_hash == _digest(token)))


def end_others(user: User) -> int:
    """Sign every other browser of `user` out; this one stays in. Returns how many were signed out."""
    result = db.session.execute(db.delete(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.token_hash != _digest(user.login_token or "")))
    return result.rowcount


def others(user: User) -> int:
    return db.session.scalar(db.select(db.func.count(LoginSession.id)).where(
        LoginSession.user_id == user.id, LoginSession.token_hash != _digest(user.login_token or "")))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def end_all(user: User) -> None:
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id))
