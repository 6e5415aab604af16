"""The sponsor portal's statistics: `/sponsor/<id>/stats` (every placement across hubs), its CSV and JSON
downloads, and the API tokens its people create and revoke. Only the sponsor's own people get in."""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, url_for
from flask_login import current_user
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..errors import DomainError
from ..extensions import db
from ..forms import Form, show_error
from .access import sponsor_for
from .api import create_token, revoke_token, tokens_of
from .charts import daily
from .models import SponsorWebhook
from .portal import as_csv, as_document, figures_of
from .webhooks import remove_webhook, set_webhook

bp = Blueprint("sponsor_portal", __name__)


class TokenForm(Form):
    name = StringField("Name of the new token", description="Where it will be used, e.g. \"Our dashboard\".",
                       validators=[DataRequired("Give the token a name."), Length(max=80)])


class RevokeForm(Form):
    """Just the CSRF token."""


class WebhookForm(Form):
    url = StringField("Address for the daily totals", description="An https:// address on your own server.",
                      validators=[DataRequired("Give the address to send the totals to."), Length(max=500)])


def _page(sponsor, form: TokenForm | None = None, new_token: str | None = None, status: int = 200, *,
          hook_form: WebhookForm | None = None, new_secret: str | None = None):
    figures = figures_of(sponsor.id)
    response = Response(render_template(
        "sponsors/portal.html", sponsor=sponsor, figures=figures,
        charts={f.placement.id: daily(f.days) for f in figures},
        form=form or TokenForm(formdata=None), revoke=RevokeForm(), tokens=tokens_of(sponsor), new_token=new_token,
        hook=db.session.get(SponsorWebhook, sponsor.id), hook_form=hook_form or WebhookForm(formdata=None),
        new_secret=new_secret), status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/sponsor/<int:sponsor_id>/stats")
def stats(sponsor_id: int):
    return _page(sponsor_for(sponsor_id), TokenForm())


@bp.get("/sponsor/<int:sponsor_id>/stats.csv")
def stats_csv(sponsor_id: int):
    sponsor = sponsor_for(sponsor_id)
    return Response(as_csv(figures_of(sponsor.id)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="sponsor-{sponsor.id}-placements.csv"',
        "Cache-Control": "no-store"})


@bp.get("/sponsor/<int:sponsor_id>/stats.json")
def stats_json(sponsor_id: int):
    sponsor = sponsor_for(sponsor_id)
    response = jsonify(as_document(sponsor, figures_of(sponsor.id)))
    response.headers["Content-Disposition"] = f'attachment; filename="sponsor-{sponsor.id}-placements.json"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/sponsor/<int:sponsor_id>/tokens")
def new_token(sponsor_id: int):
    """Make a token and show it on this one answer only: it is never stored, so it cannot be shown again."""
    sponsor = sponsor_for(sponsor_id)
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(sponsor, form, status=400)
    try:
        _, token = create_token(sponsor, form.name.data, current_user)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _page(sponsor, form, status=400)
    db.session.commit()
    return _page(sponsor, TokenForm(formdata=None), new_token=token)


@bp.post("/sponsor/<int:sponsor_id>/tokens/<int:token_id>/revoke")
def revoke(sponsor_id: int, token_id: int):
    sponsor = sponsor_for(sponsor_id)
    if not RevokeForm().validate_on_submit():
        flash("The form was missing its security token. Nothing was changed.", "error")
        return redirect(url_for(".stats", sponsor_id=sponsor.id))
    try:
        row = revoke_token(sponsor, token_id)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".stats", sponsor_id=sponsor.id), 303)
    db.session.commit()
    flash(f"Token \"{row.name}\" revoked: it no longer opens the API.", "success")
    return redirect(url_for(".stats", sponsor_id=sponsor.id), 303)


@bp.post("/sponsor/<int:sponsor_id>/webhook")
def webhook(sponsor_id: int):
    """Set (or replace) the daily webhook; its signing secret is shown on this answer only."""
    sponsor = sponsor_for(sponsor_id)
    form = WebhookForm()
    if not form.validate_on_submit():
        return _page(sponsor, hook_form=form, status=400)
    try:
        secret = set_webhook(sponsor, form.url.data)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _page(sponsor, hook_form=form, status=400)
    db.session.commit()
    return _page(sponsor, new_secret=secret)


@bp.post("/sponsor/<int:sponsor_id>/webhook/remove")
def webhook_remove(sponsor_id: int):
    sponsor = sponsor_for(sponsor_id)
    if not RevokeForm().validate_on_submit():
        flash("The form was missing its security token. Nothing was changed.", "error")
        return redirect(url_for(".stats", sponsor_id=sponsor.id), 303)
    remove_webhook(sponsor)
    db.session.commit()
    flash("Daily webhook removed: nothing more is sent.", "success")
    return redirect(url_for(".stats", sponsor_id=sponsor.id), 303)
