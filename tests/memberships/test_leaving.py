"""Leaving says exactly what will happen (seat, billing, cohort places, check-ins), and tells the person and organizers."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import time_machine

from microhub import jobs
from microhub.cohorts import enrollment
from microhub.cohorts.checkins import post_checkin
from microhub.cohorts.models import Cohort
from microhub.cohorts.services import today_in
from microhub.extensions import db
from microhub.hubs.models import HubRole, Role
from microhub.memberships.models import MembershipStatus

from ..cohorts.helpers import enrolled_members, make_cohort
from ..factories import UserFactory, organizer_of
from ..mail import mails
from ..payments.helpers import hub_with_plan, join_and_pay, membership_of


def test_the_leave_page_lists_cohort_places_check_ins_and_billing_and_everyone_is_told(client):
    hub, organizer = organizer_of()
    running = make_cohort(hub, title="Write daily", weeks=3)
    member = enrolled_members(running)[0]
    full = make_cohort(hub, title="Full circle", capacity=2, start_date=today_in("Europe/Berlin") + timedelta(days=21))
    enrolled_members(full, 2)
    enrollment.enroll(full, member)  # waits in line
    db.session.commit()
    with time_machine.travel(running.sessions[0].starts_at + timedelta(minutes=5), tick=False):
        jobs.tick()
        db.session.commit()
        post_checkin(db.session.get(Cohort, running.id), member, 1, "Wrote 500 words.", "", "Write more.")
        db.session.commit()
        client.login(member.email)
        page = client.get(f"/h/{hub.slug}/leave").get_data(as_text=True)
        assert "Write daily" in page and "your place ends now" in page and "Your 1 check-in stays with the cohort" \
            in page
        assert "Full circle" in page and "you leave its waitlist" in page
        assert "released at once" in page and "organizers are told" in page
        response = client.submit(f"/h/{hub.slug}/leave", {"feedback": "Moving abroad, thank you!"})
    assert response.status_code == 302
    assert membership_of(member, hub).status is MembershipStatus.CANCELED
    [mine] = mails(to=member.email, subject_contains="leaving")
    assert "seat went to the next person" in mine.body_text and "check-ins you wrote stay" in mine.body_text
    [theirs] = mails(to=organizer.email, subject_contains="leaving")
    assert member.name in theirs.subject and "Moving abroad, thank you!" in theirs.body_text


def test_a_paying_member_learns_the_seat_lasts_until_the_period_ends_and_is_told_once(client):
    hub, plan = hub_with_plan(cap=3)
    organizer = UserFactory()
    db.session.add(HubRole(hub_id=hub.id, user_id=organizer.id, role=Role.ORGANIZER))
    db.session.commit()
    user = UserFactory()
    client.login(user.email)
    join_and_pay(client, hub, plan)
    membership = membership_of(user, hub)
    page = client.get(f"/h/{hub.slug}/leave").get_data(as_text=True)
    # The page shows the day in the member's zone: between 23:00 and 24:00 UTC, Berlin is a day ahead.
    ends = f"{membership.current_period_end.astimezone(ZoneInfo(user.timezone)):%d %b %Y}"
    assert "nothing more is charged" in page and ends in page and "not in any cohort" in page
    assert client.submit(f"/h/{hub.slug}/leave", {"feedback": ""}).status_code == 302
    again = client.get(f"/h/{hub.slug}/leave")
    assert "leaving already" in again.get_data(as_text=True)
    card = client.submit(f"/account/billing/{membership.id}/cancel", {}, form_url="/account/billing",
                         follow_redirects=True)
    assert "leaving already" in card.get_data(as_text=True)
    assert len(mails(to=user.email, subject_contains="You are leaving")) == 1
    assert len(mails(to=organizer.email, subject_contains="is leaving")) == 1
