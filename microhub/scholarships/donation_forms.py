"""The donation form: an amount, an e-mail for the receipt, and a name only for those who want it shown."""
from wtforms import BooleanField, EmailField, StringField
from wtforms.validators import DataRequired, Email, Length

from ..forms import Form


class DonationForm(Form):
    amount = StringField("Amount", validators=[DataRequired(message="Write how much you'd like to give."),
                                               Length(max=20, message="Write the amount as a number, such as 25.")],
                         render_kw={"inputmode": "decimal", "autocomplete": "transaction-amount"})
    email = EmailField("E-mail for your receipt",
                       validators=[DataRequired(message="Write the e-mail address your receipt should go to."),
                                   Email(check_deliverability=False, message="Write an e-mail address such as "
                                                                             "name@example.org."),
                                   Length(max=254)],
                       render_kw={"autocomplete": "email"})
    show_name = BooleanField("Show my name on the transparency report")
    public_name = StringField("Name to show (optional)",
                              validators=[Length(max=80, message="Use at most 80 characters for the name.")],
                              description="Only shown if you tick the box above; otherwise you give anonymously.",
                              render_kw={"autocomplete": "name"})
