"""A hub's identity: an accent colour white text stays readable on (WCAG AA), and a cover image told by its content."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import ValidationFailed
from ..uploads import IMAGE_TYPES, UploadFolder, read_image

#: WCAG 2.x AA for normal text.
AA_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
MAX_COVER_BYTES = 2 * 1024 * 1024
MIMETYPES = IMAGE_TYPES


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """Relative luminance of "#rrggbb" per WCAG 2.x."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two "#rrggbb" colours, from 1 to 21."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def check_accent(value: str | None) -> str | None:
    """The colour as "#rrggbb" (lower case), None when blank; refused when not a colour or when white text on it
    (the same ratio as it on white) stays under 4.5:1."""
    value = (value or "").strip().lower()
    if not value:
        return None
    if len(value) == 6 and not value.startswith("#"):
        value = "#" + value
    if not HEX_COLOUR.match(value):
        raise ValidationFailed("Write the colour as # and six hex digits, like #1f5f4a.", field="accent_color")
    ratio = contrast(value, "#ffffff")
    if ratio < AA_CONTRAST:
        raise ValidationFailed(
            f"{value} is too light: white text on it (and it on white) has a contrast of {ratio:.1f}:1, and "
            f"{AA_CONTRAST}:1 is needed to be readable. Pick a darker shade.", field="accent_color")
    return value


#: Covers live under instance/hub_covers/ with random names, tied to the transaction that refers to them.
COVERS = UploadFolder("hub_covers", tuple(IMAGE_TYPES))


def checked_cover(upload) -> tuple[bytes, str] | None:
    """The upload's bytes and extension when it is a PNG or JPEG of at most 2 MB; None when no file was sent."""
    return read_image(upload, MAX_COVER_BYTES, "A cover image may be 2 MB at most.",
                      "A cover image is a PNG or JPEG; this file is neither (SVG is not taken).", "cover")


def store_cover(cover: tuple[bytes, str]) -> str:
    """Write the cover under a random name (never the sender's); returns that name."""
    return COVERS.store(*cover)


def drop_after_commit(stored_name: str | None) -> None:
    """Remove a cover's file once the change that stopped using it commits."""
    COVERS.unused(stored_name)


def path_of(stored_name: str) -> Path:
    """The file of a stored name; a name that is not one `store_cover` made names nothing."""
    return COVERS.path_of(stored_name)
