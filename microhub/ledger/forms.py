"""Forms for the organizers' money pages: expenses, rejecting one, budgets and the money settings."""
from flask_wtf.file import FileField
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import Form
from .models import SPENDING_CATEGORIES

#: (value, label) of every category an organizer spends in.
CATEGORY_CHOICES = [(c.value, c.label) for c in SPENDING_CATEGORIES]


class ExpenseForm(Form):
    amount = StringField("Amount", validators=[DataRequired(), Length(max=20)], description="For example 45.90")
    currency = StringField("Currency", validators=[DataRequired(), Length(max=3)],
                           description="Always the hub's currency.")
    category = SelectField("Category", choices=CATEGORY_CHOICES)
    spent_on = DateField("Date spent", validators=[InputRequired(message="Give the date the money was spent.")],
                         description="Within the last year, at most a week ahead.")
    payee = StringField("Paid to", validators=[DataRequired(), Length(max=120)])
    description = TextAreaField("What it paid for", validators=[DataRequired(), Length(max=2000)],
                                description="Public: it appears in the transparency report.")
    receipt = FileField("Receipt (optional)",
                        description="A PDF, PNG or JPEG of at most 5 MB; only the hub's organizers can open it.")


class CorrectionForm(Form):
    amount = StringField("Right amount", validators=[DataRequired(), Length(max=20)], description="For example 45.90")
    category = SelectField("Right category", choices=CATEGORY_CHOICES)
    reason = StringField("Why (public, with the correction)", validators=[
        DataRequired(message="Say why: it is public with the correction."), Length(max=500)])


class RejectForm(Form):
    reason = TextAreaField("Why it is rejected", validators=[DataRequired(), Length(max=1000)])


class BudgetForm(Form):
    category = SelectField("Category", choices=CATEGORY_CHOICES)
    amount = StringField("Monthly amount", validators=[InputRequired(), Length(max=20)],
                         description="0 ends the budget from that month.")
    month = StringField("From month", validators=[DataRequired(), Length(max=7)], description="YYYY-MM, e.g. 2026-03")


class MoneySettingsForm(Form):
    two_approvals_above = StringField(
        "Two organizers approve expenses above", validators=[Optional(), Length(max=20)],
        description="An amount in the hub's currency; leave empty for one approval whatever the amount.")
