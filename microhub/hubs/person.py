"""Who is asking, and what a hub page needs to know of them, in one statement.

Flask-Login asks for the signed-in person on every request (`load_person`, the app's user loader). On a hub page
marked `asks(...)` (its URL names the hub by `<slug>`), the same statement also brings the hub's row, the person's
roles in it and the page's own checks (the SQL conditions `access.roles_and` takes), kept for the request: the
page then runs no statement of its own to learn them. Everywhere else the loader reads the login alone.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app, has_request_context, request
from sqlalchemy.orm import aliased
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import BindParameter

from ..accounts import logins
from ..accounts.models import User
from ..extensions import db
from . import access
from .models import Hub, HubRole

#: Where `asks` keeps a view's checks.
_ASKS = "microhub_asks"


def asks(checks: Mapping[str, Any] | None = None, *, hub_row: bool = True):
    """Mark a hub view whose URL names the hub by `<slug>`: a signed-in person's login, the hub, their roles and
    these `checks` (as `access.roles_and` takes them) are read in one statement when Flask-Login first asks. Without
    `hub_row` only the hub's id is read (a page that has the hub's row already, such as the hub page's face)."""

    def mark(view):
        setattr(view, _ASKS, (dict(checks or {}), hub_row))
        return view

    return mark


def load_person(token: str) -> User | None:
    """The app's user loader: the person of this cookie's open login (a login ended elsewhere opens nothing)."""
    view = current_app.view_functions.get(request.endpoint) if has_request_context() else None
    checks, hub_row = getattr(view, _ASKS, (None, False))
    slug = (request.view_args or {}).get("slug") if checks is not None else None
    asked = access.asked_for(None, None, checks) if isinstance(slug, str) else None
    if asked is None or not asked.all_conditions:  # a receiver that answers in Python needs the hub first
        return logins.user_for(token)
    rows = logins.first_with_login(_statement(asked.conditions, hub_row), token, {"slug": slug})
    if rows is None:
        return None
    user, hub = rows[0][0], rows[0][1]
    if hub is not None:
        if hub_row:
            access.keep_hub(slug, hub)
        access.keep_found((hub.id if hub_row else hub, user.id), asked, rows, skip=2)
    return user


_made: dict[tuple, Any] = {}


def _statement(conditions: tuple[tuple[Any, Any], ...], hub_row: bool):
    """The person (`logins.with_login`), the hub by slug (its row, or its id), each role granted to them there, one
    column per condition with `access.USER_ID` read as the person's own id: one row per role, or one with no role
    (or no hub)."""
    key = (hub_row, *((name, id(condition)) for name, condition in conditions))
    made = _made.get(key)
    if made is None:
        granted = aliased(HubRole)  # so that a condition over hub_roles reads its own rows, not these
        columns = [Hub if hub_row else Hub.id, granted.role, *(_as_person(condition).label(f"check_{n}")
                                        for n, (_, condition) in enumerate(conditions))]
        made = (conditions, logins.with_login(*columns)
                .outerjoin(Hub, Hub.slug == db.bindparam("slug"))
                .outerjoin(granted, db.and_(granted.hub_id == Hub.id, granted.user_id == User.id)))
        if len(_made) >= 64:  # conditions made per call (none built once) would fill it: start afresh
            _made.clear()
        _made[key] = made  # the conditions stay alive with it, so their ids are not reused while it is kept
    return made[1]


def _as_person(condition):
    """`condition` with the `access.USER_ID` parameter replaced by the person's own id column."""
    return visitors.replacement_traverse(condition, {}, lambda element: User.__table__.c.id if (
        isinstance(element, BindParameter) and element.key == access.USER_ID.key) else None)
