"""Cohort pages run a fixed number of SQL statements, however many members, cohorts and sessions there are."""
from microhub.extensions import db

from ..factories import HubFactory
from ..hubs.test_query_counts import statements_for
from .helpers import enrolled_members, make_cohort


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
