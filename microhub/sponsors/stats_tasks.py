"""The sponsor statistics' periodic work: roll the Redis counters up into daily rows, then make old days final."""
from __future__ import annotations

import logging

from flask import current_app
from redis.exceptions import RedisError

from ..database import utcnow
from ..jobs import redis_connection
from . import rollups, webhooks

log = logging.getLogger(__name__)


def roll_up_counts() -> None:
    """One batch of counters into `PlacementDay` rows (nothing to do without Redis)."""
    conn = redis_connection(current_app)
    if conn is None:
        return
    try:
        rollups.flush(conn, utcnow())
    except RedisError as exc:
        log.warning("sponsor counts not rolled up, Redis unreachable (they wait there): %s", exc)


def finalize_days() -> None:
    """Days that ended 48 hours ago become final; later counts for them become dated adjustments."""
    rollups.finalize(utcnow())


def send_webhooks() -> None:
    """Each sponsor's daily webhook: the latest final day's totals, claimed once and sent by a job."""
    webhooks.send_due()
