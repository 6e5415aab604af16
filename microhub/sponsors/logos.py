"""Sponsor logos: PNG or JPEG of at most 1 MB, told by their content; kept under instance/sponsor_logos/ with a
random name. A file written in a transaction that does not commit is removed again."""
from __future__ import annotations

import os
import secrets
import struct
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from ..errors import ValidationFailed

MAX_LOGO_BYTES = 1024 * 1024
PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
MIMETYPES = {".png": "image/png", ".jpg": "image/jpeg"}
_WRITTEN = "microhub.sponsor_logos.written"


def folder() -> Path:
    return Path(current_app.instance_path) / "sponsor_logos"


def _kind(data: bytes) -> str | None:
    """'.png' or '.jpg' when the bytes are one (a PNG must start with its IHDR chunk), else None."""
    if data.startswith(PNG) and data[12:16] == b"IHDR" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return ".png" if 0 < width <= 10_000 and 0 < height <= 10_000 else None
    if data.startswith(JPEG) and len(data) > 4 and data[3] >= 0xC0:  # the first marker after start-of-image
        return ".jpg"
    return None


def checked(upload) -> tuple[bytes, str] | None:
    """The upload's bytes and extension when it is a PNG or JPEG of at most 1 MB; None when no file was sent.
    Reads at most one byte past the limit, so a huge upload is refused without being held in memory."""
    if upload is None or not getattr(upload, "filename", None):
        return None
    data = upload.stream.read(MAX_LOGO_BYTES + 1)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationFailed("A logo may be 1 MB at most.", field="logo")
    kind = _kind(data)
    if kind is None:
        raise ValidationFailed("A logo is a PNG or JPEG image; this file is neither (SVG is not taken).", field="logo")
    return data, kind


def store(logo: tuple[bytes, str]) -> str:
    """Write the logo under a random name (never the sender's); returns that name."""
    data, kind = logo
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + kind
    fd = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    from ..extensions import db

    db.session().info.setdefault(_WRITTEN, []).append(target / name)
    return name


def path_of(stored_name: str) -> Path:
    """The file of a stored name; a name that is not one `store` made names nothing."""
    if not stored_name or secure_filename(stored_name) != stored_name or Path(stored_name).suffix not in MIMETYPES:
        raise FileNotFoundError(stored_name)
    return folder() / stored_name


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_WRITTEN, None)


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    if transaction.parent is None:  # ended without a commit: nothing refers to the files it wrote
        for path in session.info.pop(_WRITTEN, None) or ():
            path.unlink(missing_ok=True)
