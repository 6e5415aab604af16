"""A hub's identity: an accent colour white text stays readable on (WCAG AA), and a cover image told by its content."""
from __future__ import annotations

import os
import re
import secrets
import struct
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from ..errors import ValidationFailed

#: WCAG 2.x AA for normal text.
AA_CONTRAST = 4.5
HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
MAX_COVER_BYTES = 2 * 1024 * 1024
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
MIMETYPES = {".png": "image/png", ".jpg": "image/jpeg"}
_WRITTEN = "microhub.hub_covers.written"
_UNUSED = "microhub.hub_covers.unused"


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


def folder() -> Path:
    """Covers live under instance/hub_covers/ with random names; a file written in a transaction that does not
    commit is removed again, and a replaced cover once the change commits."""
    return Path(current_app.instance_path) / "hub_covers"


def _kind(data: bytes) -> str | None:
    """'.png' or '.jpg' when the bytes are one (a PNG must start with its IHDR chunk), else None."""
    if data.startswith(PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ".png" if 0 < width <= 10_000 and 0 < height <= 10_000 else None
    if data.startswith(JPEG) and len(data) > 4 and data[3] >= 0xC0:
        return ".jpg"
    return None


def checked_cover(upload) -> tuple[bytes, str] | None:
    """The upload's bytes and extension when it is a PNG or JPEG of at most 2 MB; None when no file was sent."""
    if upload is None or not getattr(upload, "filename", None):
        return None
    data = upload.stream.read(MAX_COVER_BYTES + 1)
    if len(data) > MAX_COVER_BYTES:
        raise ValidationFailed("A cover image may be 2 MB at most.", field="cover")
    kind = _kind(data)
    if kind is None:
        raise ValidationFailed("A cover image is a PNG or JPEG; this file is neither (SVG is not taken).",
                               field="cover")
    return data, kind


def store_cover(cover: tuple[bytes, str]) -> str:
    """Write the cover under a random name (never the sender's); returns that name."""
    data, kind = cover
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + kind
    fd = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    from ..extensions import db

    db.session().info.setdefault(_WRITTEN, []).append(target / name)
    return name


def drop_after_commit(stored_name: str | None) -> None:
    """Remove a cover's file once the change that stopped using it commits."""
    if stored_name:
        from ..extensions import db

        db.session().info.setdefault(_UNUSED, []).append(stored_name)


def path_of(stored_name: str) -> Path:
    """The file of a stored name; a name that is not one `store_cover` made names nothing."""
    if not stored_name or secure_filename(stored_name) != stored_name or Path(stored_name).suffix not in MIMETYPES:
        raise FileNotFoundError(stored_name)
    return folder() / stored_name


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WRITTEN, None)
        for name in session.info.pop(_UNUSED, None) or ():
            try:
                path_of(name).unlink(missing_ok=True)
            except (FileNotFoundError, RuntimeError):
                pass


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # ended without a commit: nothing refers to the files it wrote
        session.info.pop(_UNUSED, None)
        for path in session.info.pop(_WRITTEN, None) or ():
            path.unlink(missing_ok=True)
