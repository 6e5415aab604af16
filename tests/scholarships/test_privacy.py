"""Applications and their answers are private to the hub's organizers and the moderators assigned to review:
every private page and action is tried by someone who must not cross it."""
import pytest

from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.scholarships.models import ApplicationStatus as S, ScholarshipApplication, ScholarshipReviewer

from ..factories import RoleFactory, UserFactory
from ..helpers import person_as, signed_in
from .helpers import applied, scholarship_hub

SECRET = "my rent is late every month"
OUTSIDERS = ["visitor", "member", "moderator", "other_organizer", "applicant"]


@pytest.fixture
def setting(app):
    hub, plan, organizer = scholarship_hub(cap=10, seats=2)
    theirs = applied(hub, answers=(SECRET, "no"))
    return hub, organizer, theirs


def outsider(hub, who):
    if who == "applicant":  # someone who applied too, reading another applicant's application
        return applied(hub).user
    return person_as(hub, who)


def _expect_refused(response, who):
    if who == "visitor":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code in (403, 404), response.status_code
    assert SECRET not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_see_neither_the_list_nor_an_application(app, setting, who):
    hub, _, theirs = setting
    client = signed_in(app, outsider(hub, who))
    for url in (f"/h/{hub.slug}/manage/scholarships", f"/h/{hub.slug}/manage/scholarships/{theirs.id}"):
        _expect_refused(client.get(url), who)


@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsiders_cannot_rank_offer_decline_or_assign_reviewers(app, setting, who):
    hub, organizer, theirs = setting
    client = signed_in(app, outsider(hub, who))
    token = signed_in(app, organizer).csrf_token(f"/h/{hub.slug}/manage/scholarships")  # any valid-looking token
    base = f"/h/{hub.slug}/manage/scholarships"
    for url, data in ((f"{base}/{theirs.id}/rank", {"rank": "1", "kind": "full"}), (f"{base}/{theirs.id}/offer", {}),
                      (f"{base}/{theirs.id}/decline", {}), (f"{base}/reviewers", {"email": "x@example.org"})):
        response = client.post(url, data={"csrf_token": token, **data})
        assert response.status_code in (302, 400, 403, 404)
        if who != "visitor":
            assert response.status_code in (400, 403, 404), (url, response.status_code)
    application = db.session.get(ScholarshipApplication, theirs.id, populate_existing=True)
    assert application.status is S.SUBMITTED and application.rank is None
    assert db.session.scalar(db.select(db.func.count(ScholarshipReviewer.id))) == 0


def test_an_assigned_moderator_reviews_and_an_unassigned_one_does_not(app, setting):
    hub, organizer, theirs = setting
    moderator = UserFactory()
    RoleFactory(hub=hub, user=moderator, role=Role.MODERATOR)
    url = f"/h/{hub.slug}/manage/scholarships/{theirs.id}"
    assert signed_in(app, moderator).get(url).status_code == 403
    organizer_client = signed_in(app, organizer)
    response = organizer_client.submit(f"/h/{hub.slug}/manage/scholarships/reviewers", {"email": moderator.email},
                                       form_url=f"/h/{hub.slug}/manage/scholarships")
    assert response.status_code == 302
    page = signed_in(app, moderator).get(url)
    assert page.status_code == 200 and SECRET in page.get_data(as_text=True)
    # the moderator may not assign reviewers nor fund a seat themselves
    assert signed_in(app, moderator).get(f"/h/{hub.slug}/manage/scholarships").status_code == 200


def test_another_hubs_organizer_cannot_reach_this_hubs_application_through_their_own_hub(app, setting):
    hub, _, theirs = setting
    other_hub, _, other_organizer = scholarship_hub(cap=5, seats=1)
    response = signed_in(app, other_organizer).get(f"/h/{other_hub.slug}/manage/scholarships/{theirs.id}")
    assert response.status_code == 404 and SECRET not in response.get_data(as_text=True)


def test_an_applicant_sees_only_their_own_applications(app, setting):
    hub, _, theirs = setting
    me = applied(hub).user
    page = signed_in(app, me).get(f"/h/{hub.slug}/scholarships/mine").get_data(as_text=True)
    assert SECRET not in page and "I&#39;d learn" in page
    client = signed_in(app, me)
    response = client.submit(f"/h/{hub.slug}/scholarships/mine/{theirs.id}/withdraw", {},
                             form_url=f"/h/{hub.slug}/scholarships/mine")
    assert response.status_code == 302
    assert "not yours" in client.get(f"/h/{hub.slug}/scholarships/mine").get_data(as_text=True)
    assert db.session.get(ScholarshipApplication, theirs.id, populate_existing=True).status is S.SUBMITTED


def test_scholarship_members_look_like_every_other_member_to_members(app, setting):
    hub, organizer, _ = setting
    from .helpers import offered
    from microhub.scholarships import awards
    application = offered(hub, organizer)
    awards.accept(db.session.get(ScholarshipApplication, application.id), application.user)
    db.session.commit()
    member = person_as(hub, "member")
    for url in (f"/h/{hub.slug}", f"/api/v1/hubs/{hub.slug}"):
        body = signed_in(app, member).get(url).get_data(as_text=True)
        assert application.user.name not in body and application.user.email not in body
