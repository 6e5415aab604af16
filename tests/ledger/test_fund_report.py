"""The scholarship fund in a month's figures: opening + donations + plans' share − awards = closing, the seats it
paid for, named donors only when they chose to be, frozen when published, and a fixed number of statements."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine

from microhub.extensions import db
from microhub.ledger import fund
from microhub.ledger.models import Account, GroupKind
from microhub.ledger.publishing import publish_month
from microhub.ledger.reports import figures_for
from microhub.ledger.services import Line, post, record_payment, reverse

from ..factories import HubFactory
from ..transparency.helpers import at, pay, spend
from .test_reports import count_statements

NOW = at(2026, 4, 10)
JAN, FEB, MAR, APR = (date(2026, m, 1) for m in (1, 2, 3, 4))


def donate(hub, ref: str, when, amount: int, donor: str | None = None, fee: int = 0, currency: str | None = None):
    """A gift to the scholarship fund, as the donations checkout books it: named only if the donor chose to be."""
    group = record_payment(hub, source=("donation", ref), income=Account.SCHOLARSHIP_FUND, gross=amount, fee=fee,
                           currency=currency or hub.currency, occurred_at=when, charge_ref=f"ch_{ref}",
                           details={"donor": donor} if donor else {}, memo="Donation to the scholarship fund",
                           kind=GroupKind.DONATION)
    db.session.commit()
    return group


def share(hub, ref: str, when, gross: int = 900, share: int = 200):
    """A membership payment whose plan sends `share` of it to the fund."""
    group = record_payment(hub, source=("invoice", ref), income=Account.MEMBERSHIP_INCOME, gross=gross, fee=30,
                           currency=hub.currency, occurred_at=when, charge_ref=f"ch_{ref}", details={},
                           memo="Membership payment", scholarship_share=share)
    db.session.commit()
    return group


def award(hub, application_id: int, when, value: int):
    """A scholarship seat's value drawn from the fund, as an accepted award books it."""
    group = post(hub, kind=GroupKind.AWARD, source=("award", str(application_id)), occurred_at=when,
                 actor="organizer@example.org", memo="Scholarship seat",
                 lines=[Line(Account.SCHOLARSHIPS, value, hub.currency),
                        Line(Account.MEMBERSHIP_INCOME, -value, hub.currency)])
    db.session.commit()
    return group


@pytest.fixture
def hub(app):
    """January: an anonymous gift. February: Ada twice, Bob, one anonymous gift, two plans' shares.
    March: one award, Cy's gift, an ordinary payment and expense that are not the fund's."""
    with time_machine.travel(NOW, tick=False):
        hub = HubFactory(slug="owls")
        donate(hub, "d-jan", at(2026, 1, 8), 4000)
        donate(hub, "d-ada-1", at(2026, 2, 2), 5000, "Ada", fee=100)
        donate(hub, "d-bob", at(2026, 2, 3), 300, "Bob")
        donate(hub, "d-anon", at(2026, 2, 4), 2000, fee=50)
        donate(hub, "d-ada-2", at(2026, 2, 5), 1000, "Ada")
        share(hub, "in-feb-1", at(2026, 2, 6))
        share(hub, "in-feb-2", at(2026, 2, 7), gross=150, share=200)  # a discounted invoice sends what it has
        award(hub, 1, at(2026, 3, 2), 3000)
        donate(hub, "d-cy", at(2026, 3, 9), 1000, "Cy")
        pay(hub, "in-mar", at(2026, 3, 10))
        spend(hub, "tools-mar", at(2026, 3, 11), 500)
        yield hub


def fund_of(hub, month: date) -> dict:
    return figures_for(hub, month)["scholarship_fund"]


