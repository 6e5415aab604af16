"""Who may do what in a hub: named permissions, the roles behind them, and the loaders every hub page uses.

Every hub page takes its hub from the URL (`hub_for(slug, permission)`), so an id from another hub in a
form never borrows this hub's rights, and every row named in a URL or form is loaded within that hub
(`in_hub`): a row of another hub is simply not found.
"""
from __future__ import annotations

import enum

from flask import abort, current_app, g
from flask_login import current_user

from .. import signals
from ..database import parse_id
from ..errors import NotFound
from ..extensions import db
from .models import Hub, HubRole, Role

#: Staff: the people who run a hub day to day. Sponsor contacts are not staff.
STAFF = frozenset({Role.ORGANIZER, Role.MODERATOR})


class Permission(enum.Enum):
    """What a page or action needs; `roles` names the roles that grant it."""

    #: Settings, team, plans, money, cohorts, the waitlist's order.
    MANAGE = "manage"
    #: The staff pages: members, the waitlist, inside every cohort.
    MODERATE = "moderate"
    #: The member side: cohorts, check-ins, leaving.
    TAKE_PART = "take_part"
    #: A sponsor's own placements and figures, never another sponsor's.
    SEE_PLACEMENTS = "see_placements"

    @property
    def roles(self) -> frozenset[Role]:
        return _GRANTED_BY[self]


_GRANTED_BY = {
    Permission.MANAGE: frozenset({Role.ORGANIZER}),
    Permission.MODERATE: STAFF,
    Permission.TAKE_PART: frozenset({Role.MEMBER}),
    Permission.SEE_PLACEMENTS: frozenset({Role.SPONSOR_CONTACT}),
}


def roles_in(hub: Hub, user=None) -> frozenset[Role]:
    """Every role `user` (the current user by default) holds in `hub`; empty for visitors; cached for the request."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cache = g.setdefault("microhub_roles", {})
    key = (hub.id, user.id)
    if key not in cache:
        cache[key] = _ask_roles(hub, user.id)
    return cache[key]


def roles_known(hub_id: int, user_id: int) -> frozenset[Role] | None:
    """The roles `roles_in` already found for this person in this hub during the request; None when not asked yet."""
    return g.get("microhub_roles", {}).get((hub_id, user_id))


def _ask_roles(hub: Hub, user_id: int) -> frozenset[Role]:
    """The staff roles plus what `roles_asked` receivers answer, in one statement: a receiver's mapping of role →
    SQL condition joins the staff roles' SELECT (UNION ALL) instead of costing a round trip of its own."""
    roles, checks = set(), []
    for _, more in signals.roles_asked.send(hub, user_id=user_id):
        if isinstance(more, dict):
            checks += [db.select(db.literal(role, HubRole.role.type)).where(when) for role, when in more.items()]
        else:
            roles.update(more or ())
    statement = db.select(HubRole.role).where(HubRole.hub_id == hub.id, HubRole.user_id == user_id)
    roles.update(db.session.scalars(db.union_all(statement, *checks) if checks else statement))
    return frozenset(roles)


def can(hub: Hub, permission: Permission, user=None) -> bool:
    return bool(roles_in(hub, user) & permission.roles)


def require_login() -> None:
    """Send a visitor to log in (and back here afterwards); signed-in people pass."""
    if not current_user.is_authenticated:
        abort(current_app.login_manager.unauthorized())


def require(hub: Hub, permission: Permission) -> None:
    """Visitors are sent to log in; signed-in people without the permission get 403."""
    require_login()
    if not can(hub, permission):
        abort(403)


def hub_for(slug: str, permission: Permission | None = None) -> Hub:
    """The hub named in the URL, or 404; with `permission`, the current user must have it here."""
    hub = db.session.scalar(db.select(Hub).filter_by(slug=slug))
    if hub is None:
        abort(404)
    if permission is not None:
        require(hub, permission)
    return hub


def in_hub(model, row_id, *, lock: bool = False, **scope):
    """The `model` row with this id that also matches `scope` (e.g. hub_id=hub.id), or None; `lock` reads it
    FOR UPDATE, fresh from the database.

    The one loader for "this row, in this hub": an id that is malformed, unknown or another hub's names nothing.
    """
    row_id = parse_id(row_id)
    if row_id is None:
        return None
    row = db.session.get(model, row_id, with_for_update=lock or None, populate_existing=lock)
    if row is None or any(getattr(row, name) != value for name, value in scope.items()):
        return None
    return row


def found_in_hub(model, row_id, missing: str, *, lock: bool = False, **scope):
    """`in_hub` for services: the row, or NotFound(`missing`), which views show like any DomainError."""
    row = in_hub(model, row_id, lock=lock, **scope)
    if row is None:
        raise NotFound(missing)
    return row


def in_hub_or_404(model, row_id, **scope):
    """`in_hub` for views: the row named in the URL, or a plain 404 page."""
    row = in_hub(model, row_id, **scope)
    if row is None:
        abort(404)
    return row
