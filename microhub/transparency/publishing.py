"""Publishing a month's report and telling the members, the reminder to publish, and the e-mail opt-out."""
from __future__ import annotations

from datetime import date

from .. import audit
from ..accounts.models import User
from ..database import added_unless_taken
from ..email import send_email
from ..extensions import db
from ..hubs.models import Hub, HubRole, Role
from ..ledger.publishing import claim_reminder, publish_month
from ..ledger.report_models import MonthReport, ReportOptOut
from ..memberships.models import LIVE_STATUSES, Membership
from ..urls import external_url
from .scholarship_fund import frozen_with_organizer_seats


def publish(hub: Hub, month: date, *, note: str, actor: User) -> MonthReport:
    """Freeze and publish `month` (with the seats the organizers funded in it), audit it, and e-mail every live
    member who did not opt out."""
    report = publish_month(hub, month, note=note, user_id=actor.id)
    report.figures = frozen_with_organizer_seats(hub, report.figures, month)
    audit.record("report.published", report, actor=actor, month=month.isoformat())
    link = external_url("transparency.show", slug=hub.slug) + f"#m-{month:%Y-%m}"
    opt_out = external_url("transparency.report_emails", slug=hub.slug)
    for user in readers(hub.id):
        send_email(user.email, f"{hub.name}: the report for {month:%B %Y} is out", "report_published",
                   user=user, hub=hub, month=month, report=report, link=link, opt_out=opt_out)
    return report


def readers(hub_id: int) -> list[User]:
    """Members holding a seat who still want the report e-mail: one query."""
    opted_out = db.select(ReportOptOut.user_id).where(ReportOptOut.hub_id == hub_id)
    return list(db.session.scalars(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.hub_id == hub_id, Membership.status.in_(LIVE_STATUSES), User.id.not_in(opted_out))
        .order_by(User.id)))


def wants_report_emails(hub_id: int, user_id: int) -> bool:
    return db.session.scalar(db.select(ReportOptOut.id).filter_by(hub_id=hub_id, user_id=user_id)) is None


def set_report_emails(hub: Hub, user: User, *, wanted: bool) -> None:
    """Stop or resume the report e-mail from `hub` for `user`; doing it twice changes nothing."""
    if wanted:
        db.session.execute(db.delete(ReportOptOut).filter_by(hub_id=hub.id, user_id=user.id))
    else:
        added_unless_taken(ReportOptOut(hub_id=hub.id, user_id=user.id))
    db.session.flush()


def remind_organizers(hub_id: int, month: date) -> bool:
    """The one reminder to publish `month`: False (and nothing sent) when it went out already."""
    if not claim_reminder(hub_id, month):
        return False
    hub = db.session.get(Hub, hub_id)
    link = external_url("transparency_admin.reports", slug=hub.slug)
    organizers = db.session.scalars(db.select(User).join(HubRole, HubRole.user_id == User.id)
                                    .where(HubRole.hub_id == hub_id, HubRole.role == Role.ORGANIZER))
    for user in organizers:
        send_email(user.email, f"{hub.name}: the report for {month:%B %Y} is waiting", "report_reminder",
                   user=user, hub=hub, month=month, link=link)
    return True
