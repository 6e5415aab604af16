"""The one authorization helper: who holds which role in a hub, and the check every hub view makes."""
from __future__ import annotations

from flask import abort, g
from flask_login import current_user

from ..extensions import db
from ..memberships.models import LIVE_STATUSES, Membership
from .models import Hub, HubRole, Role

#: Roles that may see the management pages at all; finer checks name their own roles.
STAFF = (Role.ORGANIZER, Role.MODERATOR)


def roles_in(hub: Hub, user) -> frozenset[Role]:
    """Every role `user` holds in `hub` (empty for visitors); cached for the request."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cache = g.setdefault("microhub_roles", {})
    key = (hub.id, user.id)
    if key not in cache:
        staff = db.session.scalars(db.select(HubRole.role).filter_by(hub_id=hub.id, user_id=user.id))
        roles = set(staff)
        live = db.session.scalar(
            db.select(Membership.id).where(
                Membership.hub_id == hub.id, Membership.user_id == user.id, Membership.status.in_(LIVE_STATUSES)
            )
        )
        if live is not None:
            roles.add(Role.MEMBER)
        cache[key] = frozenset(roles)
    return cache[key]


def hub_for(slug: str, *allowed: Role) -> Hub:
    """Load the hub named in the URL, or 404; with `allowed`, the current user must hold one of them.

    Visitors are sent to log in; signed-in people without the role get 403. The check always uses
    the hub from the URL, so an id from another hub in a form can never borrow this hub's rights.
    """
    hub = db.session.scalar(db.select(Hub).filter_by(slug=slug))
    if hub is None:
        abort(404)
    if allowed:
        if not current_user.is_authenticated:
            from flask import current_app

            abort(current_app.login_manager.unauthorized())
        if not roles_in(hub, current_user) & set(allowed):
            abort(403)
    return hub


def can(hub: Hub, *allowed: Role) -> bool:
    return bool(roles_in(hub, current_user) & set(allowed))
