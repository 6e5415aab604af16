"""Donations to a hub's scholarship fund: a pending gift, its one-time checkout, and what its payment events do.

The money is written once, from the processor's own figures (`gateway().checkout_payment`), whatever order and
however often the events arrive: the donation's status moves by conditional UPDATEs, and the ledger writes each
checkout once (its source is unique).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from .. import audit
from ..accounts.models import User
from ..billing.gateway import GatewayError
from ..billing.provider import gateway
from ..database import parse_id, update_where
from ..email import send_email
from ..errors import NotOurs, ValidationFailed
from ..extensions import db
from ..forms import flattened
from ..hubs.models import Hub
from ..ledger.models import Account, GroupKind
from ..ledger.services import record_payment
from ..money import CURRENCIES, SYMBOLS, format_money
from ..urls import external_url
from .models import Donation, DonationStatus as S

#: The smallest and largest gift taken online, in whole units of the hub's currency.
MIN_UNITS, MAX_UNITS = 1, 10_000
#: How long a donation's checkout stays open (Stripe takes 30 minutes to 24 hours).
CHECKOUT_MINUTES = 60
STRIPE = "stripe"
_AMOUNT = re.compile(r"[0-9]+(?:[.,][0-9]+)?")  # ASCII digits only: Decimal reads ١٢ too


class DonationMismatch(ValueError):
    """A paid checkout does not match its donation (currency): never booked; the event fails for an operator."""


@dataclass(frozen=True)
class DonationInfo:
    """What the donor wrote: `amount` as typed, and a name that is shown only when `show_name` is ticked."""

    amount: str
    email: str
    show_name: bool = False
    public_name: str | None = None


def limits(currency: str) -> tuple[int, int]:
    """The smallest and largest gift in minor units of `currency`."""
    unit = 10 ** CURRENCIES[currency]
    return MIN_UNITS * unit, MAX_UNITS * unit


def parse_amount(text: str | None, currency: str) -> int:
    """'25' or '25.50' (or '25,50') in whole units of `currency` → minor units, within the donation limits."""
    digits = CURRENCIES[currency]
    low, high = limits(currency)
    bounds = f"Give between {format_money(low, currency)} and {format_money(high, currency)}."
    raw = (text or "").strip().removeprefix(SYMBOLS.get(currency, currency)).strip()
    if raw.startswith("-"):
        raise ValidationFailed(bounds, field="amount")
    if not _AMOUNT.fullmatch(raw) or len(raw) > 20:
        raise ValidationFailed(f"Write the amount as a number, such as 25 or 25.50. {bounds}", field="amount")
    if re.search(r"[.,][0-9]{3}", raw):  # 10,000 or 10.000: a thousands separator, or three decimals? Never guess.
        raise ValidationFailed("Write the amount without a thousands separator, such as 10000 or 25.50.",
                               field="amount")
    minor = Decimal(raw.replace(",", ".")).scaleb(digits)
    if minor != minor.to_integral_value():
        raise ValidationFailed(f"{currency} has {digits} decimal places at most.", field="amount")
    if not low <= minor <= high:
        raise ValidationFailed(bounds, field="amount")
    return int(minor)


def start(hub: Hub, info: DonationInfo, *, user: User | None = None) -> Donation:
    """A pending donation in the hub's currency; the donor is named only if they ticked the box. Flushes."""
    amount = parse_amount(info.amount, hub.currency)
    email = (info.email or "").strip()
    if not email or len(email) > 254 or "@" not in email:
        raise ValidationFailed("Write the e-mail address your receipt should go to.", field="email")
    name = flattened(info.public_name) if info.show_name else ""
    if info.show_name and not name:
        raise ValidationFailed("Write the name to show, or untick the box to give anonymously.", field="public_name")
    if len(name) > 80:
        raise ValidationFailed("Use at most 80 characters for the name.", field="public_name")
    donation = Donation(hub_id=hub.id, user_id=user.id if user is not None else None, amount_minor=amount,
                        currency=hub.currency, public_name=name or None, email=email)
    db.session.add(donation)
    db.session.flush()
    return donation


