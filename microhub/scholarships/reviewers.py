"""Who reviews a hub's applications: its organizers, and the moderators an organizer assigns."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from .. import audit
from ..accounts.models import User
from ..accounts.services import normalize_email
from ..database import added_unless_taken
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hubs.access import Permission, can, hub_for, require_login, roles_in
from ..hubs.models import Hub, Role
from .models import ScholarshipReviewer


def is_assigned(hub: Hub, user) -> bool:
    return db.session.scalar(db.select(ScholarshipReviewer.id).filter_by(hub_id=hub.id, user_id=user.id)) is not None


def may_review(hub: Hub, user=None) -> bool:
    """Organizers, and assigned moderators who are still moderators: they alone see applications and answers."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return False
    if can(hub, Permission.MANAGE, user):
        return True
    return Role.MODERATOR in roles_in(hub, user) and is_assigned(hub, user)


def reviewed_hub(slug: str) -> Hub:
    """The hub named in the URL, for its reviewers only: visitors log in, everyone else gets 403."""
    hub = hub_for(slug)
    require_login()
    if not may_review(hub):
        abort(403)
    return hub


def reviewers(hub: Hub) -> list[ScholarshipReviewer]:
    return list(db.session.scalars(db.select(ScholarshipReviewer).filter_by(hub_id=hub.id)
                                   .order_by(ScholarshipReviewer.id)))


def assign(hub: Hub, email: str, *, actor) -> ScholarshipReviewer:
    user = db.session.scalar(db.select(User).filter_by(email=normalize_email(email or "")))
    if user is None or Role.MODERATOR not in roles_in(hub, user):
        raise ValidationFailed("Only this hub's moderators can be assigned as reviewers (organizers review anyway).",
                               field="email")
    reviewer = ScholarshipReviewer(hub_id=hub.id, user_id=user.id, assigned_by_id=actor.id)
    if not added_unless_taken(reviewer):
        raise Conflict(f"{user.name} reviews applications already.", field="email")
    audit.record("scholarships.reviewer_assigned", reviewer, actor=actor, hub_id=hub.id, user_id=user.id)
    return reviewer


def unassign(reviewer: ScholarshipReviewer, *, actor) -> None:
    audit.record("scholarships.reviewer_unassigned", reviewer, actor=actor, hub_id=reviewer.hub_id,
                 user_id=reviewer.user_id)
    db.session.delete(reviewer)
    db.session.flush()
