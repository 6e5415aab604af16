"""A plan's share for scholarships: organizers set it (0 up to the price, a message otherwise, nothing changed),
members see it with the plan, and each paid invoice sends it to the fund exactly once."""
from __future__ import annotations

import pytest

from microhub.billing.models import Plan, PaymentEvent
from microhub.extensions import db
from microhub.ledger import chain
from microhub.ledger.models import Account, GroupKind, LedgerEntry, LedgerGroup
from microhub.memberships.income import share_for

from ..factories import PlanFactory, UserFactory, organizer_of
from ..payments.helpers import hub_with_plan, membership_of, post_event
from ..payments.test_lifecycle import advance, paid_member

EDIT = {"name": "Member", "includes": "Everything", "active": "y"}


def share_of(plan: Plan) -> int:
    db.session.expire_all()
    return db.session.get(Plan, plan.id).scholarship_share_minor


def fund_entries(hub) -> list[int]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(LedgerEntry.amount_minor).where(
        LedgerEntry.hub_id == hub.id, LedgerEntry.account == Account.SCHOLARSHIP_SHARES).order_by(LedgerEntry.id)))


@pytest.fixture
def organizer_client(client):
    hub, plan = hub_with_plan(slug="owls")  # 9.00 EUR a month
    _, organizer = organizer_of(hub=hub)
    client.login(organizer.email)
    return client, hub, plan


def test_an_organizer_sets_the_share_and_the_plan_list_says_so(organizer_client):
    client, hub, plan = organizer_client
    response = client.submit(f"/h/owls/manage/plans/{plan.id}", {**EDIT, "scholarship_share": "2.00"})
    assert response.status_code == 302
    assert share_of(plan) == 200
    assert "€2.00 of each payment funds scholarships" in client.get("/h/owls/manage/plans").get_data(as_text=True)
    form = client.get(f"/h/owls/manage/plans/{plan.id}").get_data(as_text=True)
    assert 'value="2.00"' in form and "Send to the scholarship fund per payment" in form


def test_a_new_plan_can_send_a_share_and_without_one_sends_nothing(organizer_client):
    client, hub, _ = organizer_client
    new = {"name": "Supporter", "includes": "Funds a seat", "price": "20.00", "interval": "month"}
    assert client.submit("/h/owls/manage/plans", {**new, "scholarship_share": "5"}).status_code == 302
    assert client.submit("/h/owls/manage/plans", {**new, "name": "Plain", "scholarship_share": ""}).status_code == 302
    shares = dict(db.session.execute(db.select(Plan.name, Plan.scholarship_share_minor).filter_by(hub_id=hub.id)).all())
    assert shares == {"Member": 0, "Supporter": 500, "Plain": 0}


@pytest.mark.parametrize("bad, message", [
    ("-1", "zero or more"), ("9.01", "at most its price (€9.00)"), ("abc", "Write an amount"),
    ("1.234", "2 decimal places"), ("1e400", "The most MicroHub takes"), ("NaN", "zero or more"),
    ("2\x00", "control characters"), ("9" * 30, "Field cannot be longer"),
])
def test_a_bad_share_gets_a_message_and_changes_nothing(organizer_client, bad, message):
    client, hub, plan = organizer_client
    plan.scholarship_share_minor = 100
    db.session.commit()
    response = client.submit(f"/h/owls/manage/plans/{plan.id}", {**EDIT, "name": "Renamed", "scholarship_share": bad})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    assert (plan.name, plan.scholarship_share_minor) == ("Member", 100)
    added = client.submit("/h/owls/manage/plans", {"name": "Gold", "includes": "", "price": "9.00",
                                                    "interval": "month", "scholarship_share": bad})
    assert added.status_code == 400 and message in added.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Plan.id)).filter_by(hub_id=hub.id)) == 1


def test_the_share_form_needs_its_csrf_token(organizer_client):
    client, _, plan = organizer_client
    response = client.post(f"/h/owls/manage/plans/{plan.id}", data={**EDIT, "scholarship_share": "3.00"})
    assert response.status_code == 400 and share_of(plan) == 0


def test_an_edit_without_the_share_field_keeps_the_share(organizer_client):
    client, _, plan = organizer_client
    plan.scholarship_share_minor = 150
    db.session.commit()
    assert client.submit(f"/h/owls/manage/plans/{plan.id}", {**EDIT, "name": "Member+"}).status_code == 302
    assert share_of(plan) == 150


def test_the_public_plan_choice_says_what_funds_scholarships(client):
    hub, plan = hub_with_plan(slug="owls")
    PlanFactory(hub=hub, name="Supporter", price_minor=2000, scholarship_share_minor=500)
    client.login(UserFactory().email)
    page = client.get("/h/owls/join").get_data(as_text=True)
    assert page.count("of each payment funds scholarships") == 1 and "€5.00 of each payment" in page


def test_a_paid_invoice_sends_the_plans_share_to_the_fund_once_and_each_renewal_again(client):
    hub, plan = hub_with_plan()
    plan.scholarship_share_minor = 200
    db.session.commit()
    _, organizer = organizer_of(hub=hub)
    user = paid_member(client, hub, plan)
    assert fund_entries(hub) == [-200]
    stored = db.session.scalar(db.select(PaymentEvent).filter_by(type="invoice.paid"))
    assert post_event(client, {**stored.payload, "id": "evt_again_" + stored.stripe_id}).status_code == 200
    assert fund_entries(hub) == [-200]  # the same invoice delivered twice
    advance(client, organizer, hub, membership_of(user, hub))
    assert fund_entries(hub) == [-200, -200]
    groups = db.session.scalars(db.select(LedgerGroup).filter_by(hub_id=hub.id)).all()
    assert all(g.kind is GroupKind.PAYMENT for g in groups) and chain.verify(hub.id).ok
    totals = dict(db.session.execute(db.select(LedgerEntry.account, db.func.sum(LedgerEntry.amount_minor))
                                     .where(LedgerEntry.hub_id == hub.id).group_by(LedgerEntry.account)).all())
    assert totals[Account.MEMBERSHIP_INCOME] == -1400 and totals[Account.SCHOLARSHIP_SHARES] == -400


def test_a_plan_without_a_share_sends_nothing_to_the_fund(client):
    hub, plan = hub_with_plan()
    paid_member(client, hub, plan)
    assert fund_entries(hub) == []


def test_the_share_is_the_plans_in_the_hubs_currency_and_never_more_than_the_gross(app):
    hub, plan = hub_with_plan()
    plan.scholarship_share_minor = 300
    other_hub, _ = hub_with_plan()
    assert share_for(plan, hub, gross=900, currency="EUR") == 300
    assert share_for(plan, hub, gross=200, currency="EUR") == 200  # a discounted invoice sends what it can
    assert share_for(plan, hub, gross=900, currency="USD") == 0
    assert share_for(None, hub, gross=900, currency="EUR") == 0
    assert share_for(plan, other_hub, gross=900, currency="EUR") == 0