def test_each_month_of_the_fund_adds_up_and_opens_where_the_last_closed(hub):
    with time_machine.travel(NOW, tick=False):
        jan, feb, mar, apr = (fund_of(hub, m) for m in (JAN, FEB, MAR, APR))
    assert jan == {"currency": "EUR", "opening": 0, "donations": 4000, "plan_shares": 0, "awards": 0,
                   "closing": 4000, "seats_funded": 0, "donors": [], "anonymous_donors": 1}
    assert feb == {"currency": "EUR", "opening": 4000, "donations": 8300, "plan_shares": 350, "awards": 0,
                   "closing": 12650, "seats_funded": 0, "donors": ["Ada", "Bob"], "anonymous_donors": 1}
    assert mar == {"currency": "EUR", "opening": 12650, "donations": 1000, "plan_shares": 0, "awards": 3000,
                   "closing": 10650, "seats_funded": 1, "donors": ["Cy"], "anonymous_donors": 0}
    assert (apr["opening"], apr["closing"], apr["seats_funded"], apr["donors"]) == (10650, 10650, 0, [])
    for month, figures in zip((FEB, MAR, APR), (jan, feb, mar)):
        assert figures["closing"] == fund.balance(hub.id, "EUR", before=month)
    assert mar["closing"] == fund.balance(hub.id, "EUR")


def test_the_fund_is_not_the_hubs_other_money_nor_another_hubs_nor_another_currency(hub):
    with time_machine.travel(NOW, tick=False):
        other = HubFactory(slug="larks")
        donate(other, "d-other", at(2026, 3, 4), 9999, "Zed")
        award(other, 2, at(2026, 3, 5), 500)
        donate(hub, "d-usd", at(2026, 3, 6), 700, "Yan", currency="USD")
        spend(hub, "events-mar", at(2026, 3, 7), 250, Account.EVENTS)
        mar = fund_of(hub, MAR)
    assert (mar["donations"], mar["awards"], mar["seats_funded"], mar["donors"]) == (1000, 3000, 1, ["Cy"])


def test_an_award_never_taken_up_gives_its_value_back_and_funds_no_seat(hub):
    with time_machine.travel(NOW, tick=False):
        drawn = award(hub, 2, at(2026, 4, 2), 1200)
        reverse(drawn, reason="Scholarship not taken up.", actor="scholarships", occurred_at=at(2026, 4, 3))
        db.session.commit()
        apr = fund_of(hub, APR)
    assert (apr["awards"], apr["seats_funded"], apr["closing"]) == (0, 0, apr["opening"])


def test_a_published_month_keeps_its_fund_figures_and_a_late_gift_lands_in_the_next_open_month(hub):
    with time_machine.travel(NOW, tick=False):
        publish_month(hub, JAN, note="", user_id=None)
        report = publish_month(hub, FEB, note="", user_id=None)
        db.session.commit()
        frozen = dict(report.figures["scholarship_fund"])
        late = donate(hub, "d-late", at(2026, 2, 20), 600, "Dee")
        award(hub, 3, at(2026, 2, 21), 400)
        assert (late.month, late.adjustment) == (MAR, True)
        db.session.expire_all()
        assert db.session.get(type(report), report.id).figures["scholarship_fund"] == frozen
        assert fund_of(hub, FEB) == frozen  # what was booked into February never changes
        mar = fund_of(hub, MAR)
    assert frozen["donors"] == ["Ada", "Bob"] and frozen["closing"] == 12650
    assert (mar["opening"], mar["donations"], mar["awards"], mar["seats_funded"]) == (12650, 1600, 3400, 2)
    assert mar["donors"] == ["Cy", "Dee"]


def test_the_funds_figures_take_the_same_statements_however_many_movements(hub):
    with time_machine.travel(NOW, tick=False):
        few = count_statements(lambda: figures_for(hub, MAR))
        for n in range(20):
            donate(hub, f"more-{n}", at(2026, 3, 1 + n % 25), 100 + n, f"Donor {n}" if n % 2 else None)
            share(hub, f"in-more-{n}", at(2026, 2, 1 + n % 25))
            award(hub, 100 + n, at(2026, 3, 1 + n % 25), 50)
        assert count_statements(lambda: figures_for(hub, MAR)) == few
        mar = fund_of(hub, MAR)
    assert mar["seats_funded"] == 21 and mar["anonymous_donors"] == 10 and len(mar["donors"]) == 11
