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


def detached(row):
    """A transient copy of an ORM row's columns: belongs to no session, loads nothing, is never flushed."""
    model = type(row)
    return model(**{attr.key: getattr(row, attr.key) for attr in inspect(model).column_attrs})


def _read(slug: str) -> HubFace:
    """Three statements: the hub with its waitlist's length and scholarship programme, its open plans, its live
    hub-page placements."""
    found = db.session.execute(
        db.select(Hub, waitlist_count_of(Hub.id), ScholarshipProgram)
        .outerjoin(ScholarshipProgram, ScholarshipProgram.hub_id == Hub.id).where(Hub.slug == slug)).first()
    if found is None:
        abort(404)
    hub, waiting, program = found
    return HubFace(hub=detached(hub), plans=tuple(detached(plan) for plan in hub_plans(hub.id)),
                   scholarships_open=accepting(hub, program), waitlist_count=waiting,
                   sponsors=tuple(live_placements(hub.id, Where.HUB_PAGE)))


_lock = threading.Lock()


def kept_in(name: str) -> dict:
    """This process's store `name` (made on first use), for things pages keep between requests."""
    app = current_app._get_current_object()
    store = app.extensions.get(name)
    if store is None:
        with _lock:
            store = app.extensions.setdefault(name, {})
    return store


def keep(store: dict, key, value, most: int = MOST_KEPT) -> None:
    """Put `value` in a kept store; past `most` keys the store starts afresh."""
    if len(store) >= most:
        store.clear()
    store[key] = value


def fresh(name: str, key, read):
    """What `read()` returns, kept in store `name` under `key` for `HUB_PAGE_CACHE_SECONDS` (read every time at 0)."""
    seconds = current_app.config.get("HUB_PAGE_CACHE_SECONDS", 0)
    store, now = kept_in(name), time.monotonic()
    found = store.get(key)
    if found is not None and now - found[0] < seconds:
        return found[1]
    value = read()
    if seconds > 0:
        keep(store, key, (now, value))
    return value


def hub_face(slug: str) -> HubFace:
    """The public face of the hub at /h/`slug`, at most `HUB_PAGE_CACHE_SECONDS` old; 404 when there is none."""
    return fresh("microhub.hub_faces", slug, lambda: _read(slug))
