"""Sponsors, their people and listings: each save waits for approval, members see only the approved revision,
logos are PNG or JPEG of at most 1 MB, links are http(s) only."""
from __future__ import annotations

import io

import pytest

from microhub.audit import AuditEntry
from microhub.extensions import db
from microhub.sponsors.models import Listing, ListingRevision, ReviewStatus as R, Sponsor, SponsorPerson

from ..factories import UserFactory, member_of, organizer_of
from ..helpers import signed_in
from ..mail import mails
from .helpers import make_sponsor, png


def listing_url(sponsor, hub) -> str:
    return f"/sponsor/{sponsor.id}/hubs/{hub.slug}/listing"


def send(client, sponsor, hub, *, logo=None, **fields):
    data = {"name": "Toolsmiths", "link": "https://tools.example", "helps_with": "Free CI minutes",
            "member_perk": "MICRO50", **fields}
    if logo is not None:
        data["logo"] = (io.BytesIO(logo[1]), logo[0])
    return client.submit(listing_url(sponsor, hub), data, content_type="multipart/form-data")


def revisions() -> list[ListingRevision]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(ListingRevision).order_by(ListingRevision.id)))


def test_a_person_creates_a_sponsor_adds_a_colleague_and_cannot_remove_the_last_one(app):
    person, colleague = UserFactory(), UserFactory(email="colleague@example.org")
    client = signed_in(app, person)
    made = client.submit("/sponsor/new", {"name": "Toolsmiths"})
    assert made.status_code == 302
    sponsor = db.session.scalars(db.select(Sponsor)).one()
    assert client.get("/sponsor").get_data(as_text=True).count("Toolsmiths") == 1
    home = f"/sponsor/{sponsor.id}"
    assert client.submit(f"{home}/people", {"email": "Colleague@example.org"}, form_url=home).status_code == 302
    assert client.submit(f"{home}/people", {"email": "nobody@example.org"}, form_url=home).status_code == 400
    people = db.session.scalars(db.select(SponsorPerson).order_by(SponsorPerson.id)).all()
    assert [p.user_id for p in people] == [person.id, colleague.id]
    assert client.submit(f"{home}/people/{people[1].id}/remove", {}, form_url=home).status_code == 302
    assert client.submit(f"{home}/people/{people[0].id}/remove", {}, form_url=home).status_code == 400
    assert db.session.scalars(db.select(SponsorPerson.user_id)).all() == [person.id]
    actions = set(db.session.scalars(db.select(AuditEntry.action)))
    assert {"sponsor.created", "sponsor.person_added", "sponsor.person_removed"} <= actions


def test_each_save_waits_for_approval_and_members_see_only_the_approved_revision(app):
    hub, organizer = organizer_of()
    sponsor, person = make_sponsor()
    client = signed_in(app, person)
    assert send(client, sponsor, hub, logo=("logo.png", png())).status_code == 302
    assert send(client, sponsor, hub, name="Toolsmiths 2").status_code == 302
    first, second = revisions()
    assert (first.status, second.status) == (R.SUPERSEDED, R.PENDING) and second.logo == first.logo
    manager = signed_in(app, organizer)
    manage = f"/h/{hub.slug}/manage/sponsors"
    assert "Toolsmiths 2" in manager.get(manage).get_data(as_text=True)
    rejected = manager.submit(f"{manage}/listings/{second.id}/reject", {"reason": "Logo too loud"}, form_url=manage)
    assert rejected.status_code == 302
    assert "Logo too loud" in mails(person.email, subject_contains="not approved")[0].body_text
    send(client, sponsor, hub, name="Toolsmiths 3")
    third = revisions()[-1]
    assert manager.submit(f"{manage}/listings/{third.id}/approve", {}, form_url=manage).status_code == 302
    listing = db.session.scalars(db.select(Listing)).one()
    assert listing.live_id == third.id
    send(client, sponsor, hub, name="Toolsmiths 4")  # a new change: the approved one stays live meanwhile
    db.session.expire_all()
    assert db.session.get(Listing, listing.id).live_id == third.id


