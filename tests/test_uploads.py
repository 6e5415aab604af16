"""Uploaded files follow the transaction that refers to them, whatever kind they are (logo, cover, receipt)."""
import pytest

from microhub.extensions import db
from microhub.uploads import UploadFolder, image_kind

FOLDER = UploadFolder("test_uploads", (".png", ".jpg"))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00\x00\x00\x10\x00\x00\x00\x10" + b"\x00" * 8


def test_a_file_written_in_a_rolled_back_transaction_is_removed_and_a_committed_one_stays(app):
    lost = FOLDER.store(PNG, ".png")
    assert FOLDER.path_of(lost).exists()
    db.session.rollback()
    assert not FOLDER.path_of(lost).exists()
    kept = FOLDER.store(PNG, ".png")
    db.session.commit()
    assert FOLDER.path_of(kept).read_bytes() == PNG


def test_a_file_no_longer_used_goes_only_when_that_change_commits(app):
    name = FOLDER.store(PNG, ".png")
    db.session.commit()
    FOLDER.unused(name)
    db.session.rollback()
    assert FOLDER.path_of(name).exists()
    FOLDER.unused(name)
    db.session.commit()
    assert not FOLDER.path_of(name).exists()


@pytest.mark.parametrize("name", ["", "../etc/passwd", "a.svg", "x/../../y.png"])
def test_a_name_store_did_not_make_names_no_file(app, name):
    with pytest.raises(FileNotFoundError):
        FOLDER.path_of(name)


def test_images_are_told_by_their_content():
    assert image_kind(PNG) == ".png"
    assert image_kind(b"\xff\xd8\xff\xe0" + b"\x00" * 8) == ".jpg"
    assert image_kind(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None
    assert image_kind(PNG[:20]) is None
