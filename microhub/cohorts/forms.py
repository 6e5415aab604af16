"""Forms for organizers' cohort pages. Types are checked here; the rules (ranges, zones, order) in services."""
from wtforms import (DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField,
                     TimeField, URLField)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import Form, timezone_choices
from .models import CohortFormat
from .services import WEEKDAYS

NUMBER = "Give a whole number."


class CohortDetailsForm(Form):
    title = StringField("Title", validators=[DataRequired(), Length(max=120)])
    goal = TextAreaField("Shared goal", validators=[DataRequired(), Length(max=2000)],
                         description="The one thing everyone works toward, in a sentence or two.")
    capacity = IntegerField("Capacity", default=8, validators=[InputRequired(message=NUMBER)],
                            description="Small on purpose: 2 to 50 people. A full cohort gets its own waitlist.")
    meeting_link = URLField("Meeting link (optional)", validators=[Optional(), Length(max=500)],
                            description="Shown only to enrolled members and organizers.")


class NewCohortForm(CohortDetailsForm):
    format = RadioField("Format", choices=[(f.value, f.label) for f in CohortFormat], default=CohortFormat.CIRCLE.value,
                        validate_choice=False)
    start_date = DateField("Start date", validators=[InputRequired(message="Give the start date.")],
                           description="The cohort starts on the first meeting day on or after this date (a Tuesday "
                                       "start for Monday sessions starts the next Monday); enrollment closes when "
                                       "that day begins in the cohort's time zone.")
    weeks = IntegerField("Length in weeks", default=6, validators=[InputRequired(message=NUMBER)])
    weekday = SelectField("Meets every", choices=list(enumerate(WEEKDAYS)), validate_choice=False)
    starts_at_time = TimeField("From", validators=[InputRequired(message="Give the time sessions start.")])
    ends_at_time = TimeField("Until", validators=[InputRequired(message="Give the time sessions end.")])
    timezone = SelectField("Time zone", validate_choice=False,
                           description="Sessions keep this local time across daylight-saving changes.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class MoveSessionForm(Form):
    day = DateField("New date", validators=[InputRequired(message="Give the new date.")])
    starts_at_time = TimeField("From", validators=[InputRequired(message="Give the time it starts.")])
    ends_at_time = TimeField("Until", validators=[InputRequired(message="Give the time it ends.")])


class CancelCohortForm(Form):
    reason = TextAreaField("A note to everyone enrolled (optional)", validators=[Length(max=1000)])


class RemoveForm(Form):
    # The service checks both values, so a bad one gets its own message.
    enrollment_id = HiddenField()
    reason = StringField("Reason (the person is told)")
