"""Forms for creating and editing a hub, its identity, and its team."""
from flask_wtf.file import FileField
from wtforms import BooleanField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..forms import Form, timezone_choices
from ..money import CURRENCIES


class HubSettingsForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=120)])
    purpose = StringField("Purpose", validators=[DataRequired(), Length(max=200)],
                          description="One line: why this hub exists.")
    cap = IntegerField("Cap (most members at once)", validators=[InputRequired(message="Give a cap of 1 or more.")],
                       description="Small on purpose: up to 500, and groups above 150 rarely feel small. "
                                   "Lowering it removes nobody; it only stops new joins.")
    currency = SelectField("Currency", choices=[(c, c) for c in sorted(CURRENCIES)], default="EUR")
    timezone = SelectField("Time zone", default="UTC", validate_choice=False)
    promises = TextAreaField("Promises", validators=[Length(max=4000)],
                             description="What members can count on. One per line.")
    rituals = TextAreaField("Rituals", validators=[Length(max=4000)],
                            description="What the hub does together, and how often, as the public page says it. One per line. "
                                        "Weekly times members see in their own zone (with the call's link) "
                                        "go under Manage › Rituals.")
    rules = TextAreaField("House rules and code of conduct", validators=[Length(max=20000)])
    is_public = BooleanField("List this hub on the MicroHub front page", default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class NewHubForm(HubSettingsForm):
    slug = StringField("Address", validators=[DataRequired(), Length(max=40)],
                       description="Lower-case letters, digits and dashes; the hub lives at /h/<address>.")


class HubIdentityForm(Form):
    accent_color = StringField("Accent colour (optional)", validators=[Length(max=20)],
                               description="# and six hex digits, like #1f5f4a. White text must stay readable "
                                           "on it (contrast 4.5:1 or more), so light colours are refused.",
                               render_kw={"autocomplete": "off", "spellcheck": "false"})
    cover = FileField("Cover image (optional)",
                      description="A PNG or JPEG of at most 2 MB, shown wide above the hub's name. Without a new "
                                  "file, the cover you have stays.")
    remove_cover = BooleanField("Remove the cover image")


class GrantRoleForm(Form):
    email = EmailField("Their e-mail", validators=[DataRequired(), Length(max=254)])
    role = SelectField("Role", choices=[("moderator", "Moderator"), ("organizer", "Organizer"),
                                        ("sponsor_contact", "Sponsor contact")])
