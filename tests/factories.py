"""factory_boy factories; each commits, as a request would have."""
from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory

from microhub.accounts.models import User
from microhub.billing.models import Interval, Plan
from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Hub, HubRole, Role
from microhub.memberships.models import Membership, MembershipStatus

PASSWORD = "a-long-enough-passphrase"
_password_hash = None


def password_hash() -> str:
    # Hashing once keeps the suite fast; every factory user shares PASSWORD.
    global _password_hash
    if _password_hash is None:
        from microhub.accounts.services import hash_password

        _password_hash = hash_password(PASSWORD)
    return _password_hash


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password_hash = factory.LazyFunction(password_hash)
    timezone = "Europe/Berlin"
    email_verified_at = factory.LazyFunction(utcnow)


class HubFactory(Base):
    class Meta:
        model = Hub

    slug = factory.Sequence(lambda n: f"hub-{n}")
    name = factory.Sequence(lambda n: f"Hub number {n}")
    purpose = "People who meet about one clear thing."
    promises = "Answers within a day\nNo spam"
    rituals = "Weekly call"
    rules = "Be kind."
    cap = 20
    currency = "EUR"
    timezone = "Europe/Berlin"


class PlanFactory(Base):
    """A "Member" plan at 900 minor units a month, made directly: no gateway knows it until first used."""

    class Meta:
        model = Plan

    hub = factory.SubFactory(HubFactory)
    name = "Member"
    includes = ""
    price_minor = 900
    interval = Interval.MONTH


class RoleFactory(Base):
    class Meta:
        model = HubRole

    hub = factory.SubFactory(HubFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.ORGANIZER


class MembershipFactory(Base):
    class Meta:
        model = Membership

    hub = factory.SubFactory(HubFactory)
    user = factory.SubFactory(UserFactory)
    status = MembershipStatus.ACTIVE
    activated_at = factory.LazyFunction(utcnow)


def organizer_of(hub: Hub | None = None, **kwargs) -> tuple[Hub, User]:
    hub = hub or HubFactory(**kwargs)
    user = UserFactory()
    RoleFactory(hub=hub, user=user, role=Role.ORGANIZER)
    return hub, user


def member_of(hub: Hub, user: User | None = None) -> User:
    """An active member holding a seat, as `memberships.services.admit` would make one."""
    from microhub.memberships.services import admit

    user = user or UserFactory()
    admit(hub, user)
    db.session.commit()
    return user


# Cohorts have no factory here on purpose: `tests.cohorts.helpers.make_cohort` goes through
# `microhub.cohorts.services.create_cohort`, so every cohort gets its sessions as the app would make them.
