"""The organizers' money pages: expenses and their receipts, approvals and payment, budgets, the money settings."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error, submit_form
from ..hubs.access import Permission, hub_for, in_hub_or_404
from ..money import CURRENCIES
from . import budgets, expenses, receipts
from .expense_models import Expense, ExpenseStatus
from .forms import BudgetForm, CorrectionForm, ExpenseForm, MoneySettingsForm, RejectForm

bp = Blueprint("money", __name__)


def _amount_text(amount_minor: int | None, currency: str) -> str:
    if amount_minor is None:
        return ""
    return str(Decimal(amount_minor).scaleb(-CURRENCIES.get(currency, 2)))


def _info(form: ExpenseForm) -> expenses.ExpenseInfo:
    return expenses.ExpenseInfo(amount=form.amount.data, currency=form.currency.data, category=form.category.data,
                                spent_on=form.spent_on.data, payee=form.payee.data, description=form.description.data)


def _overview(hub, budget_form=None, settings_form=None):
    threshold = _amount_text(expenses.two_approvals_above(hub.id), hub.currency)
    settings_form = settings_form or MoneySettingsForm(formdata=None, two_approvals_above=threshold)
    failed = bool((budget_form and budget_form.errors) or settings_form.errors)
    return render_template("ledger/money.html", hub=hub, by_status=expenses.hub_expenses(hub.id),
                           budgets=budgets.hub_budgets(hub.id), budget_form=budget_form or BudgetForm(formdata=None),
                           settings_form=settings_form, statuses=ExpenseStatus), 400 if failed else 200


@bp.get("/h/<slug>/manage/money")
def index(slug: str):
    return _overview(hub_for(slug, Permission.MANAGE))


@bp.post("/h/<slug>/manage/money/budgets")
def set_budget(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = BudgetForm()
    done = submit_form(form, lambda: budgets.set_budget(hub, category=form.category.data, amount=form.amount.data,
                                                        month=form.month.data, actor=current_user),
                       done="Budget saved.", to=url_for("money.index", slug=hub.slug))
    return done or _overview(hub, budget_form=form)


@bp.post("/h/<slug>/manage/money/settings")
def settings(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = MoneySettingsForm()
    done = submit_form(form, lambda: expenses.save_settings(hub, two_approvals_above=form.two_approvals_above.data,
                                                            actor=current_user),
                       done="Money settings saved.", to=url_for("money.index", slug=hub.slug))
    return done or _overview(hub, settings_form=form)


@bp.route("/h/<slug>/manage/money/expenses/new", methods=["GET", "POST"])
def new_expense(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = ExpenseForm(currency=hub.currency, spent_on=expenses.today_in(hub))
    if form.validate_on_submit():
        try:
            expense = expenses.create_draft(hub, _info(form), upload=form.receipt.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Expense saved as a draft. Submit it when it is ready for approval.", "success")
            return redirect(url_for("money.expense", slug=hub.slug, expense_id=expense.id))
    return render_template("ledger/expense_new.html", hub=hub, form=form), 400 if form.errors else 200


def _show(hub, expense: Expense, form: ExpenseForm | None = None, reject_form: RejectForm | None = None,
          correct_form: CorrectionForm | None = None):
    if form is None and expense.status is ExpenseStatus.DRAFT:
        form = ExpenseForm(formdata=None, obj=expense, currency=expense.currency, category=expense.category.value,
                           amount=_amount_text(expense.amount_minor, expense.currency))
    reject_form = reject_form or RejectForm(formdata=None)
    correct_form = correct_form or CorrectionForm(formdata=None, category=expense.category.value,
                                                  amount=_amount_text(expense.amount_minor, expense.currency))
    failed = bool((form and form.errors) or reject_form.errors or correct_form.errors)
    return render_template("ledger/expense.html", hub=hub, expense=expense, form=form, reject_form=reject_form,
                           correct_form=correct_form,
                           confirm=ConfirmForm(), needed=expenses.approvals_needed(hub, expense),
                           statuses=ExpenseStatus), 400 if failed else 200


@bp.route("/h/<slug>/manage/money/expenses/<int:expense_id>", methods=["GET", "POST"])
def expense(slug: str, expense_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    found = in_hub_or_404(Expense, expense_id, hub_id=hub.id)
    if found.status is not ExpenseStatus.DRAFT:
        if request.method == "POST":
            flash(f"Only a draft can be changed; this expense is {found.status.value}.", "error")
            return redirect(url_for("money.expense", slug=hub.slug, expense_id=found.id))
        return _show(hub, found)
    form = ExpenseForm()
    if form.validate_on_submit():
        try:
            expenses.update_draft(hub, found.id, _info(form), upload=form.receipt.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Draft saved.", "success")
            return redirect(url_for("money.expense", slug=hub.slug, expense_id=found.id))
    return _show(hub, found, form=form if form.errors else None)


def _act(slug: str, expense_id: int, done: str, act):
    """Run one state change named by a button (a CSRF-only form); a refusal is flashed on the expense's page."""
    hub = hub_for(slug, Permission.MANAGE)
    found = in_hub_or_404(Expense, expense_id, hub_id=hub.id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        act(hub, found.id, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("money.expense", slug=hub.slug, expense_id=found.id))


@bp.post("/h/<slug>/manage/money/expenses/<int:expense_id>/submit")
def submit(slug: str, expense_id: int):
    return _act(slug, expense_id, "Submitted for approval.", expenses.submit)


@bp.post("/h/<slug>/manage/money/expenses/<int:expense_id>/approve")
def approve(slug: str, expense_id: int):
    return _act(slug, expense_id, "Your approval is recorded.", expenses.approve)


@bp.post("/h/<slug>/manage/money/expenses/<int:expense_id>/pay")
def pay(slug: str, expense_id: int):
    return _act(slug, expense_id, "Paid: the expense is in the ledger.", expenses.pay)


def _on_expense(slug: str, expense_id: int, form, act, done: str, shown_as: str):
    """A form posted about one expense: `act(hub, expense, form)`, then back to its page (or the form's errors)."""
    hub = hub_for(slug, Permission.MANAGE)
    found = in_hub_or_404(Expense, expense_id, hub_id=hub.id)
    if form.validate_on_submit():
        try:
            act(hub, found, form)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("money.expense", slug=hub.slug, expense_id=found.id))
    return _show(hub, found, **{shown_as: form})


