"""Billing's periodic work (listed in `microhub.wiring.PERIODIC_TASKS`)."""
from __future__ import annotations

from datetime import timedelta

from .. import jobs
from ..database import utcnow
from ..extensions import db
from .models import EventStatus, PaymentEvent
from .processing import process_event

#: Stored events still unprocessed this long after arrival are enqueued again by the sweeper.
SWEEP_AFTER = timedelta(minutes=3)


def sweep_events() -> None:
    """Enqueue stored events nobody processed (queue was down, worker died) and failed ones whose retry is due."""
    now = utcnow()
    stale = db.session.scalars(
        db.select(PaymentEvent.id)
        .where(PaymentEvent.status == EventStatus.PENDING,
               db.or_(db.and_(PaymentEvent.next_attempt_at.is_(None), PaymentEvent.received_at < now - SWEEP_AFTER),
                      PaymentEvent.next_attempt_at <= now))
        .order_by(PaymentEvent.created)
        .limit(500)
    ).all()
    for event_id in stale:
        jobs.enqueue(process_event, event_id, queue_name=jobs.HIGH)
