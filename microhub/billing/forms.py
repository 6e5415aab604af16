"""Forms for an organizer's plans and the test-mode checkout."""
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form

SHARE_LABEL = "Send to the scholarship fund per payment"
SHARE_HINT = ("An amount in the hub's currency, from 0 (nothing) up to the plan's price; "
              "members see it with the plan. For example 2.00")


class PlanForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    includes = TextAreaField("What it includes", validators=[Length(max=4000)], description="One item per line.")
    price = StringField("Price", validators=[DataRequired(), Length(max=20)], description="For example 12.50")
    interval = SelectField("Billed", choices=[("month", "every month"), ("year", "every year")])
    scholarship_share = StringField(SHARE_LABEL, default="0", validators=[Length(max=20)], description=SHARE_HINT)


class PlanEditForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    includes = TextAreaField("What it includes", validators=[Length(max=4000)], description="One item per line.")
    active = BooleanField("Open for new members")
    #: None when the field is not sent at all: the share stays as it is.
    scholarship_share = StringField(SHARE_LABEL, default=None, validators=[Length(max=20)], description=SHARE_HINT)


class CardForm(Form):
    card_number = StringField("Card number", validators=[DataRequired(), Length(max=30)],
                              render_kw={"inputmode": "numeric", "autocomplete": "cc-number"},
                              description="Test cards: 4242 4242 4242 4242 pays; 4000 0000 0000 0002 is declined; "
                                          "4000 0000 0000 9995 has insufficient funds; 4000 0000 0000 0341 pays now "
                                          "and fails at renewal.")
    expiry = StringField("Expiry (MM/YY)", default="12/34", validators=[DataRequired(), Length(max=7)],
                         render_kw={"autocomplete": "cc-exp"})
    cvc = StringField("CVC", default="123", validators=[DataRequired(), Length(min=3, max=4)],
                      render_kw={"inputmode": "numeric", "autocomplete": "cc-csc"})
