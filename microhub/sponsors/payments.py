"""Paying for an approved placement: its one-time checkout, and what the checkout's payment events do.

The money is written once, from the processor's own figures (`gateway().checkout_payment`): the placement moves
to paid by one conditional UPDATE and the ledger writes each checkout once (its source is unique), whatever
order and however often the events arrive. Sessions of donations and subscriptions are left to their domains.
"""
from __future__ import annotations

from datetime import timedelta

from .. import audit
from ..billing.provider import gateway
from ..database import parse_id, update_where, utcnow
from ..errors import Conflict, NotOurs
from ..extensions import db
from ..hubs.models import Hub
from ..ledger.models import Account
from ..ledger.services import record_payment
from ..urls import external_url
from .models import Placement, PlacementStatus as P
from .notices import tell_sponsor

STRIPE = "stripe"


def open_checkout(placement: Placement, *, user) -> str:
    """Create the placement's one-time checkout and return where to send the payer. Commits: the provider is
    called after the approval is stored, and the checkout's id is kept for the payer's next visit."""
    if placement.status is not P.APPROVED or placement.pay_by is None or placement.pay_by <= utcnow():
        raise Conflict("This placement is not waiting for a payment.")
    hub = db.session.get(Hub, placement.hub_id)
    # One checkout per placement, payer and hour: a double click finds the same one; it lasts 23 hours from that hour.
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    checkout = gateway().create_payment_checkout(
        hub=hub, amount_minor=placement.price_minor, currency=placement.currency,
        description=f"Sponsor placement in {hub.name}, {placement.starts_at:%d %b %Y}", email=user.email,
        metadata={"placement_id": placement.id, "hub_id": hub.id},
        success_url=external_url("sponsors.home", sponsor_id=placement.sponsor_id, paid=placement.id),
        cancel_url=external_url("sponsors.home", sponsor_id=placement.sponsor_id),
        expires_at=hour + timedelta(hours=23), submit_type="pay",
        idempotency_key=f"placement-{placement.id}-checkout-{user.id}-{hour:%Y%m%d%H}")
    update_where(Placement, placement.id, checkout_ref=checkout.ref)
    db.session.commit()
    return checkout.url


def _placement_of(session: dict) -> Placement | None:
    """The placement a payment-mode session was made for, locked; None for a session that is not a placement's."""
    if session.get("mode") != "payment":
        return None
    metadata = session.get("metadata") or {}
    if metadata.get("placement_id") is None:
        return None  # another domain's, or nobody's (billing.processing.CLAIMED says NotOurs for that)
    placement = db.session.get(Placement, parse_id(metadata.get("placement_id")) or 0, with_for_update=True,
                               populate_existing=True)
    if placement is None or str(metadata.get("hub_id", placement.hub_id)) != str(placement.hub_id):
        raise NotOurs(f"checkout {session.get('id')} names placement {metadata.get('placement_id')}, not ours")
    return placement


#: What sponsors answer for a checkout that is not a placement's (billing.processing.CLAIMED).
NOT_A_PLACEMENT = "it carries no placement_id of ours in its metadata"


def on_checkout_completed(session: dict, *, event) -> bool | str:
    """A receiver of `signals.checkout_completed`: a paid placement is sponsor income, booked once; a payment
    for a placement that is no longer waiting for it (expired, cancelled, paid by another checkout) is refunded.
    True when the checkout was a placement's (see billing.processing.CLAIMED)."""
    placement = _placement_of(session)
    if placement is None:
        return NOT_A_PLACEMENT
    paid = gateway().checkout_payment(session["id"])  # re-read: the event body is only news
    if paid is None:
        return True
    hub = db.session.get(Hub, placement.hub_id)
    record_payment(hub, source=("checkout", session["id"]), income=Account.SPONSOR_INCOME, gross=paid.gross,
                   fee=paid.fee, currency=paid.currency, occurred_at=paid.paid_at, charge_ref=paid.charge_ref,
                   details={"placement": placement.id, "sponsor": placement.sponsor_id,
                            "fee_estimated": paid.fee_estimated, **paid.notes},
                   memo="Sponsor placement")
    fits = paid.gross == placement.price_minor and paid.currency == placement.currency
    if fits and update_where(Placement, placement.id, Placement.status == P.APPROVED, status=P.PAID,
                             paid_at=paid.paid_at, charge_ref=paid.charge_ref, checkout_ref=session["id"]):
        audit.record("placement.paid", placement, actor_label=STRIPE, amount_minor=paid.gross,
                     currency=paid.currency, charge=paid.charge_ref)
        tell_sponsor(placement.sponsor_id, f"Receipt: your placement in {hub.name}", "sponsor_receipt",
                     hub=hub, placement=placement, paid=paid)
    elif placement.charge_ref != paid.charge_ref and paid.charge_ref:
        gateway().refund_charge(paid.charge_ref, paid.gross, reason=f"Placement {placement.id} was not waiting "
                                "for this payment", idempotency_key=f"placement-{placement.id}-late-{session['id']}")
        audit.record("placement.late_payment_refunded", placement, actor_label=STRIPE, amount_minor=paid.gross,
                     currency=paid.currency, charge=paid.charge_ref)
    return True


def on_checkout_expired(session: dict, *, event) -> bool | str:
    """A receiver of `signals.checkout_expired`: nothing changes; an approved placement waits until `pay_by`
    (the sponsor may open a new checkout), then the scheduler expires it."""
    return True if _placement_of(session) is not None else NOT_A_PLACEMENT
