"""Applying for a scholarship, withdrawing, and the reviewers' side: ranking with the award's terms, declining.

Answers and need statements are private to the hub's organizers and assigned reviewers (`reviewers.may_review`);
they are deleted 90 days after the decision (`tasks.delete_old_answers`), the decision itself stays.
"""
from __future__ import annotations

from .. import audit
from ..accounts.models import User
from ..database import added_unless_taken
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hubs.access import found_in_hub
from ..hubs.models import Hub
from ..memberships.queries import live_membership
from .fund import award_value
from .models import UNDECIDED, ApplicationStatus as S, AwardKind, Need, ScholarshipApplication
from .notices import notify
from .states import decide
from .program import MAX_ANSWER, accepting, deadline_passed, program_of, term_of


def mine(hub: Hub, user: User) -> list[ScholarshipApplication]:
    """The person's own applications in `hub`, newest first (never anyone else's)."""
    return list(db.session.scalars(db.select(ScholarshipApplication).filter_by(hub_id=hub.id, user_id=user.id)
                                   .order_by(ScholarshipApplication.id.desc())))


def own(hub: Hub, user: User, application_id, *, lock: bool = True) -> ScholarshipApplication:
    return found_in_hub(ScholarshipApplication, application_id, "That application is not yours or does not exist.",
                        lock=lock, hub_id=hub.id, user_id=user.id)


def _answers(questions: list[str], answers: list[str]) -> list[dict]:
    if len(answers) != len(questions):
        raise ValidationFailed("Answer every question (a short answer is fine).")
    written = []
    for number, (question, answer) in enumerate(zip(questions, answers), start=1):
        answer = (answer or "").strip()
        if not answer:
            raise ValidationFailed("Answer every question (a short answer is fine).", field=f"answer_{number}")
        if len(answer) > MAX_ANSWER:
            raise ValidationFailed(f"Keep each answer to {MAX_ANSWER:,} characters; this one has {len(answer):,}.",
                                   field=f"answer_{number}")
        written.append({"question": question, "answer": answer})
    return written


def apply(hub: Hub, user: User, *, need: str, answers: list[str]) -> ScholarshipApplication:
    program = program_of(hub)
    if deadline_passed(hub, program):
        raise ValidationFailed(f"Applications closed on {program.deadline.isoformat()}.")
    if not accepting(hub, program):
        raise ValidationFailed("Scholarship applications are not open right now.")
    if need not in {n.value for n in Need}:
        raise ValidationFailed("Pick one of the listed needs (or 'rather not say').", field="need")
    if live_membership(hub, user) is not None:
        raise Conflict(f"You are a member of {hub.name} already; scholarship members renew from their own page.")
    application = ScholarshipApplication(hub_id=hub.id, user_id=user.id, need=Need(need), status=S.SUBMITTED,
                                         answers=_answers(program.questions, answers))
    if not added_unless_taken(application):
        raise Conflict("You have an application waiting for a decision already.")
    audit.record("scholarships.applied", application, actor=user, hub_id=hub.id)
    notify(application, "received")
    return application


def renew(hub: Hub, user: User, current: ScholarshipApplication) -> ScholarshipApplication:
    """One click: a new application that continues `current` (same need, no questions again)."""
    if current.status is not S.ACTIVE:
        raise Conflict("Only a running scholarship can be renewed.")
    application = ScholarshipApplication(hub_id=hub.id, user_id=user.id, need=current.need, status=S.SUBMITTED,
                                         answers=[], renews_id=current.id)
    if not added_unless_taken(application):
        raise Conflict("Your renewal is waiting for a decision already.")
    audit.record("scholarships.renewal_asked", application, actor=user, hub_id=hub.id, renews=current.id)
    notify(application, "received")
    return application


def withdraw(hub: Hub, user: User, application: ScholarshipApplication) -> None:
    from .offers import pass_on  # an open offer's seat goes on to the next ranked applicant
    if application.status not in UNDECIDED:
        raise Conflict("This application is decided already; there is nothing to withdraw.")
    offered = application.status is S.OFFERED
    decide(application, S.WITHDRAWN, actor=user, step="withdrawn")
    if offered:
        pass_on(application)


def rank(application: ScholarshipApplication, *, rank: int, kind: str, pays_minor: int | None, actor) -> None:
    """Place an application in the reviewers' order, with the award it would be; it is then in review."""
    if application.status not in (S.SUBMITTED, S.IN_REVIEW):
        raise Conflict("Only applications waiting for an offer can be ranked.")
    if type(rank) is not int or not 1 <= rank <= 10_000:
        raise ValidationFailed("Give a rank from 1 (offered first).", field="rank")
    program = program_of(application.hub)
    plan = program.plan
    if kind not in {k.value for k in AwardKind}:
        raise ValidationFailed("Choose a full or a partial award.", field="kind")
    if kind == AwardKind.FULL.value:
        pays_minor = None
    elif pays_minor is None or not 0 < pays_minor < plan.price_minor:
        raise ValidationFailed("A partial award's member pays more than nothing and less than the plan's price.",
                               field="pays")
    first_look = application.status is S.SUBMITTED
    months, until = term_of(application.hub, program)
    application.status, application.rank, application.kind = S.IN_REVIEW, float(rank), AwardKind(kind)
    application.plan_id, application.pays_minor, application.term_months = plan.id, pays_minor, months
    application.term_until, application.value_minor = until, award_value(plan, months, pays_minor)
    db.session.flush()
    audit.record("scholarships.ranked", application, actor=actor, hub_id=application.hub_id, rank=rank, kind=kind,
                 pays_minor=pays_minor, value_minor=application.value_minor)
    if first_look:
        notify(application, "in_review")


def decline(application: ScholarshipApplication, *, actor) -> None:
    """The reviewers say no (before any offer)."""
    if application.status not in (S.SUBMITTED, S.IN_REVIEW):
        raise Conflict("Only applications waiting for an offer can be declined.")
    decide(application, S.DECLINED, actor=actor, step="declined")
