"""Calendar files: a cohort's .ics download, each person's private feed, and the page that manages that feed."""
from __future__ import annotations

import re
import unicodedata

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..extensions import db
from ..urls import external_url
from . import calendar
from .views import cohort_for

bp = Blueprint("calendars", __name__)


def _ics(body: bytes, headers: dict) -> Response:
    return Response(body, content_type="text/calendar; charset=utf-8", headers=headers)


def _filename(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return (re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-") or "cohort") + ".ics"


@bp.get("/h/<slug>/cohorts/<int:cohort_id>/calendar.ics")
def cohort_ics(slug: str, cohort_id: int):
    hub, cohort = cohort_for(slug, cohort_id, inside=True)
    body = calendar.cohort_calendar([cohort], name=f"{cohort.title} · {hub.name}", include_links=True)
    return _ics(body, {"Cache-Control": "private, no-cache",
                       "Content-Disposition": f'attachment; filename="{_filename(cohort.title)}"'})


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    # Calendar apps fetch this without cookies: the token is the only key, so nothing here touches the session.
    found = calendar.feed_for_token(token)
    if found is None:
        abort(404)
    body = calendar.cohort_calendar(calendar.member_cohorts(found.user), name="MicroHub cohorts",
                                    include_links=True)
    return _ics(body, {"Cache-Control": "private, max-age=300"})


@bp.get("/account/calendar")
@login_required
def settings():
    mine = calendar.feed_of(current_user)
    url = external_url("calendars.feed", token=calendar.feed_token(mine)) if mine else None
    page = render_template("cohorts/calendar_settings.html", feed_url=url,
                           webcal_url=url and "webcal://" + url.split("://", 1)[1],
                           cohorts=calendar.member_cohorts(current_user), form=ConfirmForm())
    # The page shows a secret address: keep it out of shared caches and the browser's disk cache.
    return page, 200, {"Cache-Control": "private, no-store"}


def _change(action, message: str):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    action(current_user)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("calendars.settings"))


@bp.post("/account/calendar/on")
@login_required
def turn_on():
    return _change(calendar.open_feed, "Your private calendar feed is on. Add its address to your calendar app.")


@bp.post("/account/calendar/reset")
@login_required
def reset():
    return _change(calendar.reset_feed, "Your feed has a new address. The old one no longer works: "
                                        "update it in your calendar app.")


@bp.post("/account/calendar/off")
@login_required
def turn_off():
    return _change(calendar.turn_off_feed, "Your calendar feed is off. Its address no longer works.")
