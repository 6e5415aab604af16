"""Hub rules: creating and editing a hub, and handing out staff roles."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields

from flask import current_app

from .. import audit, signals
from ..accounts.models import User
from ..accounts.services import check_timezone, normalize_email
from ..errors import Conflict, NotAllowed, ValidationFailed
from ..extensions import db
from ..forms import one_line
from ..money import check_currency
from . import identity
from .models import GRANTABLE_ROLES, Hub, HubRole, Role

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$")
#: Slugs that would read as a site page rather than a community.
RESERVED_SLUGS = {"new", "api", "admin", "manage", "login", "logout", "signup", "static", "account",
                  "healthz", "webhooks", "sponsor", "help", "about", "microhub"}
#: MicroHub is for 15 to 500 people; an installation may allow more (MICROHUB_MAX_CAP).
DEFAULT_MAX_CAP = 500
#: Above this, one group rarely stays a kitchen table: organizers are advised, not refused.
ADVISED_CAP = 150


@dataclass
class HubInfo:
    name: str
    purpose: str
    cap: int
    currency: str = "EUR"
    timezone: str = "UTC"
    promises: str = ""
    rituals: str = ""
    rules: str = ""
    is_public: bool = True


def check_slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not SLUG_PATTERN.match(slug) or "--" in slug:
        raise ValidationFailed(
            "Use 3 to 40 lower-case letters, digits and single dashes, starting and ending with a letter or digit.",
            field="slug",
        )
    if slug in RESERVED_SLUGS:
        raise ValidationFailed(f"“{slug}” is reserved. Pick another address.", field="slug")
    return slug


def _check(info: HubInfo) -> HubInfo:
    if not isinstance(info.cap, int) or info.cap < 1:
        raise ValidationFailed("The cap must be at least 1 seat.", field="cap")
    most = current_app.config.get("MAX_CAP", DEFAULT_MAX_CAP)
    if info.cap > most:
        raise ValidationFailed(f"MicroHub is for small communities: at most {most:,} seats.", field="cap")
    if not info.name.strip() or not one_line(info.name):
        raise ValidationFailed("Give the hub a name, on one line.", field="name")
    if not info.purpose.strip() or not one_line(info.purpose):
        raise ValidationFailed("Say in one line what the hub is for.", field="purpose")
    info.currency = check_currency(info.currency)
    info.timezone = check_timezone(info.timezone)
    return info


def cap_advice(cap: int) -> str | None:
    """A word to the organizer when the cap is past what one small group holds well."""
    if cap > ADVISED_CAP:
        return (f"A cap of {cap} is above {ADVISED_CAP}, where most groups stop feeling small; consider a lower cap "
                "until moderation scales, or a second hub.")
    return None


def create_hub(organizer: User, slug: str, info: HubInfo) -> Hub:
    slug = check_slug(slug)
    _check(info)
    if db.session.scalar(db.select(Hub.id).filter_by(slug=slug)) is not None:
        raise Conflict(f"The address /h/{slug} is taken. Pick another.", field="slug")
    hub = Hub(slug=slug, **{f.name: getattr(info, f.name) for f in fields(HubInfo)})
    hub.name, hub.purpose = info.name.strip(), info.purpose.strip()
    db.session.add(hub)
    db.session.flush()
    db.session.add(HubRole(hub_id=hub.id, user_id=organizer.id, role=Role.ORGANIZER))
    db.session.flush()
    audit.record("hub.created", hub, actor=organizer, hub_id=hub.id, cap=hub.cap, currency=hub.currency)
    return hub


#: Settings whose changes the audit trail keeps, with the values before and after.
AUDITED = ("cap", "currency", "is_public")


def update_hub(hub: Hub, info: HubInfo, *, actor: User) -> Hub:
    """Save the organizer's settings. Other domains may refuse a change (a currency once plans have prices);
    a changed cap offers freed seats to the waitlist first, and a lowered one removes nobody."""
    _check(info)
    changes = {f.name: getattr(info, f.name) for f in fields(HubInfo) if getattr(info, f.name) != getattr(hub, f.name)}
    if changes:
        signals.hub_changing.send(hub, changes=changes)
    audited = {name: [getattr(hub, name), changes[name]] for name in AUDITED if name in changes}
    for f in fields(HubInfo):
        setattr(hub, f.name, getattr(info, f.name))
    hub.name, hub.purpose = info.name.strip(), info.purpose.strip()
    db.session.flush()
    if audited:
        audit.record("hub.updated", hub, actor=actor, hub_id=hub.id, **audited)
    if "cap" in changes:
        signals.seats_freed.send(hub.id)
    return hub


def update_identity(hub: Hub, accent: str | None, cover_upload, *, remove_cover: bool, actor: User) -> Hub:
    """Set the hub's accent colour (refused when white text on it fails AA) and its cover image: a new upload
    replaces the old one, `remove_cover` drops it. Nothing is saved when either is refused. Flushes."""
    colour = identity.check_accent(accent)
    cover = identity.checked_cover(cover_upload)
    if cover is not None or remove_cover:
        identity.drop_after_commit(hub.cover_image)
        hub.cover_image = identity.store_cover(cover) if cover is not None else None
    hub.accent_color = colour
    db.session.flush()
    audit.record("hub.identity", hub, actor=actor, hub_id=hub.id, accent_color=colour,
                 cover=hub.cover_image is not None)
    return hub


def organizer_count(hub: Hub) -> int:
    return db.session.scalar(db.select(db.func.count(HubRole.id)).filter_by(hub_id=hub.id, role=Role.ORGANIZER))


def grant_role(hub: Hub, email: str, role: Role, granted_by: User) -> HubRole:
    if role not in GRANTABLE_ROLES:
        raise ValidationFailed("Members join by themselves; only staff roles are handed out here.", field="role")
    user = db.session.scalar(db.select(User).filter_by(email=normalize_email(email)))
    if user is None:
        raise ValidationFailed("Nobody has an account with that e-mail yet. Ask them to sign up first.",
                               field="email")
    exists = db.session.scalar(db.select(HubRole.id).filter_by(hub_id=hub.id, user_id=user.id, role=role))
    if exists is not None:
        raise Conflict(f"{user.name} is {role.label} already.", field="email")
    grant = HubRole(hub_id=hub.id, user_id=user.id, role=role, granted_by_id=granted_by.id)
    db.session.add(grant)
    db.session.flush()
    audit.record("role.granted", grant, actor=granted_by, user_id=user.id, role=role.value)
    return grant


def revoke_role(hub: Hub, role_id: int, *, actor: User) -> None:
    grant = db.session.scalar(db.select(HubRole).filter_by(id=role_id, hub_id=hub.id))
    if grant is None:
        raise ValidationFailed("That role does not exist in this hub.")
    if grant.role is Role.ORGANIZER and organizer_count(hub) <= 1:
        who = "yourself" if grant.user_id == actor.id else "its only organizer"
        raise NotAllowed(f"You can't remove {who}: a hub needs at least one organizer. "
                         "Add another organizer first.")
    audit.record("role.revoked", grant, actor=actor, user_id=grant.user_id, role=grant.role.value)
    db.session.delete(grant)
    db.session.flush()


def public_hubs() -> list[Hub]:
    return list(db.session.scalars(db.select(Hub).filter_by(is_public=True).order_by(Hub.created_at.desc())))
