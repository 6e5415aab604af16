"""Hub pages: creating a hub, and the organizer's settings and team (the front page, `hubs.index`, is the home in
`hubpage`; see `microhub.wiring`)."""
from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from .access import Permission, hub_for
from ..accounts.forms import ConfirmForm
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from . import services
from .forms import GrantRoleForm, HubSettingsForm, NewHubForm
from .models import HubRole, Role

bp = Blueprint("hubs", __name__)


def _info(form: HubSettingsForm) -> services.HubInfo:
    return services.HubInfo(**{f.name: getattr(form, f.name).data for f in fields(services.HubInfo)})


def _advise(cap: int) -> None:
    advice = services.cap_advice(cap)
    if advice:
        flash(advice, "info")


@bp.route("/hubs/new", methods=["GET", "POST"])
@login_required
def new():
    form = NewHubForm(timezone=current_user.timezone)
    if form.validate_on_submit():
        try:
            hub = services.create_hub(current_user, form.slug.data, _info(form))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{hub.name} is live. Share /h/{hub.slug} with your first members.", "success")
            _advise(hub.cap)
            return redirect(url_for("hubpage.show", slug=hub.slug))
    return render_template("hubs/new.html", form=form), 400 if form.errors else 200


@bp.route("/h/<slug>/manage/settings", methods=["GET", "POST"])
def settings(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = HubSettingsForm(obj=hub)
    if form.validate_on_submit():
        try:
            services.update_hub(hub, _info(form), actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Hub settings saved.", "success")
            _advise(hub.cap)
            return redirect(url_for("hubs.settings", slug=hub.slug))
    return render_template("hubs/settings.html", hub=hub, form=form), 400 if form.errors else 200


@bp.route("/h/<slug>/manage/team", methods=["GET", "POST"])
def team(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            grant = services.grant_role(hub, form.email.data, Role(form.role.data), current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"{grant.user.name} is now {grant.role.label}.", "success")
            return redirect(url_for("hubs.team", slug=hub.slug))
    grants = db.session.scalars(
        db.select(HubRole).filter_by(hub_id=hub.id).options(db.joinedload(HubRole.user)).order_by(HubRole.role)
    ).all()
    return (render_template("hubs/team.html", hub=hub, form=form, grants=grants, remove=ConfirmForm()),
            400 if form.errors else 200)


@bp.post("/h/<slug>/manage/team/<int:role_id>/remove")
def remove_role(slug: str, role_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.revoke_role(hub, role_id, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash("Role removed.", "success")
    return redirect(url_for("hubs.team", slug=hub.slug))
