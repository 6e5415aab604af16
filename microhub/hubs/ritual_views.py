"""The organizer's rituals page: the hub's weekly rituals, added and removed, each with its member-only link."""
from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import HiddenField, SelectField, StringField

from ..accounts.forms import ConfirmForm
from ..errors import DomainError
from ..extensions import db
from ..forms import Form, submit_form
from .access import Permission, hub_for
from .rituals import WEEKDAYS, RitualInfo, add_ritual, hub_rituals, remove_ritual

bp = Blueprint("rituals", __name__)


class RitualForm(Form):
    # Every value is checked by the service, so a bad one gets its own clear message beside its field.
    title = StringField("Name", description="e.g. Weekly call, Friday demos")
    weekday = SelectField("Day", choices=[(str(n), name) for n, name in enumerate(WEEKDAYS)], validate_choice=False)
    starts_at = StringField("Starts at", description="Hours and minutes in the hub's time zone, e.g. 19:00")
    duration_minutes = StringField("Length in minutes", default="60")
    link = StringField("Link for members (optional)", description="Where it happens, e.g. the call's address. "
                                                                  "Only members and staff see it.")


class RemoveForm(ConfirmForm):
    ritual_id = HiddenField()


def _info(form: RitualForm) -> RitualInfo:
    return RitualInfo(**{f.name: getattr(form, f.name).data for f in fields(RitualInfo)})


@bp.route("/h/<slug>/manage/rituals", methods=["GET", "POST"])
def manage(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = RitualForm()
    done = submit_form(form, lambda: add_ritual(hub, _info(form), actor=current_user),
                       done=lambda ritual: f"{ritual.title} is on the calendar, every {ritual.day_name}.",
                       to=url_for("rituals.manage", slug=hub.slug))
    if done:
        return done
    status = 400 if form.errors or request.method == "POST" else 200
    return (render_template("hubs/rituals.html", hub=hub, form=form, rituals=hub_rituals(hub.id),
                            remove=RemoveForm()), status)


@bp.post("/h/<slug>/manage/rituals/remove")
def remove(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = RemoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        ritual = remove_ritual(hub, form.ritual_id.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(f"{ritual.title} is removed.", "success")
    return redirect(url_for("rituals.manage", slug=hub.slug))
