"""Forms for check-ins, replies and the retro. The services check every value and word the messages."""
from wtforms import TextAreaField

from ..forms import Form
from .checkins import MAX_REPLY, MAX_TEXT

REQUIRED = {"required": True, "maxlength": MAX_TEXT}


class CheckInForm(Form):
    progress = TextAreaField("Progress", render_kw=REQUIRED, description="What moved forward this week?")
    blocker = TextAreaField("Blocker (optional)", render_kw={"maxlength": MAX_TEXT},
                            description="What is in your way? Peers and organizers may know a way around it.")
    next_step = TextAreaField("Next step", render_kw=REQUIRED, description="The one thing you will do next.")


class ReplyForm(Form):
    body = TextAreaField("Your reply", render_kw={"required": True, "maxlength": MAX_REPLY, "rows": 2})


class RetroForm(Form):
    worked = TextAreaField("What worked", render_kw=REQUIRED)
    did_not_work = TextAreaField("What didn't work", render_kw=REQUIRED)
    won = TextAreaField("What you won", render_kw=REQUIRED,
                        description="Something you shipped, learned or changed, however small.")
