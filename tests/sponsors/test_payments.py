"""Paying for a placement: the test checkout and the fake Stripe, income booked once, receipt, on and off once,
and an organizer's cancel refunded for the unused days, booked once in the ledger."""
from __future__ import annotations

from datetime import timedelta

import time_machine

from microhub import jobs
from microhub.billing.fees import standard_fee
from microhub.billing.local import LocalObject
from microhub.database import utcnow
from microhub.extensions import db
from microhub.ledger.models import Account, GroupKind, LedgerGroup
from microhub.sponsors import placements
from microhub.sponsors.models import Placement, PlacementStatus as P

from ..helpers import signed_in
from ..mail import mails
from ..payments.helpers import pay
from ..payments.test_event_order import deliver
from .helpers import approved, ready


def groups(hub, kind=None) -> list[LedgerGroup]:
    db.session.expire_all()
    query = db.select(LedgerGroup).filter_by(hub_id=hub.id).order_by(LedgerGroup.id)
    return list(db.session.scalars(query.filter_by(kind=kind) if kind else query))


def entries(group) -> dict:
    return {entry.account: entry.amount_minor for entry in group.entries}


def pay_in_browser(app, person, placement):
    client = signed_in(app, person)
    response = client.submit(f"/sponsor/{placement.sponsor_id}/placements/{placement.id}/pay", {},
                             form_url=f"/sponsor/{placement.sponsor_id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return client, response


def test_a_sponsor_pays_through_the_test_checkout_and_the_income_is_booked_once(app):
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    assert placement.pay_by <= placement.starts_at
    page = signed_in(app, person).get(f"/sponsor/{sponsor.id}").get_data(as_text=True)
    assert "Pay €150.00" in page and "30 days (until" in page

    client, response = pay_in_browser(app, person, placement)
    assert "/billing/test-checkout/" in response.location
    paid = pay(client, response.location)
    assert paid.status_code == 302

    db.session.refresh(placement)
    assert placement.status is P.PAID and placement.charge_ref and placement.paid_at
    [group] = groups(hub, GroupKind.PAYMENT)
    fee = standard_fee(15000, "EUR")
    assert entries(group) == {Account.SPONSOR_INCOME: -15000, Account.CASH: 15000 - fee, Account.PROCESSOR_FEES: fee}
    assert group.source_type == "checkout" and group.source_ref == placement.checkout_ref
    [receipt] = mails(person.email, subject_contains="Receipt")
    assert "€150.00" in receipt.body_text


def test_a_placement_goes_live_at_its_start_and_ends_at_its_end_exactly_once(app):
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    client, response = pay_in_browser(app, person, placement)
    pay(client, response.location)
    db.session.refresh(placement)
    with time_machine.travel(placement.starts_at + timedelta(minutes=1)):
        jobs.tick()
        jobs.tick()
        db.session.expire_all()
        on = db.session.get(Placement, placement.id)
        assert on.status is P.LIVE and on.turned_on_at is not None
        first_on = on.turned_on_at
        assert "Toolsmiths" in signed_in(app, None).get(f"/h/{hub.slug}").get_data(as_text=True)
    with time_machine.travel(placement.ends_at + timedelta(minutes=1)):
        jobs.tick()
        jobs.tick()
        db.session.expire_all()
        off = db.session.get(Placement, placement.id)
        assert off.status is P.ENDED and off.turned_on_at == first_on and off.turned_off_at is not None
        assert "Toolsmiths" not in signed_in(app, None).get(f"/h/{hub.slug}").get_data(as_text=True)
    from microhub.audit import AuditEntry
    actions = [a.action for a in db.session.scalars(db.select(AuditEntry).filter_by(subject_id=placement.id,
                                                                                    subject_type="Placement"))]
    assert actions.count("placement.live") == 1 and actions.count("placement.ended") == 1


def test_an_organizer_cancels_a_live_placement_and_the_unused_days_are_refunded_once(app):
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    client, response = pay_in_browser(app, person, placement)
    pay(client, response.location)
    db.session.refresh(placement)
    with time_machine.travel(placement.starts_at + timedelta(days=10, hours=1)):
        jobs.tick()
        manager = signed_in(app, organizer)
        url = f"/h/{hub.slug}/manage/sponsors/placements/{placement.id}/cancel"
        done = manager.submit(url, {"reason": "The hub closes"}, form_url=f"/h/{hub.slug}/manage/sponsors")
        assert done.status_code == 302
        again = manager.submit(url, {"reason": "Twice"}, form_url=f"/h/{hub.slug}/manage/sponsors")
        assert again.status_code == 400
    db.session.expire_all()
    placement = db.session.get(Placement, placement.id)
    assert placement.status is P.CANCELED and placement.refunded_minor == 15000 * 19 // 30
    [refund] = groups(hub, GroupKind.REFUND)
    assert entries(refund)[Account.REFUNDS] == 15000 * 19 // 30
    assert "refunded" in mails(person.email, subject_contains="cancelled")[0].body_text


def test_a_placement_paid_through_stripe_books_stripes_fee_and_its_refund(stripe_app, fake):
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    client, response = pay_in_browser(stripe_app, person, placement)
    db.session.refresh(placement)
    assert response.location == f"{fake.url}/pay/{placement.checkout_ref}"
    [call] = fake.calls("POST", "/v1/checkout/sessions")
    assert call.form["metadata"]["placement_id"] == str(placement.id) and call.form["mode"] == "payment"
    assert call.form["submit_type"] == "pay"
    deliver(client, fake.pay(placement.checkout_ref, fee=400))
    db.session.expire_all()
    placement = db.session.get(Placement, placement.id)
    assert placement.status is P.PAID
    [group] = groups(hub, GroupKind.PAYMENT)
    assert entries(group) == {Account.SPONSOR_INCOME: -15000, Account.CASH: 14600, Account.PROCESSOR_FEES: 400}
    start = len(fake.events)
    placements.cancel(hub, placement.id, "Closing", actor=organizer)  # before the start: everything back
    db.session.commit()
    [refund_call] = fake.calls("POST", "/v1/refunds")
    assert refund_call.form["amount"] == "15000" and refund_call.idempotency_key
    deliver(client, fake.events[start:] * 2)  # delivered twice: booked once
    [refund] = groups(hub, GroupKind.REFUND)
    assert entries(refund)[Account.REFUNDS] == 15000


def test_duplicated_and_reordered_checkout_events_pay_once_and_an_expired_checkout_changes_nothing(app, monkeypatch):
    import microhub.billing.local as local

    from ..payments import capture

    capture.CAPTURED.clear()
    monkeypatch.setattr(local, "deliver_event", capture.keep_event)
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    client, response = pay_in_browser(app, person, placement)
    db.session.refresh(placement)
    local.LocalGateway().expire_checkout(placement.checkout_ref)  # the checkout of a first visit runs out
    db.session.commit()
    [expired] = [db.session.get(local.LocalObject, ref).data for ref in capture.CAPTURED]
    deliver(client, [expired])
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status is P.APPROVED  # still waiting until pay_by
    capture.CAPTURED.clear()
    session = local.LocalGateway().session(placement.checkout_ref)
    local.LocalGateway().pay_once(placement.checkout_ref, session)  # paid after all (a late tab)
    db.session.commit()
    [completed] = [db.session.get(local.LocalObject, ref).data for ref in capture.CAPTURED]
    again = {**completed, "id": completed["id"] + "_again"}
    deliver(client, [completed, expired, again, completed])
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status is P.PAID
    assert len(groups(hub, GroupKind.PAYMENT)) == 1
    assert len(mails(person.email, subject_contains="Receipt")) == 1


def test_a_payment_after_the_placement_expired_is_refunded_in_full(app):
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    client, response = pay_in_browser(app, person, placement)
    db.session.refresh(placement)
    with time_machine.travel(placement.pay_by + timedelta(minutes=1)):
        jobs.tick()
        db.session.expire_all()
        assert db.session.get(Placement, placement.id).status is P.EXPIRED
        import microhub.billing.local as local

        gateway = local.LocalGateway()  # a tab left open pays anyway
        gateway.pay_once(placement.checkout_ref, gateway._get(placement.checkout_ref, "checkout.session").data)
        db.session.commit()
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status is P.EXPIRED
    [payment] = groups(hub, GroupKind.PAYMENT)
    [refund] = groups(hub, GroupKind.REFUND)
    assert entries(refund)[Account.REFUNDS] == 15000


def test_the_test_gateway_refunds_a_charge_once_per_key_and_never_more_than_was_paid(app):
    import pytest

    from microhub.billing.gateway import GatewayError
    from microhub.billing.provider import gateway

    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    client, response = pay_in_browser(app, person, placement)
    pay(client, response.location)
    db.session.refresh(placement)
    for _ in range(2):
        gateway().refund_charge(placement.charge_ref, 5000, reason="Part", idempotency_key="part-1")
        db.session.commit()
    gateway().refund_charge(placement.charge_ref, 2500, reason="More", idempotency_key="part-2")
    db.session.commit()
    with pytest.raises(GatewayError, match="more than what is left"):
        gateway().refund_charge(placement.charge_ref, 10000, reason="Too much", idempotency_key="part-3")
    db.session.rollback()
    refunds = groups(hub, GroupKind.REFUND)
    assert sum(entries(group)[Account.REFUNDS] for group in refunds) == 7500


def test_a_paid_placement_has_a_receipt_only_its_sponsors_people_can_open(app):
    from .helpers import make_sponsor

    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    url = f"/sponsor/{sponsor.id}/placements/{placement.id}/receipt"
    assert signed_in(app, person).get(url).status_code == 404  # not paid yet
    client, response = pay_in_browser(app, person, placement)
    pay(client, response.location)
    page = client.get(url)
    assert page.status_code == 200 and "€150.00" in page.get_data(as_text=True)
    assert f"MH-SP-{placement.id}" in page.get_data(as_text=True)
    assert "Receipt" in client.get(f"/sponsor/{sponsor.id}").get_data(as_text=True)
    _, stranger = make_sponsor("Other Co")
    for who in (stranger, organizer):
        assert signed_in(app, who).get(url).status_code == 404


def test_a_placement_payment_and_its_refund_reconcile_with_the_processor(app):
    from microhub.ledger.reconcile import reconcile
    from microhub.ledger.tasks import recent_months

    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    client, response = pay_in_browser(app, person, placement)
    pay(client, response.location)
    manager = signed_in(app, organizer)
    manager.submit(f"/h/{hub.slug}/manage/sponsors/placements/{placement.id}/cancel", {"reason": "Plans changed"},
                   form_url=f"/h/{hub.slug}/manage/sponsors")
    [refund] = groups(hub, GroupKind.REFUND)
    assert entries(refund)[Account.REFUNDS] == 15000  # cancelled before it began: all of it
    outcome = reconcile(hub, recent_months(hub)[1])
    assert outcome.differences == 0, outcome.details
    charge = db.session.get(LocalObject, placement.charge_ref)  # the processor saw the same charge and refund:
    charge.data = {**charge.data, "amount_refunded": 14999}  # a cent changed there is a difference here
    db.session.commit()
    assert reconcile(hub, recent_months(hub)[1]).differences == 1
