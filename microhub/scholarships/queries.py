"""What the reviewers' pages read: applications by state, in the reviewers' order."""
from __future__ import annotations

from ..extensions import db
from ..hubs.models import Hub
from .models import ApplicationStatus as S, ScholarshipApplication as A

#: The order of the sections on the reviewers' page.
SECTIONS = (
    ("Offered", (S.OFFERED,)),
    ("Waiting for review", (S.SUBMITTED, S.IN_REVIEW)),
    ("Scholarship members", (S.ACCEPTED, S.ACTIVE)),
    ("Decided", (S.DECLINED, S.EXPIRED, S.WITHDRAWN, S.ENDED)),
)


def by_section(hub: Hub) -> list[tuple[str, list[A]]]:
    rows = db.session.scalars(
        db.select(A).where(A.hub_id == hub.id).options(db.joinedload(A.user))
        .order_by(A.rank.is_(None), A.rank, A.id)).all()
    return [(title, [a for a in rows if a.status in statuses]) for title, statuses in SECTIONS]


def in_use(hub: Hub) -> int:
    return hub.scholarship_seats_taken
