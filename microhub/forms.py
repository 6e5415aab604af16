"""Form helpers shared by every domain: the base form that bounds text, and turning a domain error into a message."""
from __future__ import annotations

import re

from flask import flash, redirect
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import ValidationError

from .errors import DomainError

#: Control characters (NUL, CR, LF, ESC…), Unicode line/paragraph separators and lone surrogates.
_NOT_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: The same, but a text area keeps its line breaks and tabs.
_NOT_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def no_control_characters(form, field) -> None:
    """Refuse invisible characters in a one-line field: they break e-mail headers, calendars and PostgreSQL."""
    if isinstance(field.data, str) and _NOT_ONE_LINE.search(field.data):
        raise ValidationError("Use one line of ordinary text: no line breaks or invisible control characters.")


def no_control_characters_but_lines(form, field) -> None:
    if isinstance(field.data, str) and _NOT_TEXT.search(field.data):
        raise ValidationError("Remove the invisible control characters from this text.")


def one_line(text: str | None) -> bool:
    """True when `text` has no control characters: the check services make for values jobs and commands pass in."""
    return not _NOT_ONE_LINE.search(text or "")


def flattened(text: str | None) -> str:
    """`text` as one line: each run of control characters (CR/LF included) becomes a space."""
    return " ".join(_NOT_ONE_LINE.sub(" ", text or "").split())


class Form(FlaskForm):
    """Every MicroHub form: one-line fields refuse control characters, text areas all but line breaks."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            field_class = unbound_field.field_class
            check = (no_control_characters_but_lines if issubclass(field_class, TextAreaField)
                     else no_control_characters if issubclass(field_class, StringField) else None)
            if check is None:
                return unbound_field.bind(form=form, **options)
            # A copy, so the class's own field definition never accumulates checks form after form.
            args = list(unbound_field.args)
            validators = unbound_field.kwargs.get("validators") or (args.pop(1) if len(args) > 1 else None) or []
            copy = UnboundField(field_class, *args, name=unbound_field.name,
                                **{**unbound_field.kwargs, "validators": [check, *validators]})
            return copy.bind(form=form, **options)


def show_error(form: FlaskForm, error: DomainError) -> None:
    """Attach the error to its field so it is read out next to it; otherwise flash it."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")


def submit_form(form: FlaskForm, act, *, done, to: str):
    """The one shape of a form post: validate `form`, run `act()` (a service call that flushes); on success commit,
    flash `done` (a message, or a function of what `act()` returned that makes one) and redirect to `to`; on a
    DomainError roll back and show its message beside its field.

    Returns the redirect, or None when the page is to be shown again with the form and its errors (status 400).
    """
    from .extensions import db

    if not form.validate_on_submit():
        return None
    try:
        result = act()
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return None
    db.session.commit()
    flash(done(result) if callable(done) else done, "success")
    return redirect(to)


def timezone_choices() -> list[tuple[str, str]]:
    from zoneinfo import available_timezones

    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [("UTC", "UTC")] + [(z, z.replace("_", " ")) for z in zones]
