"""The development mailbox: reads the outbox in a browser. Never registered in production."""
from flask import Blueprint, render_template

from ..email import OutboxMessage
from ..extensions import db

bp = Blueprint("mailbox", __name__, url_prefix="/dev/mailbox")


@bp.get("/")
def index():
    messages = db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(200)).all()
    return render_template("mailbox/index.html", messages=messages)


@bp.get("/<int:message_id>")
def show(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("mailbox/show.html", message=message)
