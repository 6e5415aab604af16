"""The organizer's publish form and a member's choice about the report e-mail."""
from __future__ import annotations

from wtforms import HiddenField, RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..forms import Form


class PublishForm(Form):
    month = HiddenField("Month", validators=[DataRequired(message="Say which month to publish.")])
    note = TextAreaField("A note with the report (optional, public)", validators=[Length(max=2000)])


class ReportEmailForm(Form):
    choice = RadioField("The e-mail when a monthly report is out",
                        choices=[("send", "Send it to me"), ("stop", "Stop sending it")],
                        validators=[DataRequired(message="Choose one.")])