@bp.post("/h/<slug>/manage/money/expenses/<int:expense_id>/reject")
def reject(slug: str, expense_id: int):
    return _on_expense(slug, expense_id, RejectForm(), lambda hub, found, form: expenses.reject(
        hub, found.id, reason=form.reason.data, actor=current_user), "Expense rejected.", "reject_form")


@bp.post("/h/<slug>/manage/money/expenses/<int:expense_id>/correct")
def correct(slug: str, expense_id: int):
    return _on_expense(slug, expense_id, CorrectionForm(), lambda hub, found, form: expenses.correct(
        hub, found.id, amount=form.amount.data, category=form.category.data, reason=form.reason.data,
        actor=current_user), "Corrected: the ledger keeps the first figures, their reversal and the right ones.",
        "correct_form")


@bp.get("/h/<slug>/manage/money/expenses/<int:expense_id>/receipt")
def receipt(slug: str, expense_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    found = in_hub_or_404(Expense, expense_id, hub_id=hub.id)
    if not found.receipt_file:
        abort(404)
    try:
        path = receipts.path_of(found.receipt_file)
        response = send_file(path, mimetype=found.receipt_type, as_attachment=True, max_age=0, conditional=False,
                             download_name=receipts.download_name(found.receipt_name, found.receipt_type,
                                                                  f"receipt-{found.id}"))
    except FileNotFoundError:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
