"""Views marked `database.reads_only` read outside a transaction: no BEGIN or ROLLBACK round trips on PostgreSQL, a
write inside one is refused, and the pooled connection goes back to the next request with transactions as before."""
from __future__ import annotations

import pytest
from psycopg import _connection_base

from microhub.database import reads_only
from microhub.extensions import db
from microhub.hubs.models import Hub, HubRole, Role

from .factories import member_of
from .helpers import signed_in
from .payments.helpers import hub_with_plan


@pytest.fixture
def commands(monkeypatch) -> list[bytes]:
    """Every command psycopg sends outside a statement: BEGIN, COMMIT, ROLLBACK."""
    sent: list[bytes] = []
    original = _connection_base.BaseConnection._exec_command

    def noted(self, command, *args, **kwargs):
        sent.append(bytes(command) if not isinstance(command, str) else command.encode())
        return original(self, command, *args, **kwargs)

    monkeypatch.setattr(_connection_base.BaseConnection, "_exec_command", noted)
    return sent


def test_a_members_hub_page_and_the_overview_send_no_begin_or_rollback(app, backend, commands):
    hub, _ = hub_with_plan(cap=10)
    member, organizer = member_of(hub), member_of(hub)

    db.session.add(HubRole(hub_id=hub.id, user_id=organizer.id, role=Role.ORGANIZER))
    db.session.commit()
    pages = [(signed_in(app, member), f"/h/{hub.slug}"), (signed_in(app, organizer), f"/h/{hub.slug}/manage"),
             (app.test_client(), f"/api/v1/hubs/{hub.slug}")]
    for client, url in pages:
        db.session.commit()  # the test's own transaction (the test client commits it before each request)
        commands.clear()
        assert client.get(url).status_code == 200
        if backend == "postgresql":
            assert commands == [], url
    db.session.commit()
    commands.clear()
    assert signed_in(app, member).get("/account/profile").status_code == 200  # not marked: a transaction as before
    if backend == "postgresql":
        assert b"BEGIN" in commands


def test_a_write_inside_a_reads_only_view_is_refused_and_nothing_is_stored(app_factory):
    built = app_factory(JOBS_RAISE=True)

    @reads_only
    def renames():
        db.session.scalar(db.select(Hub)).name = "Renamed"
        db.session.flush()
        return "wrote"

    built.add_url_rule("/t/renames", "renames", renames)
    hub, _ = hub_with_plan(cap=10, name="Kept")
    built.config["PROPAGATE_EXCEPTIONS"] = True
    with pytest.raises(RuntimeError, match="reads_only"):
        built.test_client().get("/t/renames")
    db.session.expire_all()
    assert db.session.get(Hub, hub.id).name == "Kept"


def test_the_connection_goes_back_with_transactions_after_a_reads_only_page(app, backend):
    hub, _ = hub_with_plan(cap=10, name="Before")
    client = app.test_client()
    for _ in range(3):  # whichever pooled connection serves it
        assert client.get(f"/h/{hub.slug}").status_code == 200
    with app.app_context():  # the serving app's pool, one request after another as a worker would
        for _ in range(3):
            db.session.get(Hub, hub.id).name = "Rolled back"
            db.session.flush()
            if backend == "postgresql":
                assert db.session.connection().connection.driver_connection.autocommit is False
            db.session.rollback()
            db.session.remove()
    db.session.expire_all()
    assert db.session.get(Hub, hub.id).name == "Before"
