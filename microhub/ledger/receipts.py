"""Expense receipts: checked by their content, kept under instance/receipts/ with a random name, organizers only."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from werkzeug.utils import secure_filename

from ..errors import ValidationFailed
from ..forms import flattened
from ..uploads import UploadFolder, read_upload

#: Largest receipt kept, in bytes.
MAX_RECEIPT_BYTES = 5 * 1024 * 1024
#: What a receipt may be, told by its first bytes (never by its name or the browser's content type).
MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
EXTENSIONS = {mimetype: extension for _, mimetype, extension in MAGIC}
#: Private to organizers (0600), tied to the transaction that refers to them (`microhub.uploads`).
RECEIPTS = UploadFolder("receipts", tuple(EXTENSIONS.values()), mode=0o600)


@dataclass(frozen=True)
class Receipt:
    """A checked upload, not yet on disk: its bytes, its type as its content says, and the name it came with."""

    data: bytes
    mimetype: str
    name: str


def checked(upload) -> Receipt | None:
    """The upload (a werkzeug FileStorage, or None) as a Receipt; None when no file was sent.

    Reads at most one byte past the limit, so a huge upload is refused without being held in memory.
    """
    data = read_upload(upload, MAX_RECEIPT_BYTES, "A receipt may be 5 MB at most.", "receipt")
    if data is None:
        return None
    if not data:
        raise ValidationFailed("The receipt file is empty.", field="receipt")
    for magic, mimetype, _ in MAGIC:
        if data.startswith(magic):
            return Receipt(data, mimetype, flattened(upload.filename)[:200])
    raise ValidationFailed("A receipt is a PDF, PNG or JPEG file; this file is none of those.", field="receipt")


def store(receipt: Receipt) -> str:
    """Write the receipt under a random name (never the sender's); returns that name."""
    return RECEIPTS.store(receipt.data, EXTENSIONS[receipt.mimetype])


def replaced(stored_name: str | None) -> None:
    """The receipt `stored_name` is no longer used: its file goes once the current transaction commits."""
    RECEIPTS.unused(stored_name)


def path_of(stored_name: str) -> Path:
    """The file of a stored name; a name that is not one `store` made names nothing."""
    return RECEIPTS.path_of(stored_name)


def download_name(sent_name: str | None, mimetype: str, fallback: str) -> str:
    """A safe name for the download, ending in the extension its checked type has."""
    extension = EXTENSIONS.get(mimetype, "")
    stem = secure_filename(os.path.splitext(sent_name or "")[0]) or fallback
    return stem[:100] + extension
