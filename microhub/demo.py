"""Idempotent demo data: the `demo` hub, its organizer, a few members and two cohorts."""
from __future__ import annotations

from .accounts.models import User
from .accounts.services import hash_password
from .billing.services import create_plan, hub_plans
from .cohorts.demo import load_cohorts
from .database import utcnow
from .extensions import db
from .hubs.models import Hub
from .hubs.rituals import RitualInfo, add_ritual, hub_rituals
from .ledger.demo import load_money
from .hubs.services import HubInfo, create_hub
from .memberships.queries import live_membership
from .memberships.services import admit
from .scholarships.demo import load_donations, load_scholarships
from .sponsors.demo import load_sponsors

ORGANIZER_EMAIL = "organizer@demo.microhub.local"
ORGANIZER_PASSWORD = "demo-organizer-2026"
MEMBER_PASSWORD = "demo-member-2026"
MEMBERS = [("Ada Osei", "ada"), ("Bruno Keller", "bruno"), ("Chen Wei", "chen"), ("Dana Ruiz", "dana")]

DEMO_HUB = HubInfo(
    name="Slow Code Circle",
    purpose="Working programmers who want to write less code, better, together.",
    cap=20,
    currency="EUR",
    timezone="Europe/Berlin",
    promises="A reply to every question within a day\nNo recruiters, no pitches\nMonthly costs published in the open",
    rituals="Monday kick-off thread: what you will ship this week\nThursday 18:00 code reading, 60 minutes\n"
            "Last Friday of the month: show and tell",
    rules="Be kind and specific. Critique code, not people.\nWhat is said in the hub stays in the hub.\n"
          "Organizers may remove anyone who harms the group; they explain why.",
)


DEMO_PLANS = [
    {"name": "Member", "includes": "All threads and rituals\nThursday code reading", "price": "9.00",
     "interval": "month"},
    {"name": "Supporter", "includes": "Everything in Member\nFunds one scholarship seat a year", "price": "120.00",
     "interval": "year"},
]
#: The demo's scheduled rituals (day 0 is Monday), at the hub's wall-clock time; links reach members only.
DEMO_RITUALS = [
    RitualInfo("Monday kick-off call", "0", "09:00", "30", "https://meet.example.org/slow-code-kickoff"),
    RitualInfo("Thursday code reading", "3", "18:00", "60", "https://meet.example.org/slow-code-reading"),
]
#: What each Supporter payment sends to the scholarship fund: one Member seat for a year.
SUPPORTER_SHARE = 10800


def _user(email: str, name: str, password: str, timezone: str) -> User:
    user = db.session.scalar(db.select(User).filter_by(email=email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(password), timezone=timezone,
                    email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
    return user


def load_demo() -> Hub:
    organizer = _user(ORGANIZER_EMAIL, "Olu Organizer", ORGANIZER_PASSWORD, "Europe/Berlin")
    hub = db.session.scalar(db.select(Hub).filter_by(slug="demo"))
    if hub is None:
        hub = create_hub(organizer, "demo", DEMO_HUB)
    if not hub_plans(hub.id, active_only=False):
        for plan in DEMO_PLANS:
            create_plan(hub, **plan)
        supporter = next(plan for plan in hub_plans(hub.id) if plan.name == "Supporter")
        supporter.scholarship_share_minor = SUPPORTER_SHARE
    members = []
    for name, local in MEMBERS:
        member = _user(f"{local}@demo.microhub.local", name, MEMBER_PASSWORD, "Europe/Berlin")
        if live_membership(hub, member) is None:
            admit(hub, member)
        members.append(member)
    load_cohorts(hub, organizer, members)
    if not hub_rituals(hub.id):
        for ritual in DEMO_RITUALS:
            add_ritual(hub, ritual, actor=organizer)

    def scholarships_and_sponsors(months) -> None:  # before the closed months are published: part of their history
        load_donations(hub, months)
        load_scholarships(hub, organizer, lambda email, name: _user(email, name, MEMBER_PASSWORD, "Europe/Berlin"))
        load_sponsors(hub, organizer, lambda email, name, password: _user(email, name, password, "Europe/Berlin"))

    load_money(hub, organizer, before_publishing=scholarships_and_sponsors, supporter_share=SUPPORTER_SHARE)
    db.session.refresh(hub)
    return hub
