"""Forms of the scholarship pages: the application, the programme and pool, ranking, offering, reviewers."""
from __future__ import annotations

from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..forms import Form
from .models import AwardKind, Need
from .program import MAX_ANSWER, MAX_QUESTION, MAX_QUESTIONS, MAX_TERM_MONTHS

NEED_CHOICES = [(n.value, n.label) for n in Need]


class ApplicationForm(Form):
    need = RadioField("What describes your situation best?", choices=NEED_CHOICES,
                      validators=[InputRequired(message="Pick one (or 'rather not say').")])
    # Answer fields (answer_1 … answer_5) are added per programme by `application_form`.


def application_form(questions: list[str], **kwargs) -> ApplicationForm:
    """The application form with one text area per question the organizer wrote."""
    class Bound(ApplicationForm):
        pass
    for number, question in enumerate(questions, start=1):
        setattr(Bound, f"answer_{number}", TextAreaField(question, validators=[
            DataRequired(message="Answer this question (a short answer is fine)."),
            Length(max=MAX_ANSWER, message=f"Keep the answer to {MAX_ANSWER:,} characters.")],
            description=f"At most {MAX_ANSWER:,} characters. Seen only by the organizers and reviewers."))
    return Bound(**kwargs)


class ProgramForm(Form):
    seats = IntegerField("Scholarship seats", validators=[InputRequired(), NumberRange(min=0, max=500)],
                         description="How many of the cap are kept for scholarships.")
    plan_id = SelectField("Plan an award stands in for", coerce=str, validators=[DataRequired()],
                          description="Its price over the term is what an award draws from the fund.")
    term_months = IntegerField("Term in months", validators=[InputRequired(), NumberRange(min=1, max=MAX_TERM_MONTHS)])
    term_ends_on = DateField("Or: every award ends on this day (optional)", validators=[Optional()],
                             description="For a scholarship of one cohort: its last session's day. Empty: the term "
                                         "in months.")
    deadline = DateField("Application deadline (optional)", validators=[Optional()],
                         description="Applications stay open until the end of this day, even when seats are full.")
    covers = TextAreaField("What a scholarship covers", validators=[Length(max=2000)])
    who_for = TextAreaField("Who it is for", validators=[Length(max=2000)])
    questions = TextAreaField("Questions for applicants", validators=[Length(max=MAX_QUESTIONS * (MAX_QUESTION + 2))],
                              description=f"One per line, at most {MAX_QUESTIONS}.")


class RankForm(Form):
    rank = IntegerField("Rank", validators=[InputRequired(), NumberRange(min=1, max=10_000)],
                        description="1 is offered first; a declined or expired offer passes to the next rank.")
    kind = RadioField("Award", choices=[(AwardKind.FULL.value, "Full: the member pays nothing"),
                                        (AwardKind.PARTIAL.value, "Partial: the member pays a reduced price")],
                      default=AwardKind.FULL.value)
    pays = StringField("Reduced price per period (partial only)", validators=[Optional(), Length(max=20)],
                       description="For example 5.00; less than the plan's price.")


class OfferForm(Form):
    reason = TextAreaField("Why the organizers fund it (only when the fund cannot)",
                           validators=[Optional(), Length(max=500)],
                           description="Public: the report shows the seat as funded by the organizers, with this.")


class ReviewerForm(Form):
    email = StringField("Moderator's e-mail", validators=[DataRequired(), Length(max=254)])


class MoveForm(Form):
    plan_id = SelectField("Plan", coerce=str, validators=[DataRequired()])
