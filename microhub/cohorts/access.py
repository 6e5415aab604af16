"""Who may see inside a cohort: its meeting link, member list, check-ins and calendar."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from ..hubs.access import STAFF, hub_for, roles_in
from .enrollment import is_enrolled
from .models import Cohort
from .services import cohort_in


def is_staff(cohort: Cohort, user) -> bool:
    return bool(roles_in(cohort.hub, user) & set(STAFF))


def can_see_inside(cohort: Cohort, user) -> bool:
    """Enrolled members and the hub's organizers and moderators; nobody else."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return is_staff(cohort, user) or is_enrolled(cohort, user)


def cohort_for(slug: str, cohort_id: int, *, inside: bool = False) -> tuple:
    """(hub, cohort) from the URL, or 404; with `inside`, the viewer must be enrolled or staff (else 403)."""
    hub = hub_for(slug)
    cohort = cohort_in(hub, cohort_id)
    if inside:
        if not current_user.is_authenticated:
            from flask import current_app

            abort(current_app.login_manager.unauthorized())
        if not can_see_inside(cohort, current_user):
            abort(403)
    return hub, cohort
