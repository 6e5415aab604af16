"""What the tick runs and who hears which signal are listed in one place, and hold in a fresh interpreter."""
from __future__ import annotations

import subprocess
import sys
from datetime import timedelta

import pytest
from blinker import NamedSignal

from microhub import signals, wiring
from microhub.billing.models import EventStatus, PaymentEvent
from microhub.cohorts.models import Cohort, CohortStatus
from microhub.database import utcnow
from microhub.email import OutboxMessage
from microhub.extensions import db
from microhub.ledger.models import Account
from microhub.ledger.report_models import Reconciliation
from microhub.ledger.services import record_payment
from microhub.memberships.models import (HoldStatus, Membership, MembershipStatus, OfferStatus, SeatHold,
                                         WaitlistEntry, WaitlistOffer, WaitlistStatus)

from .cohorts.helpers import make_cohort
from .factories import UserFactory
from .payments.helpers import hub_with_plan
from .backends import redis_url
from .test_worker import ROOT, run_worker

EXPECTED_TASKS = [
    "microhub.billing.tasks:sweep_events",
    "microhub.memberships.tasks:expire_holds",
    "microhub.memberships.tasks:expire_offers",
    "microhub.memberships.tasks:enqueue_grace_reminders",
    "microhub.memberships.tasks:end_lapsed_grace",
    "microhub.scholarships.tasks:expire_offers",
    "microhub.scholarships.tasks:send_term_notices",
    "microhub.scholarships.tasks:end_terms",
    "microhub.scholarships.tasks:delete_old_answers",
    "microhub.sponsors.tasks:expire_placements",
    "microhub.sponsors.tasks:turn_placements_on_and_off",
    "microhub.ledger.tasks:reconcile_recent",
    "microhub.cohorts.tasks:enqueue_due_cohort_work",
    "microhub.transparency.tasks:remind_unpublished_months",
    "microhub.sponsors.stats_tasks:roll_up_counts",
    "microhub.sponsors.stats_tasks:finalize_days",
    "microhub.sponsors.stats_tasks:send_webhooks",
    "microhub.email:sweep_outbox",
]

FRESH = """
import sys
from microhub import jobs
from microhub.app import create_app
from microhub.extensions import db
from microhub.ledger.models import Account
from microhub.ledger.report_models import Reconciliation
from microhub.ledger.services import record_payment
app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1], "JOBS_RAISE": True})
with app.app_context():
    db.create_all()
    print(" ".join(jobs._dotted(fn) for fn in jobs.periodic_tasks(app)))
    jobs.tick()  # the first tick imports whatever its tasks need: the list must not change under it
    print(" ".join(jobs._dotted(fn) for fn in jobs.periodic_tasks(app)))
"""


