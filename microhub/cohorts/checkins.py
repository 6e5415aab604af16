"""Weekly check-ins and replies among peers, participation per week, and the closing retro."""
from __future__ import annotations

from .. import audit
from ..hubs.access import found_in_hub
from ..accounts.models import User
from ..database import added_unless_taken, utcnow
from ..errors import Conflict, NotAllowed, ValidationFailed
from ..extensions import db
from .enrollment import can_see_inside, is_enrolled
from .models import CheckIn, CheckInReply, Cohort, CohortStatus, Enrollment, EnrollmentStatus, Retro

#: Longest check-in or retro answer, in characters: a page of text.
MAX_TEXT = 4000
MAX_REPLY = 2000


def current_week(cohort: Cohort, now=None) -> int:
    """The latest week whose session has started (canceled ones count), 0 before the first one."""
    now = now or utcnow()
    return min(max((s.week for s in cohort.sessions if s.starts_at <= now), default=0), cohort.weeks)


def _text(value, field: str, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"{label} cannot be empty.", field=field)
    if len(value) > limit:
        raise ValidationFailed(f"{label} is {len(value):,} characters; keep it under {limit:,}.", field=field)
    return value


def _week(cohort: Cohort, week) -> int:
    if not isinstance(week, int) or not 1 <= week <= cohort.weeks:
        raise ValidationFailed(f"Pick a week from 1 to {cohort.weeks}.", field="week")
    if week > current_week(cohort):
        raise ValidationFailed(f"Week {week} has not begun yet; its check-in opens when its session starts.",
                               field="week")
    return week


def _upsert(model, keys: dict, values: dict):
    """The row matching `keys` with `values` set, inserted if missing; (row, created). Safe against a double post."""
    row = db.session.scalar(db.select(model).filter_by(**keys))
    if row is None:
        row = model(**keys, **values)
        if added_unless_taken(row):
            return row, True
        # The same person's other request inserted it first: edit that one.
        row = db.session.scalar(db.select(model).filter_by(**keys))
    for name, value in values.items():
        setattr(row, name, value)
    db.session.flush()
    return row, False


def post_checkin(cohort: Cohort, user, week, progress, blocker, next_step) -> CheckIn:
    """Post the member's check-in for `week`, or edit it if they wrote one already."""
    if not is_enrolled(cohort, user):
        raise NotAllowed("Only people enrolled in this cohort post check-ins.")
    if cohort.status is CohortStatus.OPEN:
        raise Conflict("This cohort has not started yet; check-ins open with its first session.")
    if cohort.status is CohortStatus.CANCELED:
        raise Conflict("This cohort was canceled, so it takes no more check-ins.")
    week = _week(cohort, week)
    values = dict(progress=_text(progress, "progress", "Progress"),
                  blocker=_text(blocker, "blocker", "Blocker", required=False),
                  next_step=_text(next_step, "next_step", "Next step"))
    checkin, created = _upsert(CheckIn, dict(cohort_id=cohort.id, user_id=user.id, week=week), values)
    audit.record("checkin.posted" if created else "checkin.edited", checkin, actor=user, hub_id=cohort.hub_id,
                 cohort_id=cohort.id, week=week)
    return checkin


def checkin_in(cohort: Cohort, checkin_id) -> CheckIn:
    return found_in_hub(CheckIn, checkin_id, "That check-in is not part of this cohort.", cohort_id=cohort.id)


def reply(cohort: Cohort, user, checkin_id, body) -> CheckInReply:
    """A peer's or organizer's reply to a check-in of this cohort."""
    if not can_see_inside(cohort, user):
        raise NotAllowed("Only people in this cohort and its organizers reply to check-ins.")
    checkin = checkin_in(cohort, checkin_id)
    answer = CheckInReply(checkin_id=checkin.id, user_id=user.id,
                          body=_text(body, "body", "Your reply", limit=MAX_REPLY))
    db.session.add(answer)
    db.session.flush()
    audit.record("checkin.replied", answer, actor=user, hub_id=cohort.hub_id, cohort_id=cohort.id,
                 checkin_id=checkin.id)
    return answer


