"""A hub's public face (the hub with its counters, open plans, scholarship window, waitlist length and live hub-page
sponsors), read at most once a second per process and shared by every request for that hub meanwhile.

What a page shows may lag a change by at most `HUB_PAGE_CACHE_SECONDS` (1 s; the bound promised is 2 s): a seat
taken, a plan opened, a placement ended. Nothing decides from it: joining, holds and offers take their seat under
the database's lock, never from here. Tests run with 0 (read every time) unless they ask for the cache.

The copies are transient (in no session): a later commit never expires them and they never write anything, but
their relationships read as empty. Use their columns and properties only; a page that needs more of the hub, or
hands it to a service that changes rows, loads it with `hubs.access.hub_for`.
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import abort, current_app
from sqlalchemy import inspect

from ..billing.models import Plan
from ..billing.services import hub_plans
from ..extensions import db
from ..hubs.models import Hub
from ..memberships.waitlist import waitlist_count_of
from ..scholarships.models import ScholarshipProgram
from ..scholarships.program import accepting
from ..sponsors.display import Shown, live_placements
from ..sponsors.models import Where

#: Past this many hubs in one process's cache, it starts afresh (a bound on memory, not a policy).
MOST_KEPT = 2000


@dataclass(frozen=True)
class HubFace:
    hub: Hub
    plans: tuple[Plan, ...]
    scholarships_open: bool
    waitlist_count: int
    sponsors: tuple[Shown, ...]
    read_at: float


def _copy(row):
    """A transient copy of an ORM row's columns: belongs to no session, loads nothing, is never flushed."""
    model = type(row)
    return model(**{attr.key: getattr(row, attr.key) for attr in inspect(model).column_attrs})


def _read(slug: str, now: float) -> HubFace:
    """Three statements: the hub with its waitlist's length and scholarship programme, its open plans, its live
    hub-page placements."""
    found = db.session.execute(
        db.select(Hub, waitlist_count_of(Hub.id), ScholarshipProgram)
        .outerjoin(ScholarshipProgram, ScholarshipProgram.hub_id == Hub.id).where(Hub.slug == slug)).first()
    if found is None:
        abort(404)
    hub, waiting, program = found
    return HubFace(hub=_copy(hub), plans=tuple(_copy(plan) for plan in hub_plans(hub.id)),
                   scholarships_open=accepting(hub, program), waitlist_count=waiting,
                   sponsors=tuple(live_placements(hub.id, Where.HUB_PAGE)), read_at=now)


_lock = threading.Lock()


def hub_face(slug: str) -> HubFace:
    """The public face of the hub at /h/`slug`, at most `HUB_PAGE_CACHE_SECONDS` old; 404 when there is none."""
    app = current_app._get_current_object()
    seconds = app.config.get("HUB_PAGE_CACHE_SECONDS", 0)
    faces = app.extensions.get("microhub.hub_faces")
    if faces is None:
        with _lock:
            faces = app.extensions.setdefault("microhub.hub_faces", {})
    now = time.monotonic()
    face = faces.get(slug)
    if face is not None and now - face.read_at < seconds:
        return face
    face = _read(slug, now)
    if seconds > 0:
        if len(faces) >= MOST_KEPT:
            faces.clear()
        faces[slug] = face
    return face
