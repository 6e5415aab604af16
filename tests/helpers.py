"""Steps any test may share: a browser of its own, signed in as a user (or anonymous)."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask

    from microhub.accounts.models import User

    from .conftest import Client


def signed_in(app: Flask, user: User | None) -> Client:
    """A new test client of `app`, logged in as `user` through the real login form; anonymous when None."""
    client = app.test_client()
    if user is not None:
        client.login(user.email)
    return client


def at_once(app: Flask, runners: list, prepare, act) -> list:
    """Real concurrency: one thread, app context and database connection per runner, all let go at one instant.

    `prepare(runner)` loads what the runner needs before the start line; `act(prepared)` is the race itself and
    returns a word for its outcome (rolling back what was refused). Returns every outcome.
    """
    from microhub.extensions import db

    barrier, outcomes, lock = threading.Barrier(len(runners)), [], threading.Lock()

    def run(runner):
        with app.app_context():
            prepared = prepare(runner)
            db.session.connection()  # check a connection out before the start line
            barrier.wait()
            outcome = act(prepared)
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=run, args=(runner,)) for runner in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def person_as(hub, who: str, member=None):
    """Someone trying to cross a line: None for a visitor, else a member of `hub` (`member` or a new one), a
    moderator of it, or an organizer of another hub."""
    from microhub.hubs.models import Role

    from .factories import RoleFactory, UserFactory, member_of, organizer_of

    if who == "member":
        return member or member_of(hub)
    if who == "moderator":
        user = UserFactory()
        RoleFactory(hub=hub, user=user, role=Role.MODERATOR)
        return user
    if who == "other_organizer":
        return organizer_of(slug="larks")[1]
    return None


def get_with_statements(app: Flask, client: Client, path: str):
    """GET `path` through `client` (serving `app`), asserting 200: the response and the SQL statements it ran, as
    sent to the serving app's engine."""
    from sqlalchemy import event

    from microhub.extensions import db

    seen: list[str] = []
    with app.app_context():  # the serving app's engine, not the test's own
        engine = db.engine
    listen = lambda *args: seen.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert response.status_code == 200
    return response, seen
