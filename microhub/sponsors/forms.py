"""Forms of the sponsor pages and of the organizers' sponsor page."""
from flask_wtf.file import FileField
from wtforms import DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..forms import Form
from .models import Where

WHERE_CHOICES = [(w.value, w.label) for w in Where]
NUMBER = "Write a whole number."


class SponsorForm(Form):
    name = StringField("Organization name", validators=[DataRequired(message="Write the organization's name."),
                                                        Length(max=120)],
                       render_kw={"autocomplete": "organization"})


class PersonForm(Form):
    email = EmailField("E-mail of their MicroHub account",
                       validators=[DataRequired(message="Write their e-mail address."), Length(max=254)],
                       description="They need a MicroHub account already.")


class ListingForm(Form):
    name = StringField("Name members see", validators=[DataRequired(message="Write the name members see."),
                                                       Length(max=120)])
    logo = FileField("Logo (optional)", description="A PNG or JPEG of at most 1 MB. Without a new file, the logo "
                                                    "you sent before stays.")
    link = StringField("Link", validators=[DataRequired(message="Give a web address."), Length(max=500)],
                       description="Starts with https://; a click on your listing goes there.",
                       render_kw={"inputmode": "url"})
    helps_with = TextAreaField("What you bring members", validators=[
        DataRequired(message="Write what you bring members."), Length(max=1000)],
        description="Concrete value: tools, credits, workshops. Public.")
    member_perk = TextAreaField("Member-only perk (optional)", validators=[Optional(), Length(max=500)],
                                description="A code or link only the hub's members see.")


class SpotForm(Form):
    where = SelectField("Where", choices=WHERE_CHOICES)
    at_once = IntegerField("Sponsors at once", default=3, validators=[InputRequired(message=NUMBER)],
                           description="At most this many sponsors are shown there at any moment (1 to 10).")
    period_days = IntegerField("Period length in days", default=30, validators=[InputRequired(message=NUMBER)])
    price = StringField("Price per period", validators=[DataRequired(message="Write the price."), Length(max=20)],
                        description="In the hub's currency, for example 150 or 149.50.")


class RequestForm(Form):
    spot_id = SelectField("Placement", validate_choice=False)
    starts_on = DateField("First day", validators=[InputRequired(message="Choose the first day.")],
                          description="The period starts at midnight of this day, in the hub's time zone.")


class ReasonForm(Form):
    reason = TextAreaField("Why (sent to the sponsor)", validators=[DataRequired(message="Write why."),
                                                                    Length(max=1000)])


