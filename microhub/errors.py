"""Domain errors: services raise them, views turn them into form errors, flashes or status codes."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the request; `message` is safe to show, `field` names the form field at fault."""

    status_code = 400

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ValidationFailed(DomainError):
    status_code = 400


class NotFound(DomainError):
    """A row named in a form or URL is not there, or not in this hub; `message` says which."""

    status_code = 404


class NotAllowed(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class Throttled(DomainError):
    status_code = 429


class NotYet(Exception):
    """A payment event that needs another one's news first (a refund processed before its payment): processing
    puts it back to wait with the usual backoff, as expected rather than as a failure."""


class NotOurs(Exception):
    """A payment event about something this installation did not create (another product on the same
    Stripe account, an unknown hold, subscription or customer). Processing marks it ignored with this
    reason instead of retrying it."""
