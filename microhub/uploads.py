"""Files people upload (sponsor logos, hub covers, expense receipts): told by their content, never by their name,
kept under the instance folder with random names, and tied to the transaction that refers to them.

A file written in a transaction that does not commit is removed again; a file a change stops using (replaced or
cleared) is removed once that change commits, and kept when it rolls back.
"""
from __future__ import annotations

import os
import secrets
import struct
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from .errors import ValidationFailed
from .extensions import db

PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
IMAGE_TYPES = {".png": "image/png", ".jpg": "image/jpeg"}
#: Session.info keys: files the open transaction wrote, and files it stopped using.
_WRITTEN, _UNUSED = "microhub.uploads.written", "microhub.uploads.unused"


def image_kind(data: bytes) -> str | None:
    """'.png' or '.jpg' when the bytes are one (a PNG must start with its IHDR chunk), else None."""
    if data.startswith(PNG) and len(data) >= 24 and data[12:16] == b"IHDR":
        width, height = struct.unpack(">II", data[16:24])
        return ".png" if 0 < width <= 10_000 and 0 < height <= 10_000 else None
    if data.startswith(JPEG) and len(data) > 4 and data[3] >= 0xC0:  # the first marker after start-of-image
        return ".jpg"
    return None


def read_upload(upload, most_bytes: int, too_big: str, field: str) -> bytes | None:
    """The upload's bytes (a werkzeug FileStorage, or None); None when no file was sent. Reads at most one byte
    past the limit, so a huge upload is refused (with `too_big`) without being held in memory."""
    if upload is None or not getattr(upload, "filename", None):
        return None
    data = upload.stream.read(most_bytes + 1)
    if len(data) > most_bytes:
        raise ValidationFailed(too_big, field=field)
    return data


def read_image(upload, most_bytes: int, too_big: str, not_image: str, field: str) -> tuple[bytes, str] | None:
    """The upload's bytes and extension when it is a PNG or JPEG of at most `most_bytes`; None when no file was
    sent; refused with `too_big` or `not_image` otherwise."""
    data = read_upload(upload, most_bytes, too_big, field)
    if data is None:
        return None
    kind = image_kind(data)
    if kind is None:
        raise ValidationFailed(not_image, field=field)
    return data, kind


@dataclass(frozen=True)
class UploadFolder:
    """One kind of upload: its folder under the instance path, the extensions a stored name may end in, and the
    mode its files are written with."""

    name: str
    extensions: tuple[str, ...]
    mode: int = 0o644

    def path(self) -> Path:
        return Path(current_app.instance_path) / self.name

    def store(self, data: bytes, extension: str) -> str:
        """Write the bytes under a random name (never the sender's; O_EXCL, so never reused); returns that name."""
        target = self.path()
        target.mkdir(parents=True, exist_ok=True)
        name = secrets.token_hex(16) + extension
        fd = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, self.mode)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        _session().info.setdefault(_WRITTEN, []).append(target / name)
        return name

    def path_of(self, stored_name: str | None) -> Path:
        """The file of a stored name; a name that is not one `store` made names nothing (FileNotFoundError)."""
        if not stored_name or secure_filename(stored_name) != stored_name \
                or Path(stored_name).suffix not in self.extensions:
            raise FileNotFoundError(stored_name)
        return self.path() / stored_name

    def unused(self, stored_name: str | None) -> None:
        """The current change stops using this file: it goes once the change commits."""
        if stored_name:
            _session().info.setdefault(_UNUSED, []).append(self.path_of(stored_name))


def _session() -> Session:
    """The current session, in a transaction: its end (commit or not) is what decides the files' fate."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    return session


def _remove(paths) -> None:
    for path in paths or ():
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a released savepoint commits nothing yet
        return
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_UNUSED, None))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (a commit took its lists first): nothing refers to the
    # files it wrote, and the files it meant to stop using are still in use.
    if transaction.parent is None:
        _remove(session.info.pop(_WRITTEN, None))
        session.info.pop(_UNUSED, None)
