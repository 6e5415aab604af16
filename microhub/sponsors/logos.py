"""Sponsor logos: PNG or JPEG of at most 1 MB, told by their content; kept under instance/sponsor_logos/ with a
random name, tied to the transaction that refers to them (`microhub.uploads`)."""
from __future__ import annotations

from pathlib import Path

from ..uploads import IMAGE_TYPES, UploadFolder, read_image

MAX_LOGO_BYTES = 1024 * 1024
MIMETYPES = IMAGE_TYPES
LOGOS = UploadFolder("sponsor_logos", tuple(IMAGE_TYPES))


def checked(upload) -> tuple[bytes, str] | None:
    """The upload's bytes and extension when it is a PNG or JPEG of at most 1 MB; None when no file was sent."""
    return read_image(upload, MAX_LOGO_BYTES, "A logo may be 1 MB at most.",
                      "A logo is a PNG or JPEG image; this file is neither (SVG is not taken).", "logo")


def store(logo: tuple[bytes, str]) -> str:
    """Write the logo under a random name (never the sender's); returns that name."""
    return LOGOS.store(*logo)


def path_of(stored_name: str) -> Path:
    """The file of a stored name; a name that is not one `store` made names nothing."""
    return LOGOS.path_of(stored_name)