def test_pending_logos_are_shown_only_to_the_sponsor_and_the_organizers_approved_ones_to_all(app):
    hub, organizer = organizer_of()
    sponsor, person = make_sponsor()
    send(signed_in(app, person), sponsor, hub, logo=("logo.png", png()))
    [revision] = revisions()
    url = f"/sponsor/logos/{revision.id}"
    assert signed_in(app, person).get(url).status_code == 200
    assert signed_in(app, organizer).get(url).status_code == 200
    for who in (None, member_of(hub), organizer_of(slug="other")[1], make_sponsor("Other")[1]):
        assert signed_in(app, who).get(url).status_code == 404
    manage = f"/h/{hub.slug}/manage/sponsors"
    signed_in(app, organizer).submit(f"{manage}/listings/{revision.id}/approve", {}, form_url=manage)
    public = signed_in(app, None).get(url)
    assert public.status_code == 200 and "immutable" in public.headers["Cache-Control"]
    assert public.mimetype == "image/png"


@pytest.mark.parametrize("logo, message", [
    (("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), "PNG or JPEG"),
    (("big.png", png() + b"\0" * (5 * 1024 * 1024)), "1 MB at most"),
    (("tool.png", b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 200), "PNG or JPEG"),
    (("fake.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 30), "PNG or JPEG"),
])
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused_and_nothing_is_saved(app, logo, message):
    hub, _ = organizer_of()
    sponsor, person = make_sponsor()
    response = send(signed_in(app, person), sponsor, hub, logo=logo)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert revisions() == []


@pytest.mark.parametrize("fields, message", [
    ({"link": "javascript:alert(1)"}, "https://"),
    ({"link": "JaVaScRiPt:alert(1)"}, "https://"),
    ({"link": "data:text/html,hi"}, "https://"),
    ({"link": "//evil.example"}, "https://"),
    ({"link": "https://"}, "https://"),
    ({"name": ""}, "name members see"),
    ({"helps_with": ""}, "what you bring members"),
    ({"helps_with": "x" * 1001}, "1000"),
])
def test_bad_listing_input_gets_a_message_and_saves_nothing(app, fields, message):
    hub, _ = organizer_of()
    sponsor, person = make_sponsor()
    response = send(signed_in(app, person), sponsor, hub, **fields)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert revisions() == []


@pytest.mark.parametrize("who", ["visitor", "other_sponsor", "member", "moderator", "other_organizer"])
def test_nobody_but_the_sponsors_people_opens_or_changes_its_pages(app, who):
    from ..helpers import person_as

    hub, organizer = organizer_of()
    sponsor, person = make_sponsor()
    intruder = make_sponsor("Other")[1] if who == "other_sponsor" else person_as(hub, who)
    client = signed_in(app, intruder)
    for url in (f"/sponsor/{sponsor.id}", listing_url(sponsor, hub)):
        response = client.get(url)
        assert response.status_code == (302 if intruder is None else 404), url
    before = db.session.scalar(db.select(db.func.count()).select_from(AuditEntry))
    token = signed_in(app, person).csrf_token(f"/sponsor/{sponsor.id}")
    for url, data in ((f"/sponsor/{sponsor.id}/people", {"email": person.email}),
                      (listing_url(sponsor, hub), {"name": "X", "link": "https://x.example", "helps_with": "x"})):
        assert client.post(url, data={"csrf_token": token, **data}).status_code in (302, 400, 404)
    db.session.expire_all()
    assert revisions() == [] and db.session.scalar(db.select(db.func.count()).select_from(AuditEntry)) == before


def test_a_sponsor_finds_a_hub_by_its_address_to_write_a_listing(app):
    hub, _ = organizer_of(slug="night-owls")
    sponsor, person = make_sponsor()
    client = signed_in(app, person)
    found = client.get(f"/sponsor/{sponsor.id}/hubs?hub=https://example.org/h/night-owls/")
    assert found.status_code == 302 and found.location.endswith(listing_url(sponsor, hub))
    missing = client.get(f"/sponsor/{sponsor.id}/hubs?hub=nowhere")
    assert missing.status_code == 302 and missing.location.endswith(f"/sponsor/{sponsor.id}")
    assert signed_in(app, make_sponsor("Other")[1]).get(f"/sponsor/{sponsor.id}/hubs?hub=night-owls").status_code == 404


def test_the_organizers_hear_of_a_listing_change_waiting_for_them(app):
    hub, organizer = organizer_of()
    sponsor, person = make_sponsor()
    send(signed_in(app, person), sponsor, hub)
    [notice] = mails(organizer.email)
    assert "Toolsmiths" in notice.subject and "/manage/sponsors" in notice.body_text
