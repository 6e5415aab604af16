"""Switching plans within a hub: the price difference before confirming, the provider's update with prorations
invoiced at once, the plan changed by the webhook path (never by the request), and every bad switch refused."""
from __future__ import annotations

from microhub.audit import AuditEntry
from microhub.billing.local import LocalObject
from microhub.extensions import db
from microhub.memberships.lifecycle import transition
from microhub.memberships.models import MembershipStatus

from ..factories import PlanFactory, UserFactory
from ..helpers import signed_in
from ..mail import mails
from ..payments.helpers import hub_with_plan, membership_of
from .billing_helpers import Local, confirm_page, hub_with_plans, paying, switch  # noqa: F401  (fixture)


def test_a_plan_switch_shows_the_difference_then_the_webhook_path_changes_the_plan(paying):
    hub, member, patron = hub_with_plans(currency="EUR", name="Night Owls")
    user, client = paying.join(hub, member)
    membership = membership_of(user, hub)
    billing = client.get("/account/billing").get_data(as_text=True)
    assert f"/account/billing/{membership.id}/switch" in billing
    choose = client.get(f"/account/billing/{membership.id}/switch").get_data(as_text=True)
    assert "Patron" in choose and "€15.00 / month" in choose

    done, confirm, at = switch(client, membership, patron)
    assert "€6.00" in confirm and "more per month" in confirm and "Charged now" in confirm
    assert done.status_code == 302 and done.location.endswith("/account/billing")
    if paying.name == "stripe":
        db.session.refresh(membership)
        assert membership.plan_id == member.id  # the request only asked Stripe; the events decide
        preview = paying.fake.calls("POST", "/v1/invoices/create_preview")[0]  # the page the member read
        [update] = [c for c in paying.fake.calls("POST", f"/v1/subscriptions/{membership.subscription_ref}")
                    if "items" in c.form]
        sub = paying.fake.objects[membership.subscription_ref]
        assert update.form["items"] == [{"id": sub["items"]["data"][0]["id"], "price": patron.stripe_price_id}]
        assert update.form["proration_behavior"] == "always_invoice" == \
            preview.form["subscription_details"]["proration_behavior"]
        assert update.form["proration_date"] == str(at) == preview.form["subscription_details"]["proration_date"]
        assert update.idempotency_key
        paying.deliver_new(client)
    db.session.refresh(membership)
    assert membership.plan_id == patron.id and membership.status is MembershipStatus.ACTIVE
    changed = db.session.scalar(db.select(AuditEntry).filter_by(action="membership.plan_changed",
                                                                subject_id=membership.id))
    assert changed.actor == "stripe" and changed.details["plan"] == patron.id  # the event path changed it
    [invoice_paid] = [e for e in paying.events("invoice.paid")
                      if e["data"]["object"]["billing_reason"] == "subscription_update"]
    charged = invoice_paid["data"]["object"]["amount_paid"]
    assert 0 < charged <= 600 and f"€{charged / 100:.2f}" in confirm  # charged what the member confirmed
    receipt = mails(user.email, subject_contains="Receipt")[-1]
    assert "Plan change · Patron plan" in receipt.body_text and f"€{charged / 100:.2f}" in receipt.body_text
    page = client.get("/account/billing").get_data(as_text=True)
    assert "Patron" in page and "€15.00 / month" in page and "Plan change" in page

    paying.renew(membership)  # the next period bills the new plan in full
    assert "€15.00" in mails(user.email, subject_contains="Receipt")[-1].body_text


def test_a_downgrade_credits_the_difference(app):
    hub, member, patron = hub_with_plans()
    user, client = Local(app).join(hub, patron)
    membership = membership_of(user, hub)
    done, confirm, _ = switch(client, membership, member)
    assert done.status_code == 302 and "Credited now" in confirm and "less per month" in confirm
    db.session.refresh(membership)
    assert membership.plan_id == member.id
    assert len(mails(user.email, subject_contains="Receipt")) == 1  # a credit moves no money: no receipt


def _no_switch_happened(membership, plan_id):
    db.session.refresh(membership)
    assert membership.plan_id == plan_id
    subscription = db.session.get(LocalObject, membership.subscription_ref).data
    assert subscription["price"] == f"price_local_{plan_id}"


def test_bad_switches_are_refused_with_a_clear_message_and_nothing_changes(app):
    hub, member, patron = hub_with_plans()
    closed = PlanFactory(hub=hub, name="Old", price_minor=1200, active=False)
    other_hub, other_plan = hub_with_plan()
    user, client = Local(app).join(hub, member)
    membership = membership_of(user, hub)
    url = f"/account/billing/{membership.id}/switch"
    for plan_id, message in ((member.id, "You are on the Member plan already."),
                             (other_plan.id, f"Choose one of {hub.name}&#39;s plans."),
                             (closed.id, "The Old plan is closed to new members."),
                             ("nonsense", f"Choose one of {hub.name}&#39;s plans.")):
        response = client.get(f"{url}?plan={plan_id}", follow_redirects=True)
        assert message in response.get_data(as_text=True), plan_id
        posted = client.submit(url, {"plan": str(plan_id), "at": "1"}, form_url="/account/billing")
        assert posted.status_code == 302
        _no_switch_happened(membership, member.id)
    _, at = confirm_page(client, membership, patron)
    stale = client.submit(url, {"plan": str(patron.id), "at": str(int(at) - 3600)}, form_url="/account/billing",
                          follow_redirects=True)
    assert "The price shown has expired" in stale.get_data(as_text=True)
    assert client.post(url, data={"plan": str(patron.id), "at": at}).status_code == 400  # no CSRF token
    _no_switch_happened(membership, member.id)
    assert signed_in(app, UserFactory()).get(url).status_code == 404  # another member's switch page


def test_a_scholarship_or_a_membership_that_is_not_active_cannot_switch(app):
    hub, member, patron = hub_with_plans()
    user, client = Local(app).join(hub, member)
    membership = membership_of(user, hub)
    url = f"/account/billing/{membership.id}/switch"
    membership.scholarship = True
    db.session.commit()
    assert "scholarship seat keeps its plan" in client.get(url).get_data(as_text=True)
    assert "Switch plan" not in client.get("/account/billing").get_data(as_text=True)
    membership.scholarship = False
    transition(membership, MembershipStatus.PAST_DUE, actor_label="test")
    db.session.commit()
    _, at = confirm_page(client, membership, patron)
    assert at is None
    refused = client.submit(url, {"plan": str(patron.id), "at": "1"}, form_url="/account/billing",
                            follow_redirects=True)
    assert "Only an active membership can switch plans" in refused.get_data(as_text=True)
    _no_switch_happened(membership, member.id)
