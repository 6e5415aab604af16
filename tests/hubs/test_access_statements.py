"""`hub_for` reads the hub with the person's roles in one statement, `roles_and` the roles with a page's own questions
in one: every permission is still decided exactly as the role and membership rows say, and nothing is asked twice."""
from contextlib import contextmanager

import pytest
from flask_login import login_user
from sqlalchemy import event
from werkzeug.exceptions import HTTPException

from microhub import signals
from microhub.extensions import db
from microhub.hubs import access
from microhub.hubs.access import Permission
from microhub.hubs.models import Hub, HubRole, Role
from microhub.memberships.models import LIVE_STATUSES, Membership, MembershipStatus

from ..factories import HubFactory, MembershipFactory, RoleFactory, UserFactory, member_of, organizer_of


@contextmanager
def statements():
    seen: list[str] = []
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)


def roles_from_the_rows(hub, user) -> frozenset[Role]:
    """The truth, asked the plain way: granted roles, and MEMBER for a live membership."""
    granted = db.session.scalars(db.select(HubRole.role).filter_by(hub_id=hub.id, user_id=user.id))
    live = db.session.scalar(db.select(Membership.id).where(
        Membership.hub_id == hub.id, Membership.user_id == user.id, Membership.status.in_(LIVE_STATUSES)))
    return frozenset(granted) | ({Role.MEMBER} if live else frozenset())


def outcome(slug: str, permission: Permission) -> int:
    try:
        access.hub_for(slug, permission)
    except HTTPException as refused:
        return refused.code or refused.get_response().status_code  # log-in: a redirect
    return 200


@pytest.fixture
def people():
    """Everyone a hub page meets: staff of each kind (the organizer also a member), members past and present,
    a sponsor contact, strangers, and the organizer of another hub."""
    hub, organizer = organizer_of(slug="club", cap=20)
    member_of(hub, organizer)
    other, other_organizer = organizer_of(slug="elsewhere", cap=20)
    moderator = RoleFactory(hub=hub, role=Role.MODERATOR).user
    contact = RoleFactory(hub=hub, role=Role.SPONSOR_CONTACT).user
    past = MembershipFactory(hub=hub, status=MembershipStatus.CANCELED).user
    behind = MembershipFactory(hub=hub, status=MembershipStatus.PAST_DUE).user
    member_elsewhere = member_of(other)
    db.session.commit()
    return hub, {"organizer": organizer, "moderator": moderator, "contact": contact, "member": member_of(hub),
                 "past": past, "behind": behind, "stranger": UserFactory(), "their organizer": other_organizer,
                 "member elsewhere": member_elsewhere}


def test_hub_for_decides_every_permission_as_the_rows_do_in_one_statement_and_keeps_the_roles(app, people):
    hub, everyone = people
    assert {name: roles_from_the_rows(hub, person) for name, person in everyone.items()} == {
        "organizer": {Role.ORGANIZER, Role.MEMBER}, "moderator": {Role.MODERATOR}, "contact": {Role.SPONSOR_CONTACT},
        "member": {Role.MEMBER}, "past": set(), "behind": {Role.MEMBER}, "stranger": set(), "their organizer": set(),
        "member elsewhere": set()}
    for name, person in everyone.items():
        truth = roles_from_the_rows(hub, person)
        for permission in Permission:
            with app.test_request_context(f"/h/{hub.slug}"):
                login_user(person)
                with statements() as seen:
                    code = outcome(hub.slug, permission)
                    assert access.roles_in(hub) == truth, name  # kept: asked again, nothing runs
                    assert access.can(hub, permission) is bool(truth & permission.roles)
                assert code == (200 if truth & permission.roles else 403), (name, permission)
                assert len(seen) == 1 and "hub_roles" in seen[0] and "memberships" in seen[0], (name, seen)


def test_hub_for_still_sends_visitors_to_log_in_and_unknown_hubs_to_404(app, people):
    hub, everyone = people
    with app.test_request_context(f"/h/{hub.slug}"):
        assert outcome(hub.slug, Permission.TAKE_PART) == 302
        assert outcome("no-such-hub", Permission.TAKE_PART) == 404
        assert access.hub_for(hub.slug).id == hub.id
    with app.test_request_context("/h/no-such-hub"):
        login_user(everyone["organizer"])
        assert outcome("no-such-hub", Permission.MANAGE) == 404


def test_roles_and_answers_a_pages_questions_with_the_roles_and_keeps_both(app, people):
    hub, everyone = people
    asked = {"granted here": db.exists().where(HubRole.hub_id == Hub.id, HubRole.user_id == access.USER_ID)}
    for name in ("organizer", "member", "stranger"):
        with app.test_request_context(f"/h/{hub.slug}"):
            login_user(everyone[name])
            assert everyone[name].id  # loaded before counting
            with statements() as seen:
                roles, holds = access.roles_and(hub, asked)
                assert access.roles_and(hub, asked) == (roles, holds)  # kept for the request
                assert access.roles_in(hub) == roles
            assert len(seen) == 1
            assert roles == roles_from_the_rows(hub, everyone[name])
            assert holds == ({"granted here"} if name == "organizer" else set())
            assert access.checked(hub.id, everyone[name].id, "granted here") is (name == "organizer")
            assert access.checked(hub.id, everyone[name].id, "never asked") is None


def test_a_receiver_answering_its_own_way_is_still_heard(app, people):
    """Receivers may answer with conditions built per call (literal ids) or with roles worked out in Python from the
    hub; the answers stay right, only without the one-statement saving."""
    hub, everyone = people
    stranger = everyone["stranger"]
    RoleFactory(hub=HubFactory(), user=stranger, role=Role.ORGANIZER)
    db.session.commit()

    def per_call(sender, *, user_id):  # an organizer anywhere moderates here (for this test only)
        return {Role.MODERATOR: db.exists().where(HubRole.user_id == user_id, HubRole.role == Role.ORGANIZER)}

    def in_python(sender, *, user_id):
        return [Role.SPONSOR_CONTACT] if sender is not None and sender.id == hub.id and user_id == stranger.id else []

    for receiver, role, permission in ((per_call, Role.MODERATOR, Permission.MODERATE),
                                       (in_python, Role.SPONSOR_CONTACT, Permission.SEE_PLACEMENTS)):
        signals.roles_asked.connect(receiver)
        try:
            for _ in range(2):  # the second time from the statements made the first
                with app.test_request_context(f"/h/{hub.slug}"):
                    login_user(stranger)
                    assert outcome(hub.slug, permission) == 200
                    assert role in access.roles_in(hub)
                with app.test_request_context(f"/h/{hub.slug}"):
                    login_user(everyone["member"])
                    assert outcome(hub.slug, permission) == 403
                    assert access.roles_in(hub) == {Role.MEMBER}
        finally:
            signals.roles_asked.disconnect(receiver)
    with app.test_request_context(f"/h/{hub.slug}"):
        login_user(stranger)
        assert outcome(hub.slug, Permission.MODERATE) == 403 and access.roles_in(hub) == frozenset()