def week_checkins(cohort: Cohort, week: int) -> list[CheckIn]:
    """Everyone's check-ins for `week` with their authors and replies, in two statements however many."""
    return list(db.session.scalars(
        db.select(CheckIn).where(CheckIn.cohort_id == cohort.id, CheckIn.week == week)
        .options(db.joinedload(CheckIn.user),
                 db.selectinload(CheckIn.replies).joinedload(CheckInReply.user))
        .order_by(CheckIn.created_at, CheckIn.id)))


def participation(cohort: Cohort) -> dict:
    """Who checked in which week, from one query over enrolled members and their check-ins.

    {"weeks": [1..N], "current_week": int, "members": int,
     "rows": [{"user": User, "checked_in": [bool per week], "count": int}],
     "totals": [int per week], "rates": [0.0..1.0 per week]}
    """
    found = db.session.execute(
        db.select(User, CheckIn.week).select_from(Enrollment).join(User, User.id == Enrollment.user_id)
        .outerjoin(CheckIn, db.and_(CheckIn.cohort_id == Enrollment.cohort_id, CheckIn.user_id == Enrollment.user_id))
        .where(Enrollment.cohort_id == cohort.id, Enrollment.status == EnrollmentStatus.ENROLLED)
        .order_by(User.name, User.id)).all()
    weeks = list(range(1, cohort.weeks + 1))
    rows: dict[int, dict] = {}
    for user, week in found:
        row = rows.setdefault(user.id, {"user": user, "checked_in": [False] * len(weeks), "count": 0})
        if week is not None and 1 <= week <= cohort.weeks:
            row["checked_in"][week - 1] = True
            row["count"] += 1
    members = len(rows)
    totals = [sum(row["checked_in"][w - 1] for row in rows.values()) for w in weeks]
    return {"weeks": weeks, "current_week": current_week(cohort), "members": members, "rows": list(rows.values()),
            "totals": totals, "rates": [total / members if members else 0.0 for total in totals]}


def retro_open(cohort: Cohort) -> bool:
    """The retro opens when the last week begins and stays open once the cohort is complete."""
    return cohort.status is CohortStatus.COMPLETED or (
        cohort.status is CohortStatus.RUNNING and current_week(cohort) == cohort.weeks)


def retro_of(cohort: Cohort, user) -> Retro | None:
    return db.session.scalar(db.select(Retro).filter_by(cohort_id=cohort.id, user_id=user.id))


def save_retro(cohort: Cohort, user, worked, did_not_work, won) -> Retro:
    """Write or rewrite the member's closing retro."""
    if not is_enrolled(cohort, user):
        raise NotAllowed("Only people enrolled in this cohort write its retro.")
    if not retro_open(cohort):
        raise Conflict("The retro opens when the cohort's last week begins." if cohort.status is not
                       CohortStatus.CANCELED else "This cohort was canceled, so it has no retro.")
    values = dict(worked=_text(worked, "worked", "What worked"),
                  did_not_work=_text(did_not_work, "did_not_work", "What didn't work"),
                  won=_text(won, "won", "What you won"))
    retro, created = _upsert(Retro, dict(cohort_id=cohort.id, user_id=user.id), values)
    audit.record("retro.written" if created else "retro.edited", retro, actor=user, hub_id=cohort.hub_id,
                 cohort_id=cohort.id)
    return retro


def retros(cohort: Cohort) -> list[Retro]:
    """Everyone's retros, for the cohort's organizers."""
    return list(db.session.scalars(
        db.select(Retro).where(Retro.cohort_id == cohort.id).options(db.joinedload(Retro.user))
        .order_by(Retro.created_at, Retro.id)))
