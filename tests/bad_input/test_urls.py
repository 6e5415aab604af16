"""Every route, every path argument, bad values: a 4xx, never a 500, and nothing changes."""
from __future__ import annotations

import re

import pytest

from microhub.extensions import db
from microhub.memberships.models import Membership

from ..helpers import signed_in
from . import corpus as c

INT_BAD = ["0", "-1", "2147483648", str(2**63), str(10**30), "abc", "1.5", "%00", "%C2%B2"]
TEXT_BAD = ["%00", "a%00b", "%0D%0ASet-Cookie:x=1", "x" * 2000, "..%2F..%2Fetc", "%FF%FE", "%ED%A0%80", "%E2%80%A8",
            "%1B[31m"]


def valid_args(world: c.World) -> dict[str, str]:
    membership = db.session.scalar(db.select(Membership.id).filter_by(user_id=world.member.id))
    return {"slug": world.hub.slug, "cohort_id": str(world.cohort.id), "session_id": str(world.session_id),
            "plan_id": str(world.plan.id), "membership_id": str(membership), "week": "1", "checkin_id": "1",
            "hold_id": "1", "role_id": "1", "message_id": "1", "action": "cancel", "token": "abc", "ref": "cs_x",
            "expense_id": str(world.draft_id), "fmt": "csv", "month": "2026-01", "application_id": "1",
            "reviewer_id": "1", "donation_id": "1", "sponsor_id": "1", "person_id": "1", "revision_id": "1",
            "spot_id": "1", "placement_id": "1", "token_id": "1", "file": "x.png"}


def _valid(rule, arg: str, good: dict[str, str]) -> str:
    converter = rule._converters[arg]
    if type(converter).__name__ == "AnyConverter":  # one of the words the route takes, e.g. <any(offer, decline):…>
        return converter.regex.removeprefix("(?:").split("|")[0].rstrip(")")
    return good[arg]


def cases(app, world: c.World) -> list[tuple[str, str]]:
    """(method, url) for every route with one path argument made bad, the others valid."""
    good, out = valid_args(world), []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        method = "GET" if "GET" in rule.methods else "POST"
        for name in rule.arguments:
            kind = type(rule._converters[name]).__name__
            for bad in INT_BAD if "Int" in kind else TEXT_BAD:
                path = rule.rule
                for arg in rule.arguments:
                    value = bad if arg == name else _valid(rule, arg, good)
                    path = re.sub(rf"<(?:[^<>]*:)?{arg}>", lambda _: value, path)
                out.append((method, path))
    return out


@pytest.fixture
def served(app_factory):
    return app_factory(RATELIMIT_ENABLED=False)


def test_every_route_refuses_bad_path_arguments_without_a_500_or_a_change(served):
    world = c.build_world()
    organizer = signed_in(served, world.organizer)
    token = organizer.csrf_token("/account/profile")
    anonymous = served.test_client()
    before, problems, sent = c.fingerprint(), [], 0
    for method, url in cases(served, world):
        for client in (organizer, anonymous):
            response = client.get(url) if method == "GET" else client.post(url, data={"csrf_token": token})
            sent += 1
            if response.status_code >= 500:
                problems.append(f"{method} {url[:80]}: {response.status_code}")
    assert c.changed(before, c.fingerprint()) == []
    assert problems == [] and sent >= 300, (sent, problems)
