"""Who may do what in a hub: named permissions, the roles behind them, and the loaders every hub page uses.

Every hub page takes its hub from the URL (`hub_for(slug, permission)`), so an id from another hub in a
form never borrows this hub's rights, and every row named in a URL or form is loaded within that hub
(`in_hub`): a row of another hub is simply not found.

A person's roles in a hub are one statement, built once per process and kept for the request: with the hub's row
for `hub_for`, with the questions a page asks about the person for `roles_and` (nothing is kept across requests).
"""
from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, current_app, g
from flask_login import current_user
from sqlalchemy import Integer, bindparam
from sqlalchemy.orm import aliased

from .. import signals
from ..database import parse_id
from ..errors import NotFound
from ..extensions import db
from .models import Hub, HubRole, Role

#: The person a roles statement asks about. The SQL conditions `roles_asked` receivers and `roles_and` checks give
#: name them by this and the hub by `Hub.id` (the statement reads them against the hub's own row): the same for every
#: hub and person, so each statement is built once per process and only its parameters change.
USER_ID = bindparam("user_id", type_=Integer)

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
    """Every role `user` (the current user by default) holds in `hub`; empty for visitors; kept for the request."""
    return roles_and(hub, {}, user)[0]


def roles_and(hub: Hub, checks: Mapping[str, Any], user=None) -> tuple[frozenset[Role], frozenset[str]]:
    """The person's roles in `hub` and the names of those `checks` that hold for them, in the one statement
    `roles_in` runs (none when the request asked already); both are kept for the request (`roles_known`, `checked`).

    A check is a SQL condition over the hub's row (`Hub.id`) and the person (`USER_ID`), built once by the module
    that needs the answer, so a page learns what it needs to know about the person in the same round trip as their
    roles (e.g. "in any cohort here?": none means no cohort query). Visitors hold no role and no check."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return frozenset(), frozenset()
    key = (hub.id, user.id)
    roles, held = g.setdefault("microhub_roles", {}), g.setdefault("microhub_checks", {})
    if key not in roles or not checks.keys() <= held.get(key, {}).keys():
        asked = asked_for(hub, user.id, checks)
        rows = db.session.execute(_statement("by_id", asked.conditions), {"hub_id": hub.id, "user_id": user.id})
        keep_found(key, asked, rows.all(), skip=0)
    return roles[key], frozenset(name for name, holds in held.get(key, {}).items() if holds and name in checks)


def roles_known(hub_id: int, user_id: int) -> frozenset[Role] | None:
    """The roles `roles_in` already found for this person in this hub during the request; None when not asked yet."""
    return g.get("microhub_roles", {}).get((hub_id, user_id))


def checked(hub_id: int, user_id: int, name: str) -> bool | None:
    """Whether the check named `name` held for this person in this hub, as `roles_and` found it during the request;
    None when not asked."""
    return g.get("microhub_checks", {}).get((hub_id, user_id), {}).get(name)


@dataclass(frozen=True)
class _Asked:
    """What one roles statement asks: roles answered outright, and (role or check name, SQL condition) pairs."""

    roles: frozenset[Role]
    conditions: tuple[tuple[Role | str, Any], ...]
    #: Every receiver answered with conditions (what `hub_for` needs to ask before it has the hub).
    all_conditions: bool


def asked_for(hub: Hub | None, user_id: int, checks: Mapping[str, Any]) -> _Asked:
    """The `roles_asked` receivers' answers plus the caller's checks. A receiver's mapping of role → SQL condition
    (over `Hub.id` and `USER_ID`) joins the statement instead of costing a round trip of its own; `hub_for` asks
    before it has the hub (sender None), which such a receiver does not need."""
    roles, conditions, all_conditions = set(), [], True
    for _, more in signals.roles_asked.send(hub, user_id=user_id):
        if isinstance(more, Mapping):
            conditions += more.items()
        else:
            roles.update(more or ())
            all_conditions = False
    return _Asked(frozenset(roles), (*conditions, *checks.items()), all_conditions)


def keep_found(key: tuple[int, int], asked: _Asked, rows: list, *, skip: int) -> None:
    """Keep for the request what a roles statement found: its rows are (…`skip` columns, granted role or None, one
    column per condition), one row per role granted (at least one)."""
    granted = {row[skip] for row in rows if row[skip] is not None}
    flags = rows[0][skip + 1:] if rows else ()
    answers = {name: bool(flag) for (name, _), flag in zip(asked.conditions, flags)}
    roles = granted | asked.roles | {name for name, holds in answers.items() if holds and isinstance(name, Role)}
    g.setdefault("microhub_roles", {})[key] = frozenset(roles)
    g.setdefault("microhub_checks", {}).setdefault(key, {}).update(
        {name: holds for name, holds in answers.items() if not isinstance(name, Role)})


#: Statements made so far, by what they select and the identity of their conditions (kept alive here, so an id is
#: never reused while its entry is): receivers and checks built once at module level make one statement each.
_made: dict[tuple, Any] = {}
_MOST_MADE = 64  # conditions made per call (nothing built in) would otherwise fill this; past it, start afresh
_SELECTS = {"by_id": Hub.id == bindparam("hub_id"), "by_slug": Hub.slug == bindparam("slug")}


def _statement(by: str, conditions: tuple[tuple[Role | str, Any], ...]):
    """The hub's row (for `by_slug`), the roles granted to `USER_ID` in it and one column per condition: one row
    per role granted, or one with no role."""
    key = (by, tuple((name, id(condition)) for name, condition in conditions))
    made = _made.get(key)
    if made is not None:
        return made[1]
    granted = aliased(HubRole)  # so that a condition over hub_roles reads its own rows, not these
    columns = [granted.role, *(condition.label(f"check_{n}") for n, (_, condition) in enumerate(conditions))]
    statement = (db.select(Hub, *columns) if by == "by_slug" else db.select(*columns).select_from(Hub)).outerjoin(
        granted, db.and_(granted.hub_id == Hub.id, granted.user_id == USER_ID)).where(_SELECTS[by])
    if len(_made) >= _MOST_MADE:
        _made.clear()
    _made[key] = (conditions, statement)
    return statement


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
    """The hub named in the URL, or 404; with `permission`, the current user must have it here (for a signed-in
    person the hub and their roles in it are one statement, the roles kept for the request as `roles_in` keeps them;
    on a page marked `person.asks` that statement was the one that read their login)."""
    kept = g.get(_FOUND, {}).get(slug) if permission is not None and current_user.is_authenticated else None
    if kept is not None:
        hub = kept
    elif permission is None or not current_user.is_authenticated:
        hub = db.session.scalar(_HUB_BY_SLUG, {"slug": slug})
        if hub is None:
            abort(404)
    else:
        hub = _hub_with_roles(slug, current_user.id)
    if permission is not None:
        require(hub, permission)
    return hub


_HUB_BY_SLUG = db.select(Hub).where(Hub.slug == bindparam("slug"))
#: The hubs read with the person's login during the request (`keep_hub`), by slug.
_FOUND = "microhub_hubs_by_slug"


def keep_hub(slug: str, hub: Hub) -> None:
    """Keep for the request the hub read by `slug` with the person's roles (`person.load_person`)."""
    g.setdefault(_FOUND, {})[slug] = hub


def _hub_with_roles(slug: str, user_id: int) -> Hub:
    asked = asked_for(None, user_id, {})
    rows = db.session.execute(_statement("by_slug", asked.conditions), {"slug": slug, "user_id": user_id}).all()
    if not rows:
        abort(404)
    hub = rows[0][0]
    if asked.all_conditions:  # else a receiver answers in Python and needs the hub: `require` asks the usual way
        keep_found((hub.id, user_id), asked, rows, skip=1)
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
