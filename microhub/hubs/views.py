"""Hub pages: creating a hub, and the organizer's settings and team (the front page, `hubs.index`, is the home in
`hubpage`; see `microhub.wiring`)."""
from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required

from .access import Permission, hub_for
from ..accounts.forms import ConfirmForm
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from . import identity, services
from .forms import GrantRoleForm, HubIdentityForm, HubSettingsForm, NewHubForm
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
    return (render_template("hubs/settings.html", hub=hub, form=form, look=HubIdentityForm(obj=hub)),
            400 if form.errors else 200)


@bp.route("/h/<slug>/manage/identity", methods=["GET", "POST"])
def identity_settings(slug: str):
    """The hub page's look: accent colour and cover image (shown on the settings page, saved here)."""
    hub = hub_for(slug, Permission.MANAGE)
    look = HubIdentityForm(obj=hub)
    if look.validate_on_submit():
        try:
            services.update_identity(hub, look.accent_color.data, look.cover.data,
                                     remove_cover=look.remove_cover.data, actor=current_user)
        except DomainError as error:
            db.session.rollback()
            show_error(look, error)
        else:
            db.session.commit()
            flash("The hub page's look is saved.", "success")
            return redirect(url_for("hubs.settings", slug=hub.slug) + "#look-heading")
    form = HubSettingsForm(obj=hub, formdata=None)
    return render_template("hubs/settings.html", hub=hub, form=form, look=look), 400 if look.errors else 200


@bp.get("/h/<slug>/look.css")
def look_css(slug: str):
    """The hub's accent colour as a CSS custom property: the CSP (style-src 'self') refuses inline styles."""
    hub = hub_for(slug)
    body = f".hub-header {{ --hub-accent: {hub.accent_color}; }}\n" if hub.accent_color else ""
    response = Response(body, mimetype="text/css")
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable" if request.args.get("v") \
        else "no-cache"
    return response


@bp.get("/h/<slug>/cover/<file>")
def cover(slug: str, file: str):
    """The hub's current cover image; a random name per upload, so it is cached for good."""
    hub = hub_for(slug)
    if not hub.cover_image or file != hub.cover_image:
        abort(404)
    try:
        path = identity.path_of(hub.cover_image)
    except FileNotFoundError:
        abort(404)
    if not path.exists():
        abort(404)
    response = send_file(path, mimetype=identity.MIMETYPES[path.suffix], max_age=31_536_000)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


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
    return (render_template("hubs/team.html", hub=hub, form=form, grants=grants, remove=ConfirmForm(),
                            organizers=services.organizer_count(hub)), 400 if form.errors else 200)


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
