"""The public scholarship page with its application form, and the applicant's own page (offer, renewal, leaving).

An applicant only ever sees their own applications (`applications.own`); answers of others are not reachable.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..accounts.forms import ConfirmForm
from ..billing.services import hub_plans
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from ..hubs.access import hub_for
from ..memberships.joining import open_checkout
from . import applications, awards, offers
from .forms import MoveForm, application_form
from .fund import available
from .models import ApplicationStatus
from .program import accepting, deadline_passed, program_of
from .reviewers import may_review

bp = Blueprint("scholarships", __name__)


def _page(hub, form=None, status: int = 200):
    program = program_of(hub)
    form = form or (application_form(program.questions, formdata=None) if program else None)
    mine = applications.mine(hub, current_user) if current_user.is_authenticated else []
    return render_template("scholarships/show.html", hub=hub, program=program, form=form, mine=mine,
                           open=accepting(hub, program), closed=deadline_passed(hub, program),
                           fund_available=max(available(hub), 0), reviewer=may_review(hub)), status


@bp.get("/h/<slug>/scholarships")
def show(slug: str):
    return _page(hub_for(slug))


@bp.post("/h/<slug>/scholarships/apply")
@login_required
def apply(slug: str):
    hub = hub_for(slug)
    program = program_of(hub)
    if program is None:
        flash("This hub has no scholarships yet.", "error")
        return redirect(url_for("scholarships.show", slug=hub.slug))
    form = application_form(program.questions)
    if not form.validate_on_submit():
        return _page(hub, form, 400)
    answers = [getattr(form, f"answer_{n}").data for n in range(1, len(program.questions) + 1)]
    try:
        applications.apply(hub, current_user, need=form.need.data, answers=answers)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _page(hub, form, error.status_code)
    db.session.commit()
    flash("Your application is in. You'll get an e-mail at every step.", "success")
    return redirect(url_for("scholarships.mine", slug=hub.slug))


@bp.get("/h/<slug>/scholarships/mine")
@login_required
def mine(slug: str):
    hub = hub_for(slug)
    move = MoveForm(formdata=None)
    move.plan_id.choices = [(str(p.id), p.name) for p in hub_plans(hub.id)]
    return render_template("scholarships/mine.html", hub=hub, mine=applications.mine(hub, current_user),
                           confirm=ConfirmForm(), move=move, S=ApplicationStatus)


def _act(hub, application_id, act):
    """Run one of the applicant's actions on their own locked application; a refusal is a message, not a 500."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash("The form expired. Send it again.", "error")
        return redirect(url_for("scholarships.mine", slug=hub.slug))
    try:
        application = applications.own(hub, current_user, application_id)
        target = act(application)
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("scholarships.mine", slug=hub.slug))
    db.session.commit()
    return target


@bp.post("/h/<slug>/scholarships/mine/<int:application_id>/accept")
@login_required
def accept(slug: str, application_id: int):
    hub = hub_for(slug)

    def act(application):
        hold = awards.accept(application, current_user)
        if hold is None:
            flash(f"Welcome to {hub.name}! Your scholarship has started.", "success")
            return redirect(url_for("hubpage.show", slug=hub.slug))
        db.session.commit()  # the award is the person's before we talk to the payment provider
        return redirect(open_checkout(hub, hold, current_user))
    return _act(hub, application_id, act)


@bp.post("/h/<slug>/scholarships/mine/<int:application_id>/<any(decline, withdraw, renew):action>")
@login_required
def respond(slug: str, application_id: int, action: str):
    hub = hub_for(slug)
    done = {"decline": ("You declined the offer; the seat goes to the next applicant.",
                        lambda a: offers.decline_offer(a, actor=current_user)),
            "withdraw": ("Your application is withdrawn.", lambda a: applications.withdraw(hub, current_user, a)),
            "renew": ("Your renewal is in; the reviewers will decide.",
                      lambda a: applications.renew(hub, current_user, a))}[action]

    def act(application):
        done[1](application)
        flash(done[0], "success")
        return redirect(url_for("scholarships.mine", slug=hub.slug))
    return _act(hub, application_id, act)


@bp.post("/h/<slug>/scholarships/mine/<int:application_id>/move")
@login_required
def move(slug: str, application_id: int):
    hub = hub_for(slug)
    form = MoveForm()
    form.plan_id.choices = [(str(p.id), p.name) for p in hub_plans(hub.id)]
    if not form.validate_on_submit():
        flash("Pick one of the hub's plans.", "error")
        return redirect(url_for("scholarships.mine", slug=hub.slug))
    try:
        hold = awards.move_to_paid(applications.own(hub, current_user, application_id), current_user,
                                   form.plan_id.data)
        db.session.commit()
        return redirect(open_checkout(hub, hold, current_user))
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("scholarships.mine", slug=hub.slug))
