"""The bad-input corpus: a hub with people in every role, bad values by kind of field, and a database fingerprint."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from microhub.cohorts.models import Enrollment
from microhub.extensions import db
from microhub.ledger import expenses

from ..cohorts.helpers import enrolled_members, make_cohort
from ..factories import RoleFactory, UserFactory
from ..payments.helpers import hub_with_plan
from microhub.hubs.models import Role

LONG = "x" * 30_000  # past every length limit (the longest, house rules, is 20,000)
#: Refused in any text field, one-line or not.
TEXT = ["\x00", "a\x00b", "\x1b[31mred", "bell\x07", "sep\u2028arator", "del\x7f", LONG]
#: Refused in one-line fields only (text areas keep line breaks).
ONE_LINE = TEXT + ["line\r\nBcc: x@example.org", "tab\there", "a\nb", "a\rb"]
EMAIL = ["a\x00@example.org", "not-an-email", "x" * 300 + "@example.org", "a@example.org\r\nBcc: c@example.org",
         "", "@", "a@b@c"]
ID = ["0", "-1", "2147483648", str(2**63), str(10**30), "abc", "", "1 OR 1=1", "\x00", "1e3", "١٢", "²"]
ENUM = ["bogus", "", "\x00", "x" * 500, "ORGANIZER", "member"]
ZONE = ["Atlantis/Capital", "", "\x00", "../../etc/passwd", "UTC\r\n", "x" * 500]
DATE = ["9999-12-31", "0000-01-01", "0001-01-01", "2026-02-30", "garbage", "", "+275760-09-13", "\x00"]
MONTH = ["2026-13", "2026-00", "1999-12", "9999-01", "2026-1", "26-01", "2026/01", "", "\x00", "x" * 500, "²⁰²⁶-01",
         str(10**30), "2026-01-01"]
TIME = ["25:00", "24:00", "-1:00", "x", "", "12:60", "\x00"]
MONEY = ["", "abc", "-5", "0", "21474836.48", "1e400", "NaN", "Infinity", "1.234", "99999999999", "\x00", "1,2,3"]
CAP = ["", "abc", "0", "-1", "501", "²", "2147483648", str(2**63), str(10**30), "1e400", "NaN", "12.5", "\x00"]
SLUG = ["UPPER_CASE!", "a", "x" * 50, "new", "a\x00b", "a--b", "-ab", "ab-", "with space", "%00", ""]
URL = ["javascript:alert(1)", "ftp://x.example.org", "http://", "https://a b.example.org", "data:text/html,x",
       "https://meet.example.org/x\r\nATTACH:https://evil", "x" * 600]
WEEKDAY = ["7", "-1", "abc", "", str(10**30), "\x00", "1.5", "²", "١"]
MONTH = ["2026-13", "2026-00", "26-03", "March", "", "\x00", "1999-12", "2026-3", "x" * 500, "²⁰²⁶-03"]
CARD = ["", "\x00", "4242\r\n", "x" * 40, "4242 4242 4242 4241", "4000 0000 0000 0002", "١٢٣٤"]


@dataclass
class World:
    hub: object
    plan: object
    cohort: object
    organizer: object
    member: object
    visitor: object
    enrollment_id: int
    session_id: int
    #: A draft expense (its page edits it), a submitted one (it can be rejected) and a paid one (corrected).
    draft_id: int
    submitted_id: int
    paid_id: int
    #: An application for a scholarship, waiting for review (its rank form takes bad values).
    application_id: int


def build_world() -> World:
    hub, plan = hub_with_plan(slug="corpus", cap=30)
    organizer = UserFactory()
    RoleFactory(hub=hub, user=organizer, role=Role.ORGANIZER)
    cohort = make_cohort(hub, title="Corpus circle", weeks=3)
    member = enrolled_members(cohort)[0]
    enrollment = db.session.scalar(db.select(Enrollment).filter_by(cohort_id=cohort.id, user_id=member.id))
    visitor = UserFactory()
    draft, submitted, paid = _expenses(hub, organizer)
    return World(hub, plan, cohort, organizer, member, visitor, enrollment.id, cohort.sessions[1].id, draft, submitted,
                 paid, _scholarships(hub, plan, organizer))


def _scholarships(hub, plan, organizer) -> int:
    from microhub.scholarships import applications
    from microhub.scholarships.program import ProgramInfo, save_program
    from microhub.scholarships.seats import set_pool

    save_program(hub, ProgramInfo(covers="A seat", who_for="Students", questions=["Why?"], deadline=None,
                                  term_months=12, plan_id=plan.id), actor=organizer)
    set_pool(hub, 2, actor=organizer)
    application = applications.apply(hub, UserFactory(), need="student", answers=["Because"])
    db.session.commit()
    return application.id


def _expenses(hub, organizer) -> tuple[int, int, int]:
    made = [expenses.create_draft(hub, expenses.ExpenseInfo("12.00", hub.currency, "spending.tools",
                                                            expenses.today_in(hub), "Host", "Hosting"), actor=organizer)
            for _ in range(3)]
    for move in (expenses.submit, expenses.approve, expenses.pay):
        for expense in made[1 + (move is not expenses.submit):]:
            move(hub, expense.id, actor=organizer)
    db.session.commit()
    return made[0].id, made[1].id, made[2].id


def fingerprint() -> dict[str, str]:
    """A digest of every row of every table: equal before and after means nothing changed."""
    db.session.commit()
    db.session.expire_all()
    digests = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(db.select(table).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


def changed(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]
