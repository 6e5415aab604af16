"""Sign-up, sign-in, reset and profile forms."""
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from ..forms import Form, timezone_choices


class SignupForm(Form):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField(
        "Password", validators=[DataRequired()],
        description="At least 10 characters; a short sentence works well.",
    )
    timezone = SelectField("Time zone", default="UTC", validate_choice=False,
                           render_kw={"data-guess": "1"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class LoginForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me signed in on this device")


class EmailForm(Form):
    email = EmailField("E-mail", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])


class ResetPasswordForm(Form):
    password = PasswordField("New password", validators=[DataRequired()],
                             description="At least 10 characters; a short sentence works well.")
    confirm = PasswordField("Repeat the new password",
                            validators=[DataRequired(), EqualTo("password", message="The two passwords differ.")])


class ProfileForm(Form):
    name = StringField("Your name", validators=[DataRequired(), Length(max=120)])
    timezone = SelectField("Time zone", validate_choice=False,
                           description="Times of sessions and deadlines are shown in this zone.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_choices()


class ConfirmForm(Form):
    """A form with only its CSRF token, for buttons that change state (log out, resend)."""
