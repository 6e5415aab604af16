"""Expense receipts: checked by their content, kept under instance/receipts/ with a random name, organizers only."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.utils import secure_filename

from ..errors import ValidationFailed
from ..extensions import db
from ..forms import flattened

#: Largest receipt kept, in bytes.
MAX_RECEIPT_BYTES = 5 * 1024 * 1024
#: What a receipt may be, told by its first bytes (never by its name or the browser's content type).
MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
EXTENSIONS = {mimetype: extension for _, mimetype, extension in MAGIC}
#: Files written in the open transaction (removed if it does not commit) and files it replaces (removed if it does).
_WRITTEN, _REPLACED = "microhub.receipts.written", "microhub.receipts.replaced"


@dataclass(frozen=True)
class Receipt:
    """A checked upload, not yet on disk: its bytes, its type as its content says, and the name it came with."""

    data: bytes
    mimetype: str
    name: str


def folder() -> Path:
    return Path(current_app.instance_path) / "receipts"


def checked(upload) -> Receipt | None:
    """The upload (a werkzeug FileStorage, or None) as a Receipt; None when no file was sent.

    Reads at most one byte past the limit, so a huge upload is refused without being held in memory.
    """
    if upload is None or not getattr(upload, "filename", None):
        return None
    data = upload.stream.read(MAX_RECEIPT_BYTES + 1)
    if len(data) > MAX_RECEIPT_BYTES:
        raise ValidationFailed("A receipt may be 5 MB at most.", field="receipt")
    if not data:
        raise ValidationFailed("The receipt file is empty.", field="receipt")
    for magic, mimetype, _ in MAGIC:
        if data.startswith(magic):
            return Receipt(data, mimetype, flattened(upload.filename)[:200])
    raise ValidationFailed("A receipt is a PDF, PNG or JPEG file; this file is none of those.", field="receipt")


def store(receipt: Receipt) -> str:
    """Write the receipt under a random name (never the sender's); returns that name."""
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + EXTENSIONS[receipt.mimetype]
    # O_EXCL: a name is never reused, even in the astronomically unlikely case of a collision.
    fd = os.open(target / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(receipt.data)
    db.session().info.setdefault(_WRITTEN, []).append(target / name)
    return name


def replaced(stored_name: str | None) -> None:
    """The receipt `stored_name` is no longer used: its file goes once the current transaction commits."""
    if stored_name:
        db.session().info.setdefault(_REPLACED, []).append(path_of(stored_name))


def _remove(paths) -> None:
    for path in paths or ():
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a released savepoint commits nothing yet
        return
    session.info.pop(_WRITTEN, None)
    _remove(session.info.pop(_REPLACED, None))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (that one took its lists first): nothing refers to the
    # files it wrote, and the files it meant to replace are still in use.
    if transaction.parent is None:
        _remove(session.info.pop(_WRITTEN, None))
        session.info.pop(_REPLACED, None)


def path_of(stored_name: str) -> Path:
    """The file of a stored name; a name that is not one `store` made names nothing."""
    if secure_filename(stored_name) != stored_name or not stored_name:
        raise FileNotFoundError(stored_name)
    return folder() / stored_name


def download_name(sent_name: str | None, mimetype: str, fallback: str) -> str:
    """A safe name for the download, ending in the extension its checked type has."""
    extension = EXTENSIONS.get(mimetype, "")
    stem = secure_filename(os.path.splitext(sent_name or "")[0]) or fallback
    return stem[:100] + extension