def test_a_fresh_interpreter_runs_exactly_the_listed_tasks_in_order_before_and_after_its_first_tick(tmp_path):
    result = subprocess.run([sys.executable, "-c", FRESH, str(tmp_path / "fresh.sqlite3")], cwd=ROOT,
                            capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "MICROHUB_ENV": "test", "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    before, after = result.stdout.split("\n")[:2]
    assert before.split() == EXPECTED_TASKS
    assert after.split() == EXPECTED_TASKS


def test_every_signal_has_exactly_the_receivers_listed_in_wiring_and_no_other(app):
    listed: dict = {}
    for signal, receiver in wiring.RECEIVERS:
        listed.setdefault(signal, []).append(receiver)
    every_signal = [value for value in vars(signals).values() if isinstance(value, NamedSignal)]
    assert len(every_signal) >= 12
    for signal in every_signal:
        # blinker keeps a signal's receivers in a set: they are the listed ones, but not called in a set order.
        connected = list(signal.receivers_for(object()))
        assert len(connected) == len(set(connected)) and set(connected) == set(listed.get(signal, [])), signal.name
    # What the domains rely on: members are known, payments reach memberships, cohorts hear a membership end.
    assert {signals.roles_asked, signals.checkout_completed, signals.subscription_changed,
            signals.membership_changed, signals.seats_freed} <= set(listed)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_freshly_started_worker_runs_every_task_on_its_first_tick(app, app_factory, db_url):
    """One due item per task; a new `microhub worker` process runs the tick the scheduler queued, and each is done."""
    from microhub.commands import build_cron

    url = redis_url()
    past, now = utcnow() - timedelta(minutes=10), utcnow()
    hub, plan = hub_with_plan(cap=20)
    hold = SeatHold(hub_id=hub.id, user_id=UserFactory().id, plan_id=plan.id, expires_at=past)
    entry = WaitlistEntry(hub_id=hub.id, user_id=UserFactory().id, rank=1, status=WaitlistStatus.OFFERED)
    db.session.add_all([hold, entry])
    db.session.flush()
    offer = WaitlistOffer(hub_id=hub.id, entry_id=entry.id, token_hash="0" * 64, expires_at=past)
    due_reminder = Membership(hub_id=hub.id, user_id=UserFactory().id, status=MembershipStatus.PAST_DUE,
                              grace_until=now + timedelta(days=1))
    lapsed = Membership(hub_id=hub.id, user_id=UserFactory().id, status=MembershipStatus.PAST_DUE, grace_until=past)
    event = PaymentEvent(stripe_id="evt_swept", type="customer.created", created=int(past.timestamp()),
                         payload={"data": {"object": {}}}, received_at=past)
    mail = OutboxMessage(to="someone@example.org", subject="Stuck", body_text="x", created_at=past)
    hub.seats_taken = 4  # the hold, the offer and the two past-due members
    db.session.add_all([offer, due_reminder, lapsed, event, mail])
    db.session.commit()
    cohort = make_cohort(hub)
    cohort.starts_at = past
    record_payment(hub, source=("invoice", "in_tick"), income=Account.MEMBERSHIP_INCOME, gross=900, fee=39,
                   currency="EUR", occurred_at=past, charge_ref="ch_tick", details={}, memo="Membership payment")
    db.session.commit()

    scholarships = _scholarship_work(hub, plan, past, now)
    sponsored = _sponsor_work(hub, past)
    counted = _sponsor_stats_work(hub, url, now)

    build_cron(app_factory(REDIS_URL=url), interval=60).enqueue_jobs()
    run_worker(url, db_url, SMTP_URL="smtp://127.0.0.1:1")  # a fresh process: nothing imported by chance

    db.session.expire_all()
    assert db.session.get(PaymentEvent, event.id).status is EventStatus.PROCESSED  # sweep_events
    assert db.session.get(SeatHold, hold.id).status is HoldStatus.RELEASED  # expire_holds
    assert db.session.get(WaitlistOffer, offer.id).status is OfferStatus.EXPIRED  # expire_offers
    assert db.session.get(Membership, due_reminder.id).grace_reminded_at is not None  # enqueue_grace_reminders
    assert db.session.get(Membership, lapsed.id).status is MembershipStatus.EXPIRED  # end_lapsed_grace
    assert db.session.get(Cohort, cohort.id).status is CohortStatus.RUNNING  # enqueue_due_cohort_work
    assert db.session.get(OutboxMessage, mail.id).attempts == 1  # sweep_outbox (SMTP refused: tried once)
    assert db.session.scalar(db.select(Reconciliation.id).filter_by(hub_id=hub.id))  # reconcile_recent
    assert db.session.get(type(hub), hub.id).seats_taken == 1  # only the reminded member still holds a seat
    _scholarship_work_done(hub, scholarships)
    _sponsor_work_done(sponsored)
    _sponsor_stats_work_done(counted)


def _sponsor_work(hub, past) -> dict:
    """A request nobody decided before its start, and a paid placement whose period began."""
    from microhub.database import update_where
    from microhub.sponsors.models import Placement, PlacementStatus as P

    from .factories import organizer_of
    from .sponsors.helpers import approved_listing, make_sponsor, requested, spot_of

    _, organizer = organizer_of(hub)
    spot = spot_of(hub, organizer)
    made = {}
    for name in ("undecided", "paid"):
        sponsor, person = make_sponsor(name)
        approved_listing(sponsor, hub, organizer)
        made[name] = requested(hub, sponsor, person, spot).id
    update_where(Placement, made["undecided"], starts_at=past)
    update_where(Placement, made["paid"], starts_at=past, status=P.PAID)
    db.session.commit()
    return made


def _sponsor_work_done(ids: dict) -> None:
    from microhub.sponsors.models import Placement, PlacementStatus as P

    assert db.session.get(Placement, ids["undecided"]).status is P.EXPIRED  # sponsors.expire_placements
    paid = db.session.get(Placement, ids["paid"])
    assert paid.status is P.LIVE and paid.turned_on_at is not None  # sponsors.turn_placements_on_and_off


def _scholarship_work(hub, plan, past, now) -> dict:
    """An offer run out, answers 91 days after their decision, a term ending in ten days, a term ended."""
    from microhub.scholarships.models import ApplicationStatus as S, AwardKind, Need, ScholarshipApplication

    def application(status, **values):
        values.setdefault("user_id", UserFactory().id)
        made = ScholarshipApplication(hub_id=hub.id, need=Need.STUDENT, status=status,
                                      answers=[{"question": "Why?", "answer": "Because"}], kind=AwardKind.FULL,
                                      plan_id=plan.id, term_months=12, value_minor=0, **values)
        db.session.add(made)
        return made

    def scholar(ends):
        membership = Membership(hub_id=hub.id, user_id=UserFactory().id, status=MembershipStatus.ACTIVE,
                                scholarship=True)
        db.session.add(membership)
        db.session.flush()
        return application(S.ACTIVE, membership_id=membership.id, user_id=membership.user_id, term_ends_at=ends,
                           decided_at=now)

    made = {"offer": application(S.OFFERED, offer_expires_at=past, funded_by="organizers"),
            "old": application(S.DECLINED, decided_at=now - timedelta(days=91)),
            "ending": scholar(now + timedelta(days=10)), "ended": scholar(past)}
    hub.scholarship_seats, hub.scholarship_seats_taken = 3, 3  # the offer and the two scholars
    db.session.commit()
    return {name: row.id for name, row in made.items()}


def _scholarship_work_done(hub, ids: dict) -> None:
    from microhub.scholarships.models import ApplicationStatus as S, ScholarshipApplication

    row = {name: db.session.get(ScholarshipApplication, row_id) for name, row_id in ids.items()}
    assert row["offer"].status is S.EXPIRED  # scholarships.expire_offers
    assert row["old"].answers is None and row["old"].answers_deleted_at  # scholarships.delete_old_answers
    assert row["ending"].term_notice_sent_at is not None  # scholarships.send_term_notices
    assert row["ended"].status is S.ENDED  # scholarships.end_terms
    assert db.session.get(type(hub), hub.id).scholarship_seats_taken == 1


def _sponsor_stats_work(hub, url, now) -> dict:
    """A count waiting in Redis for a live placement, and a day that ended three days ago, not yet final."""
    from redis import Redis

    from microhub.sponsors.models import Channel, PlacementDay, SponsorWebhook
    from microhub.sponsors.rollups import put_back

    from .sponsors.counting_helpers import live_placement, sponsor_with_person

    sponsor = sponsor_with_person()[0]
    placement = live_placement(hub, sponsor)
    old = PlacementDay(placement_id=placement.id, day=now.date() - timedelta(days=3), channel=Channel.WEB, served=1,
                       unique=1, viewable=0, clicks=0, discarded={}, final=False)
    db.session.add_all([old, SponsorWebhook(sponsor_id=sponsor.id, url="https://127.0.0.1:1/x", secret="s" * 64,
                                            sent_through=now.date() - timedelta(days=9))])
    db.session.commit()
    put_back(Redis.from_url(url), [(placement.id, now.date(), Channel.WEB, {"served": 2})])
    return {"placement": placement.id, "old": old.id, "today": now.date(), "sponsor": sponsor.id}


def _sponsor_stats_work_done(ids: dict) -> None:
    from microhub.sponsors.models import PlacementDay, SponsorWebhook

    assert db.session.get(PlacementDay, ids["old"]).final  # sponsors.finalize_days
    sent_through = db.session.get(SponsorWebhook, ids["sponsor"]).sent_through  # sponsors.send_webhooks (claimed)
    assert sent_through == ids["today"] - timedelta(days=3)
    today = db.session.scalar(db.select(PlacementDay).filter_by(placement_id=ids["placement"], day=ids["today"]))
    assert today.served == 2  # sponsors.roll_up_counts
