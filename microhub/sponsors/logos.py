"""Sponsor logos: PNG or JPEG of at most 1 MB, told by their content; kept under instance/sponsor_logos/ with a
random name, tied to the transaction that refers to them (`microhub.uploads`)."""
from __future__ import annotations

from pathlib import Path

from ..errors import ValidationFailed
from ..uploads import IMAGE_TYPES, UploadFolder, image_kind, read_upload

MAX_LOGO_BYTES = 1024 * 1024
MIMETYPES = IMAGE_TYPES
LOGOS = UploadFolder("sponsor_logos", tuple(IMAGE_TYPES))


def checked(upload) -> tuple[bytes, str] | None:
    """The upload's bytes and extension when it is a PNG or JPEG of at most 1 MB; None when no file was sent."""
    data = read_upload(upload, MAX_LOGO_BYTES, "A logo may be 1 MB at most.", "logo")
    if data is None:
        return None
    kind = image_kind(data)
    if kind is None:
        raise ValidationFailed("A logo is a PNG or JPEG image; this file is neither (SVG is not taken).", field="logo")
    return data, kind


def store(logo: tuple[bytes, str]) -> str:
    """Write the logo under a random name (never the sender's); returns that name."""
    return LOGOS.store(*logo)


def path_of(stored_name: str) -> Path:
    """The file of a stored name; a name that is not one `store` made names nothing."""
    return LOGOS.path_of(stored_name)
