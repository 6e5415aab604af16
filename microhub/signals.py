"""News that travels upward between domains: a lower layer sends it, a higher one listens (blinker).

A domain never imports one above it. When something it does matters to a higher domain, it sends one of
these signals; who listens to what is listed in one place, `microhub.wiring.RECEIVERS`, and connected
by `create_app`. Receivers run synchronously, inside the sender's transaction: an exception they raise
reaches the sender (so a receiver can refuse a change, or make a payment event retry).
"""
from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# -- access ---------------------------------------------------------------------------------------------
roles_asked = _signals.signal("roles-asked")
"""Which roles beyond staff grants does a person hold in a hub? sender: the Hub, or None when `hub_for` asks
before it has loaded the hub (it loads hub and roles in one statement); `user_id`.
Each receiver returns a mapping of `Role` → SQL condition (checked in that one statement, over `Hub.id` and
`hubs.access.USER_ID`) or, when it needs the Hub, an iterable of `Role` (the asker then sends again
with the Hub). The memberships domain answers MEMBER: a live membership exists."""

# -- hubs -----------------------------------------------------------------------------------------------
hub_changing = _signals.signal("hub-changing")
"""A hub's settings are about to change. sender: the Hub (still as it was); `changes`: {field: new value}
for each field that differs. A receiver refuses the change by raising a DomainError."""

seats_freed = _signals.signal("seats-freed")
"""Seats in a hub may have come free (its cap changed). sender: the hub's id. Whoever keeps its waiting
line offers them."""

# -- billing: a stored payment event being applied (the event job; raise NotOurs to have it ignored) ------
checkout_completed = _signals.signal("checkout-completed")
"""A checkout was paid. sender: the checkout session (a Stripe-shaped dict); `event`: the PaymentEvent."""

checkout_expired = _signals.signal("checkout-expired")
"""A checkout ended unpaid. sender: the checkout session (dict); `event`: the PaymentEvent."""

subscription_changed = _signals.signal("subscription-changed")
"""Something about a subscription changed (created, updated, deleted, an invoice paid or failed).
sender: the subscription's id (sub_…); `event`: the PaymentEvent. Receivers re-read it from the gateway."""

payment_received = _signals.signal("payment-received")
"""An invoice was paid. sender: the invoice (dict); `event`: the PaymentEvent."""

payment_failed = _signals.signal("payment-failed")
"""An invoice's payment failed. sender: the invoice (dict); `event`: the PaymentEvent."""

refund_issued = _signals.signal("refund-issued")
"""A charge was refunded, in part or in full. sender: the charge (dict, `amount_refunded` is cumulative);
`event`: the PaymentEvent."""

dispute_funds_moved = _signals.signal("dispute-funds-moved")
"""A disputed payment's funds were withdrawn (with the dispute fee) or reinstated. sender: the dispute (dict,
with its `balance_transactions`); `event`: the PaymentEvent."""

# -- memberships ----------------------------------------------------------------------------------------
membership_changed = _signals.signal("membership-changed")
"""A membership moved from one status to another. sender: the Membership; `before`, `after`: statuses.
Its seat has been given back already when a live membership ended."""

leaving_consequences = _signals.signal("leaving-consequences")
"""What would leaving a hub end for this person, beyond the seat and billing? sender: the Membership;
`ends`: when the seat goes (None for at once). Each receiver returns a list of HTML list items (Markup)."""

# -- cohorts --------------------------------------------------------------------------------------------
enrollment_changed = _signals.signal("enrollment-changed")
"""Someone's place in a cohort changed. sender: the Enrollment; `before`, `after`: statuses (before is
None for a first enrollment)."""

# -- sponsors -------------------------------------------------------------------------------------------
sponsor_blocks_asked = _signals.signal("sponsor-blocks-asked")
"""Which sponsors help here? sender: the Hub; `where`: "cohort_pages" or "welcome_email"; `user`: who will see it
(None for a visitor). Each receiver returns one rendered block (Markup for a page, text for an e-mail) or ""."""
