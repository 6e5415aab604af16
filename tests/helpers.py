"""Steps any test may share: a browser of its own, signed in as a user (or anonymous)."""
from __future__ import annotations

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
