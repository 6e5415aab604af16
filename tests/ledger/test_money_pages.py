"""Money pages are the hub's organizers' alone; bad amounts, currencies, dates and receipts are refused with a
message and change nothing; a receipt is stored under a random name and served only as an attachment."""
from __future__ import annotations

import io

import pytest

from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.ledger import expenses
from microhub.ledger.expense_models import Expense

from ..factories import RoleFactory, member_of, organizer_of
from ..helpers import signed_in
from .helpers import PDF, expense_data, info, receipts_dir, stored_files, submitted  # noqa: F401

pytestmark = pytest.mark.usefixtures("receipts_dir")


def _expense_with_receipt(hub, organizer):
    upload = _upload(PDF, "march.pdf")
    expense = expenses.create_draft(hub, info(hub), upload=upload, actor=organizer)
    db.session.commit()
    return expense


class _Upload:
    """What the form hands the service: a name and a stream, as werkzeug's FileStorage has."""

    def __init__(self, data: bytes, filename: str):
        self.stream, self.filename = io.BytesIO(data), filename


def _upload(data: bytes, filename: str):
    return _Upload(data, filename)


def _pages(hub, expense) -> list[str]:
    base = f"/h/{hub.slug}/manage/money"
    return [base, f"{base}/expenses/new", f"{base}/expenses/{expense.id}", f"{base}/expenses/{expense.id}/receipt"]


def _outsider(hub, who: str):
    if who == "member":
        return member_of(hub)
    if who == "moderator":
        return RoleFactory(hub=hub, role=Role.MODERATOR).user
    return organizer_of()[1]  # another hub's organizer


@pytest.mark.parametrize("who", ["member", "moderator", "other_hubs_organizer"])
def test_money_pages_drafts_and_receipts_are_refused_to_people_who_do_not_organize_the_hub(app, who):
    hub, organizer = organizer_of()
    expense = _expense_with_receipt(hub, organizer)
    client = signed_in(app, _outsider(hub, who))
    for page in _pages(hub, expense):
        response = client.get(page)
        assert response.status_code == 403, page
        assert b"%PDF" not in response.data and b"Forum Host" not in response.data
    for action in ("submit", "approve", "pay"):
        assert client.post(f"{_pages(hub, expense)[2]}/{action}").status_code in (400, 403)
    assert db.session.get(Expense, expense.id).status.value == "draft"


def test_money_pages_send_visitors_to_log_in(app):
    hub, organizer = organizer_of()
    expense = _expense_with_receipt(hub, organizer)
    client = app.test_client()
    for page in _pages(hub, expense):
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response.headers["Location"], page


def test_another_hubs_expense_is_not_found_from_an_organizers_own_hub(app):
    hub, organizer = organizer_of()
    expense = _expense_with_receipt(hub, organizer)
    other_hub, other = organizer_of()
    client = signed_in(app, other)
    base = f"/h/{other_hub.slug}/manage/money/expenses/{expense.id}"
    for page in (base, f"{base}/receipt"):
        assert client.get(page).status_code == 404
    token = client.csrf_token(f"/h/{other_hub.slug}/manage/money")
    for action in ("submit", "approve", "pay", "reject"):
        assert client.post(f"{base}/{action}", data={"csrf_token": token, "reason": "x"}).status_code == 404
    assert db.session.get(Expense, expense.id).status.value == "draft"


def test_a_receipt_is_stored_under_a_random_name_and_served_to_organizers_as_an_attachment(app, receipts_dir):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    data = {**expense_data(hub), "receipt": (io.BytesIO(PDF), "../../Invoice März.pdf")}
    assert client.submit(f"/h/{hub.slug}/manage/money/expenses/new", data).status_code == 302
    expense = db.session.scalar(db.select(Expense))
    files = stored_files(receipts_dir)
    assert [f.name for f in files] == [expense.receipt_file] and "Invoice" not in expense.receipt_file
    assert files[0].read_bytes() == PDF and expense.receipt_type == "application/pdf"
    response = client.get(f"/h/{hub.slug}/manage/money/expenses/{expense.id}/receipt")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert ".." not in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.mimetype == "application/pdf"


@pytest.mark.parametrize("data, name", [
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "photo.png"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "scan.JPG"),
])
def test_png_and_jpeg_receipts_are_kept(app, receipts_dir, data, name):
    hub, organizer = organizer_of()
    expense = expenses.create_draft(hub, info(hub), upload=_upload(data, name), actor=organizer)
    db.session.commit()
    assert (receipts_dir / expense.receipt_file).read_bytes() == data


