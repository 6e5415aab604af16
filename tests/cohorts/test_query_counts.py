"""Cohort pages run a fixed number of SQL statements, however many members, cohorts and sessions there are."""
from microhub.cohorts import checkins
from microhub.cohorts.models import CheckIn, CheckInReply
from microhub.extensions import db

from ..factories import HubFactory, organizer_of
from ..helpers import signed_in
from ..hubs.test_query_counts import statements_for
from .helpers import NEXT_STEP, PROGRESS, at_week, enrolled_members, make_cohort, stored, week_url


def test_cohort_page_and_list_do_not_grow_with_members_or_cohorts(app, client):
    hub = HubFactory(cap=60)
    cohort = make_cohort(hub, capacity=40, weeks=4)
    (viewer,) = enrolled_members(cohort, 1)
    client.login(viewer.email)
    page, listing = f"/h/{hub.slug}/cohorts/{cohort.id}", f"/h/{hub.slug}/cohorts"
    few = statements_for(app, client, page), statements_for(app, client, listing)

    enrolled_members(cohort, 20)
    for _ in range(5):
        make_cohort(hub, weeks=12)
    db.session.commit()
    assert (statements_for(app, client, page), statements_for(app, client, listing)) == few
    assert few[0] <= 10 and few[1] <= 6


def test_week_page_queries_do_not_grow_with_checkins_and_replies(app, time_machine):
    hub, organizer = organizer_of()
    cohort = make_cohort(hub)
    people = enrolled_members(cohort, 7)
    at_week(time_machine, cohort, 1)
    checkins.post_checkin(cohort, people[0], 1, PROGRESS, "", NEXT_STEP)
    db.session.commit()
    url = week_url(cohort)
    member, staff = signed_in(app, people[0]), signed_in(app, organizer)
    few = statements_for(app, member, url), statements_for(app, staff, url)

    for person in people[1:]:
        checkin = checkins.post_checkin(cohort, person, 1, PROGRESS, "", NEXT_STEP)
        for replier in people[:3]:
            checkins.reply(cohort, replier, checkin.id, "Keep going.")
    db.session.commit()

    assert stored(CheckIn) == 7 and stored(CheckInReply) == 18
    assert (statements_for(app, member, url), statements_for(app, staff, url)) == few
