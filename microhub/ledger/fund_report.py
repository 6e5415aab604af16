"""A month of the scholarship fund as the report shows it: opening, donations, plans' shares, awards drawn,
closing, the seats the fund paid for, and the donors who chose to be named."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import aliased

from ..extensions import db
from ..hubs.models import Hub
from .fund import balance
from .models import Account, GroupKind, LedgerEntry, LedgerGroup

#: The fund's own accounts whose entries name a donation (SCHOLARSHIP_FUND) or an award (SCHOLARSHIPS).
_NAMED_BY = (Account.SCHOLARSHIP_FUND, Account.SCHOLARSHIPS)


def fund_month(hub: Hub, month: date, sums: dict[Account, int]) -> dict:
    """The fund's figures for `month` in the hub's currency, from that month's per-account `sums` (as the report
    reads them from the month totals): opening + donations + plan_shares − awards = closing.

    Two statements whatever the ledger's size: the opening from the month totals, and the month's donations and
    awards counted through the (hub, month, account) index of the entries."""
    opening = balance(hub.id, hub.currency, before=month)
    donations = -sums.get(Account.SCHOLARSHIP_FUND, 0)
    shares = -sums.get(Account.SCHOLARSHIP_SHARES, 0)
    awards = sums.get(Account.SCHOLARSHIPS, 0)
    donors, anonymous, seats = _donors_and_seats(hub.id, month, hub.currency)
    return {"currency": hub.currency, "opening": opening, "donations": donations, "plan_shares": shares,
            "awards": awards, "closing": opening + donations + shares - awards, "seats_funded": seats,
            "donors": donors, "anonymous_donors": anonymous}


def _donors_and_seats(hub_id: int, month: date, currency: str) -> tuple[list[str], int, int]:
    """(the month's named donors, distinct and sorted; how many gifts came without a name; the seats it funded).

    A donor is named only by the `donor` a donation's details carry, set when they chose to be named. Seats are
    the award movements booked in the month that were not reversed since (an award never taken up gives its
    value back: a reversal, which lowers what was drawn in the month it is booked)."""
    donor = LedgerGroup.details["donor"].as_string().label("donor")
    undone = aliased(LedgerGroup)
    rows = db.session.execute(
        db.select(LedgerGroup.kind, donor, db.func.count(LedgerGroup.id))
        .select_from(LedgerEntry).join(LedgerGroup, LedgerGroup.id == LedgerEntry.group_id)
        .outerjoin(undone, undone.reverses_id == LedgerGroup.id)
        .where(LedgerEntry.hub_id == hub_id, LedgerEntry.month == month, LedgerEntry.account.in_(_NAMED_BY),
               LedgerEntry.currency == currency, LedgerGroup.kind.in_((GroupKind.DONATION, GroupKind.AWARD)),
               db.or_(LedgerGroup.kind == GroupKind.DONATION, undone.id.is_(None)))
        .group_by(LedgerGroup.kind, db.literal_column("donor"))).all()
    names, anonymous, seats = set(), 0, 0
    for kind, name, count in rows:
        if kind is GroupKind.AWARD:
            seats += count
        elif isinstance(name, str) and name.strip():
            names.add(name.strip())
        else:
            anonymous += count
    return sorted(names, key=lambda n: (n.casefold(), n)), anonymous, seats