def open_checkout(hub: Hub, donation: Donation) -> str:
    """Create the donation's one-time checkout and return where to send the donor.

    It commits: the payment provider is called after the pending donation is stored. When the provider fails,
    the donation is marked expired (committed) and GatewayError raised.
    """
    try:
        checkout = gateway().create_payment_checkout(
            hub=hub, amount_minor=donation.amount_minor, currency=donation.currency,
            description=f"Donation to the scholarship fund of {hub.name}", email=donation.email,
            metadata={"donation_id": donation.id, "hub_id": hub.id},
            success_url=external_url("donations.donated", slug=hub.slug, donation_id=donation.id),
            cancel_url=external_url("donations.donate", slug=hub.slug, cancelled=donation.id),
            # From the row, not the clock: a retried call sends the same parameters with its key.
            expires_at=donation.created_at + timedelta(minutes=CHECKOUT_MINUTES),
            idempotency_key=f"donation-{donation.id}-checkout")
    except GatewayError:
        db.session.rollback()
        update_where(Donation, donation.id, Donation.status == S.PENDING, status=S.EXPIRED)
        db.session.commit()
        raise
    update_where(Donation, donation.id, Donation.checkout_ref.is_(None), checkout_ref=checkout.ref)
    db.session.commit()
    return checkout.url


def _donation_of(session: dict) -> Donation | None:
    """The donation a payment-mode session was made for, locked; None for a checkout that is not a donation's
    (another domain's, or another product's: see billing.processing.CLAIMED), NotOurs for a stranger's id."""
    metadata = session.get("metadata") or {}
    donation_id = parse_id(metadata.get("donation_id"))
    if session.get("mode") != "payment" or donation_id is None:
        return None
    donation = db.session.get(Donation, donation_id, with_for_update=True, populate_existing=True)
    if donation is None or donation.checkout_ref != session.get("id") \
            or str(metadata.get("hub_id", donation.hub_id)) != str(donation.hub_id):
        raise NotOurs(f"checkout {session.get('id')} names donation {donation_id}, which is not this one's")
    return donation


#: What donations answer for a checkout that is not a donation's (billing.processing.CLAIMED).
NOT_A_DONATION = "it carries no donation_id of ours in its metadata"


def on_checkout_completed(session: dict, *, event) -> bool | str:
    """A receiver of `signals.checkout_completed`: a paid donation goes into the fund, once. True when the checkout
    was a donation's (see billing.processing.CLAIMED)."""
    donation = _donation_of(session)
    if donation is None:
        return NOT_A_DONATION
    paid = gateway().checkout_payment(donation.checkout_ref)  # re-read: the event body is only news
    if paid is None:
        return True  # not paid (a delayed payment method still on its way): nothing to book yet
    hub = donation.hub
    if not donation.currency == hub.currency == paid.currency:  # a donation is made in the hub's currency
        raise DonationMismatch(f"donation {donation.id} is in {donation.currency}, its hub in {hub.currency}, "
                               f"its payment in {paid.currency}")
    first = update_where(Donation, donation.id, Donation.status != S.PAID, status=S.PAID, paid_at=paid.paid_at,
                         charge_ref=paid.charge_ref)  # a late payment of an expired checkout is a gift all the same
    facts = {"donation": donation.id, "balance_transaction": paid.balance_transaction_ref,
             "fee_estimated": paid.fee_estimated, **paid.notes}
    if donation.public_name:  # named only by the donor's own choice
        facts["donor"] = donation.public_name
    record_payment(hub, source=("checkout", donation.checkout_ref), income=Account.SCHOLARSHIP_FUND,
                   kind=GroupKind.DONATION, gross=paid.gross, fee=paid.fee, currency=paid.currency,
                   occurred_at=paid.paid_at, charge_ref=paid.charge_ref, details=facts,
                   memo="Donation to the scholarship fund")
    if first:
        audit.record("donation.paid", donation, actor_label=STRIPE, amount_minor=paid.gross, currency=paid.currency,
                     charge=paid.charge_ref)
        send_email(donation.email, f"Thank you for your donation to {hub.name}", "donation_receipt",
                   donation=donation, hub=hub, paid=paid,
                   link=external_url("hubpage.show", slug=hub.slug))
    return True


def on_checkout_expired(session: dict, *, event) -> bool | str:
    """A receiver of `signals.checkout_expired`: an unpaid donation's checkout ended. A paid one stays paid."""
    donation = _donation_of(session)
    if donation is None:
        return NOT_A_DONATION
    if update_where(Donation, donation.id, Donation.status == S.PENDING, status=S.EXPIRED):
        audit.record("donation.expired", donation, actor_label=STRIPE)
    return True
