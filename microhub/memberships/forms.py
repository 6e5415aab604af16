"""Forms for joining, leaving and the local billing portal."""
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form


class JoinForm(Form):
    plan = RadioField("Choose a plan", validators=[DataRequired(message="Choose a plan.")], validate_choice=False)


class LeaveForm(Form):
    feedback = TextAreaField("Anything you'd like the organizers to know? (optional)", validators=[Length(max=4000)])


class CardForm(Form):
    card_number = StringField("New test card number", validators=[DataRequired(), Length(max=30)],
                              render_kw={"inputmode": "numeric", "autocomplete": "cc-number"})


class SwitchConfirmForm(Form):
    plan = HiddenField(validators=[DataRequired()])
    #: The moment the price shown was computed for (unix seconds): the switch is charged as of then.
    at = HiddenField(validators=[DataRequired()])
