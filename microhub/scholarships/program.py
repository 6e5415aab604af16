"""A hub's scholarship programme: what it covers, who it is for, the questions, the deadline and the term."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from .. import audit
from ..billing.models import Plan
from ..database import utcnow
from ..errors import ValidationFailed
from ..extensions import db
from ..hubs.access import in_hub
from ..hubs.models import Hub
from .models import ScholarshipProgram

MAX_QUESTIONS = 5
MAX_QUESTION = 300
MAX_ANSWER = 1000
MAX_TERM_MONTHS = 24


@dataclass
class ProgramInfo:
    covers: str
    who_for: str
    questions: list[str]
    deadline: date | None
    term_months: int
    plan_id: int | None
    #: A term that ends on a day instead (one cohort: its last session's day); None for `term_months`.
    term_ends_on: date | None = None


def program_of(hub: Hub) -> ScholarshipProgram | None:
    return db.session.get(ScholarshipProgram, hub.id)


def today_in(hub: Hub) -> date:
    return utcnow().astimezone(ZoneInfo(hub.timezone)).date()


def _latest_end(hub: Hub) -> date:
    return today_in(hub) + relativedelta(months=MAX_TERM_MONTHS)


def term_of(hub: Hub, program: ScholarshipProgram) -> tuple[int, datetime | None]:
    """An award's term as it would start now: (whole months it spans, the moment it ends if fixed to a day)."""
    if program.term_ends_on is None or program.term_ends_on <= today_in(hub):
        return program.term_months, None
    ends = datetime.combine(program.term_ends_on + timedelta(days=1), time(), ZoneInfo(hub.timezone))
    span = relativedelta(program.term_ends_on, today_in(hub))
    return max(1, span.years * 12 + span.months + (1 if span.days else 0)), ends


def deadline_passed(hub: Hub, program: ScholarshipProgram | None) -> bool:
    return program is not None and program.deadline is not None and program.deadline < today_in(hub)


def accepting(hub: Hub, program: ScholarshipProgram | None) -> bool:
    """Applications are open while seats are, or while an application window (a deadline) runs."""
    if program is None or program.plan_id is None or deadline_passed(hub, program):
        return False
    return hub.scholarship_seats_left > 0 or program.deadline is not None


def _check(hub: Hub, info: ProgramInfo) -> list[str]:
    questions = [q.strip() for q in info.questions if q and q.strip()]
    if len(questions) > MAX_QUESTIONS:
        raise ValidationFailed(f"Ask at most {MAX_QUESTIONS} questions.", field="questions")
    if any(len(q) > MAX_QUESTION for q in questions):
        raise ValidationFailed(f"Keep each question under {MAX_QUESTION} characters.", field="questions")
    if info.deadline is not None and info.deadline < today_in(hub):
        raise ValidationFailed("The deadline is in the past; pick today or a later day, or leave it empty.",
                               field="deadline")
    if info.term_ends_on is not None and not today_in(hub) < info.term_ends_on <= _latest_end(hub):
        raise ValidationFailed(f"A term ends after today and within {MAX_TERM_MONTHS} months.", field="term_ends_on")
    if type(info.term_months) is not int or not 1 <= info.term_months <= MAX_TERM_MONTHS:
        raise ValidationFailed(f"A term lasts 1 to {MAX_TERM_MONTHS} months.", field="term_months")
    plan = in_hub(Plan, info.plan_id, hub_id=hub.id)
    if plan is None or not plan.active:
        raise ValidationFailed("Pick the plan an award stands in for: one of this hub's open plans.", field="plan_id")
    return questions


def save_program(hub: Hub, info: ProgramInfo, *, actor) -> ScholarshipProgram:
    """Create or change the programme; applications already in keep the questions they answered."""
    questions = _check(hub, info)
    program = program_of(hub) or ScholarshipProgram(hub_id=hub.id)
    program.covers, program.who_for = info.covers.strip(), info.who_for.strip()
    program.questions, program.deadline = questions, info.deadline
    program.term_months, program.plan_id = info.term_months, int(info.plan_id)
    program.term_ends_on = info.term_ends_on
    db.session.add(program)
    db.session.flush()
    audit.record("scholarships.program_saved", hub, actor=actor, hub_id=hub.id, questions=len(questions),
                 deadline=info.deadline.isoformat() if info.deadline else None, term_months=info.term_months,
                 term_ends_on=info.term_ends_on.isoformat() if info.term_ends_on else None,
                 plan_id=program.plan_id)
    return program