BAD_FIELDS = [
    ({"amount": "0"}, "more than nothing"),
    ({"amount": "0.00"}, "more than nothing"),
    ({"amount": "-5"}, "zero or more"),
    ({"amount": "99999999999"}, "The most MicroHub takes"),
    ({"amount": "1.234"}, "decimal places"),
    ({"currency": "USD"}, "hub&#39;s currency, EUR"),
    ({"spent_on": "2001-01-01"}, "within the last year"),
    ({"spent_on": "2999-01-01"}, "at most a week from today"),
    ({"category": "income.membership"}, "Not a valid choice"),
]


@pytest.mark.parametrize("changes, message", BAD_FIELDS, ids=[next(iter(c)) + "=" + v for c, _ in BAD_FIELDS
                                                               for v in c.values()])
def test_a_bad_expense_is_refused_with_a_message_and_changes_nothing(app, receipts_dir, changes, message):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    data = {**expense_data(hub, **changes), "receipt": (io.BytesIO(PDF), "ok.pdf")}
    response = client.submit(f"/h/{hub.slug}/manage/money/expenses/new", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Expense)) == 0
    assert stored_files(receipts_dir) == []


@pytest.mark.parametrize("content, message", [
    (b"MZ\x90\x00" + b"\x00" * 64, "PDF, PNG or JPEG"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "PDF, PNG or JPEG"),
    (b"<html><script>alert(1)</script>", "PDF, PNG or JPEG"),
    (b"%PDF-" + b"\x00" * (6 * 1024 * 1024), "5 MB at most"),
    (b"", "empty"),
], ids=["windows-exe", "elf", "html", "six-megabytes", "empty"])
def test_a_receipt_that_is_not_a_small_pdf_png_or_jpeg_is_refused(app, receipts_dir, content, message):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    data = {**expense_data(hub), "receipt": (io.BytesIO(content), "receipt.pdf", "application/pdf")}
    response = client.submit(f"/h/{hub.slug}/manage/money/expenses/new", data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Expense)) == 0
    assert stored_files(receipts_dir) == []


def test_a_bad_receipt_on_a_draft_edit_keeps_the_draft_and_its_receipt(app, receipts_dir):
    hub, organizer = organizer_of()
    expense = _expense_with_receipt(hub, organizer)
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    data = {**expense_data(hub, amount="99.00"), "receipt": (io.BytesIO(b"MZ\x90\x00"), "new.pdf")}
    assert client.submit(page, data).status_code == 400
    db.session.expire_all()
    kept = db.session.get(Expense, expense.id)
    assert (kept.amount_minor, kept.receipt_file) == (4590, expense.receipt_file)
    assert [f.name for f in stored_files(receipts_dir)] == [expense.receipt_file]


def test_the_money_page_lists_expenses_by_state_with_a_link_to_each(app):
    hub, organizer = organizer_of()
    submitted(hub, organizer, payee="Moderator stipend")
    text = signed_in(app, organizer).get(f"/h/{hub.slug}/manage/money").get_data(as_text=True)
    assert "Submitted (1)" in text and "Moderator stipend" in text and ">Money<" in text


def test_a_new_receipt_on_a_draft_replaces_the_old_file_once_saved(app, receipts_dir):
    hub, organizer = organizer_of()
    expense = _expense_with_receipt(hub, organizer)
    old = expense.receipt_file
    client = signed_in(app, organizer)
    page = f"/h/{hub.slug}/manage/money/expenses/{expense.id}"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
    assert client.submit(page, {**expense_data(hub), "receipt": (io.BytesIO(png), "new.png")}).status_code == 302
    db.session.expire_all()
    kept = db.session.get(Expense, expense.id)
    assert kept.receipt_file != old and [f.name for f in stored_files(receipts_dir)] == [kept.receipt_file]
    assert client.get(f"{page}/receipt").data == png


def test_a_receipt_written_in_a_transaction_that_rolls_back_is_removed(app, receipts_dir):
    hub, organizer = organizer_of()
    expenses.create_draft(hub, info(hub), upload=_upload(PDF, "a.pdf"), actor=organizer)
    assert len(stored_files(receipts_dir)) == 1
    db.session.rollback()
    assert stored_files(receipts_dir) == []
    assert db.session.scalar(db.select(db.func.count()).select_from(Expense)) == 0
