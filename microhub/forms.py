"""Form helpers shared by every domain: turning a domain error into the form's own message."""
from __future__ import annotations

from flask import flash
from flask_wtf import FlaskForm

from .errors import DomainError


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Attach the error to its field so it is read out next to it; otherwise flash it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def timezone_choices() -> list[tuple[str, str]]:
    from zoneinfo import available_timezones

    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("UTC", "UTC")] + [(z, z.replace("_", " ")) for z in zones]
