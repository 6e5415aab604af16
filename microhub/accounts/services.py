"""Account rules: sign-up, sign-in, e-mail verification, password reset, profile."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from zoneinfo import available_timezones

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import update_where, utcnow
from ..email import send_email
from ..errors import ValidationFailed
from ..extensions import db
from ..urls import external_url
from . import logins, tokens
from .models import User

MIN_PASSWORD_LENGTH = 10
#: A few passwords people pick first; long enough to pass the length rule but guessed at once.
COMMON_PASSWORDS = {
    "password123", "password1234", "1234567890", "qwertyuiop", "123456789a", "iloveyou123",
    "letmein1234", "passw0rd123", "welcome123", "abcdefghij", "0123456789", "qwerty12345",
}


@dataclass
class SignUp:
    name: str
    email: str
    password: str
    timezone: str = "UTC"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(password: str, *, email: str = "", name: str = "") -> None:
    """Raise ValidationFailed unless the password is long, varied and not built from the person's name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed(f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password")
    if len(password) > 200:
        raise ValidationFailed("Use at most 200 characters.", field="password")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 5:
        raise ValidationFailed("This password is too easy to guess. Try a short sentence.", field="password")
    local_part = email.split("@")[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (
        name and len(name) >= 4 and name.lower().replace(" ", "") in lowered
    ):
        raise ValidationFailed("Don't build the password from your name or e-mail.", field="password")
    if not (re.search(r"[A-Za-z]", password) and re.search(r"[^A-Za-z]", password)) and len(password) < 16:
        raise ValidationFailed(
            "Mix letters with digits or symbols, or use 16 characters or more.", field="password"
        )


def check_timezone(name: str) -> str:
    if name not in _zones():
        raise ValidationFailed(f"{name!r} is not a known time zone.", field="timezone")
    return name


def _zones() -> set[str]:
    zones = current_app.extensions.get("microhub.zones")
    if zones is None:
        zones = current_app.extensions["microhub.zones"] = available_timezones() | {"UTC"}
    return zones


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def register(info: SignUp, next_url: str | None = None) -> User | None:
    """Create the account and e-mail its confirmation link, or, for an address with an account, e-mail its owner.

    Both take the same time (one password hash) and the caller answers both with the same words, so sign-up never
    tells anyone whether an address has an account. Returns the new user, or None when the address was taken.
    """
    email = normalize_email(info.email)
    check_password_strength(info.password, email=email, name=info.name)
    check_timezone(info.timezone)
    password_hash = hash_password(info.password)
    owner = db.session.scalar(db.select(User).filter_by(email=email))
    if owner is not None:
        send_email(owner.email, "Someone tried to sign up with your e-mail", "signup_exists", user=owner,
                   login_link=external_url("accounts.login"), reset_link=external_url("accounts.forgot_password"))
        return None
    user = User(email=email, name=info.name.strip(), password_hash=password_hash, timezone=info.timezone)
    db.session.add(user)
    db.session.flush()
    send_verification(user, next_url)
    return user


#: One answer for every failed log-in: a wrong password, an unknown address and an unconfirmed account read alike.
LOGIN_FAILED = ("That e-mail and password don't match a confirmed account. Signed up just now? "
                "Open the link we e-mailed you first.")


def authenticate(email: str, password: str) -> User:
    """Return the user for these credentials, or raise. Known, unknown and unconfirmed addresses take the same time
    and get the same words; guessing is limited per address and per network by `accounts.limits`."""
    user = db.session.scalar(db.select(User).filter_by(email=normalize_email(email)))
    # An unknown address is checked against a dummy hash of the same cost, so timing tells nothing.
    matches = check_password_hash(user.password_hash if user else _dummy_hash(), password) and user is not None
    if not matches:
        raise ValidationFailed(LOGIN_FAILED)
    if user.email_verified_at is None:
        # Someone who signed up with a stranger's address must not learn it was free by logging in: the
        # account opens only through the e-mailed link, which goes out again to whoever owns the address.
        send_verification(user)
        raise ValidationFailed(LOGIN_FAILED)
    return user


def _dummy_hash() -> str:
    cached = current_app.extensions.get("microhub.dummy_hash")
    if cached is None:
        cached = current_app.extensions["microhub.dummy_hash"] = hash_password(secrets.token_hex(16))
    return cached


def send_verification(user: User, next_url: str | None = None) -> None:
    token = tokens.make(tokens.VERIFY, user.id, user.email)
    link = external_url("accounts.verify_email", token=token, **({"next": next_url} if next_url else {}))
    send_email(user.email, "Confirm your e-mail for MicroHub", "verify_email", user=user, link=link)


def verify_email(token: str) -> tuple[User, bool]:
    """Confirm the address; returns (user, first time). The first confirmation also signs the person in."""
    user_id, bound = tokens.read(tokens.VERIFY, token, current_app.config["TOKEN_MAX_AGE_VERIFY"])
    user = db.session.get(User, user_id)
    if user is None or bound != tokens.fingerprint(user.email):
        raise ValidationFailed("This link is not valid any more.")
    first = update_where(User, user.id, User.email_verified_at.is_(None), email_verified_at=utcnow())
    return user, first


def request_password_reset(email: str) -> None:
    """E-mail a reset link if the address has an account; say nothing either way (no account probing)."""
    user = db.session.scalar(db.select(User).filter_by(email=normalize_email(email)))
    if user is None:
        return
    token = tokens.make(tokens.RESET, user.id, user.password_hash)
    link = external_url("accounts.reset_password", token=token)
    send_email(user.email, "Reset your MicroHub password", "reset_password", user=user, link=link)


def user_for_reset(token: str) -> User:
    user_id, bound = tokens.read(tokens.RESET, token, current_app.config["TOKEN_MAX_AGE_RESET"])
    user = db.session.get(User, user_id)
    if user is None or bound != tokens.fingerprint(user.password_hash):
        raise ValidationFailed("This link was used already or is not valid any more. Ask for a new one.")
    return user


def reset_password(token: str, new_password: str) -> User:
    user = user_for_reset(token)
    check_password_strength(new_password, email=user.email, name=user.name)
    user.password_hash = hash_password(new_password)
    logins.end_all(user)  # a new password signs every browser out, remember-me cookies included
    return user


def update_profile(user: User, *, name: str, timezone: str) -> User:
    user.name = name.strip()
    user.timezone = check_timezone(timezone)
    return user

