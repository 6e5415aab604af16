"""How the domains fit together: their blueprints, what the scheduler tick runs, and who hears which signal.

Nothing is registered by being imported. A new domain adds its blueprints, its periodic tasks and its
receivers here, and its package to the layers contract in pyproject.toml (see DEVELOPERS.md).
"""
from __future__ import annotations

from . import email, signals
from .accounts.views import bp as accounts
from .billing import processing, services as billing, tasks as billing_tasks
from .billing.local_views import bp as local_checkout
from .billing.views import bp as plans
from .billing.webhooks import bp as webhooks
from .cohorts import enrollment
from .cohorts import tasks as cohorts_tasks
from .cohorts.calendar_views import bp as calendars
from .cohorts.checkin_views import bp as checkins
from .cohorts.manage_views import bp as cohort_admin
from .cohorts.views import bp as cohorts
from .healthz import bp as healthz
from .hubpage import home
from .hubpage.api import bp as hubs_api
from .hubpage.views import bp as hubpage
from .hubs import person
from .hubs.ritual_views import bp as rituals
from .hubs.views import bp as hubs
from .ledger import processor_events
from .ledger import tasks as ledger_tasks
from .ledger.views import bp as money
from .memberships import income, payments, queries, seats
from .memberships import tasks as memberships_tasks
from .memberships.views import bp as memberships
from .memberships.waitlist_views import bp as waitlist
from .scholarships import awards as scholarship_awards, donations, tasks as scholarships_tasks
from .scholarships.donation_views import bp as donations_views
from .scholarships.manage_views import bp as scholarship_admin
from .scholarships.views import bp as scholarships
from .sponsors import display as sponsor_display, payments as sponsor_payments, stats_tasks as sponsor_stats_tasks
from .sponsors import tasks as sponsors_tasks
from .sponsors.api import bp as sponsor_api
from .sponsors.count_views import bp as sponsor_counting
from .sponsors.manage_views import bp as sponsor_admin
from .sponsors.portal_views import bp as sponsor_portal
from .sponsors.views import bp as sponsors
from .transparency import tasks as transparency_tasks
from .transparency.api import bp as transparency_api
from .transparency.manage_views import bp as transparency_admin
from .transparency.views import bp as transparency

#: The front page keeps the endpoint every link names, `hubs.index`, but is drawn by the home in `hubpage`, the layer
#: that may read memberships, cohorts and money (the `hubs` layer sits below them).
hubs.add_url_rule("/", endpoint="index", view_func=home.index)

BLUEPRINTS = (accounts, hubs, hubpage, hubs_api, healthz, plans, memberships, waitlist, webhooks, local_checkout,
              cohorts, cohort_admin, checkins, calendars, money, transparency, transparency_admin, transparency_api,
              scholarships, scholarship_admin, donations_views, sponsors, sponsor_admin, sponsor_counting,
              sponsor_portal, sponsor_api, rituals)

#: Flask-Login's user loader: the person of a cookie's open login (`accounts.logins`), read on a hub page marked
#: `hubs.person.asks` with the hub, their roles and the page's checks in the same statement.
USER_LOADER = person.load_person

#: Everything the every-minute tick runs, in this order (`jobs.tick`). Each task finds due work in the database
#: and deals with it idempotently; payments first, since people wait on them, and the outbox sweep last.
PERIODIC_TASKS = (
    billing_tasks.sweep_events,
    memberships_tasks.expire_holds,
    memberships_tasks.expire_offers,
    memberships_tasks.enqueue_grace_reminders,
    memberships_tasks.end_lapsed_grace,
    scholarships_tasks.expire_offers,
    scholarships_tasks.send_term_notices,
    scholarships_tasks.end_terms,
    scholarships_tasks.delete_old_answers,
    sponsors_tasks.expire_placements,
    sponsors_tasks.turn_placements_on_and_off,
    ledger_tasks.reconcile_recent,
    cohorts_tasks.enqueue_due_cohort_work,
    transparency_tasks.remind_unpublished_months,
    sponsor_stats_tasks.roll_up_counts,
    sponsor_stats_tasks.finalize_days,
    sponsor_stats_tasks.send_webhooks,
    email.sweep_outbox,
)

#: Who hears which signal (see `microhub.signals` for what each one carries). Receivers run in the sender's
#: transaction; blinker keeps no order between the receivers of one signal, so none may rely on another's work.
RECEIVERS = (
    (signals.roles_asked, queries.member_role),
    (signals.hub_changing, billing.refuse_currency_change),
    (signals.seats_freed, seats.offer_freed_seats),
    (signals.checkout_completed, payments.on_checkout_completed),
    (signals.checkout_expired, payments.on_checkout_expired),
    (signals.checkout_completed, donations.on_checkout_completed),
    (signals.checkout_expired, donations.on_checkout_expired),
    (signals.checkout_completed, sponsor_payments.on_checkout_completed),
    (signals.checkout_expired, sponsor_payments.on_checkout_expired),
    (signals.subscription_changed, payments.on_subscription_changed),
    (signals.payment_received, income.on_payment_received),
    (signals.refund_issued, processing.record_refund),
    (signals.refund_issued, processor_events.on_refund_issued),
    (signals.dispute_funds_moved, processor_events.on_dispute_funds),
    (signals.membership_changed, enrollment.membership_changed),
    (signals.membership_changed, scholarship_awards.membership_changed),
    (signals.leaving_consequences, enrollment.what_leaving_ends),
    (signals.sponsor_blocks_asked, sponsor_display.blocks),
)


def connect_receivers() -> None:
    """Connect every receiver in RECEIVERS (connecting one twice is a no-op)."""
    for signal, receiver in RECEIVERS:
        signal.connect(receiver)
