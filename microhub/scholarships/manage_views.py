"""The reviewers' pages: the programme and its pool (organizers), applications with their answers (organizers
and assigned reviewers only), ranking, offering, declining, and assigning reviewers."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from ..accounts.forms import ConfirmForm
from ..billing.services import hub_plans
from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..forms import show_error, submit_form
from ..hubs.access import Permission, can, hub_for, in_hub, in_hub_or_404
from ..money import to_minor
from . import applications, offers, program as programs, queries, reviewers
from .forms import OfferForm, ProgramForm, RankForm, ReviewerForm
from .fund import available
from .models import ScholarshipApplication, ScholarshipReviewer
from .seats import set_pool

bp = Blueprint("scholarship_admin", __name__)


def _program_form(hub, *, submitted: bool = False) -> ProgramForm:
    if submitted:
        form = ProgramForm()
    else:
        program = programs.program_of(hub)
        data = {"seats": hub.scholarship_seats, "term_months": 12}
        if program is not None:
            data.update(plan_id=str(program.plan_id or ""), term_months=program.term_months, deadline=program.deadline,
                        term_ends_on=program.term_ends_on,
                        covers=program.covers, who_for=program.who_for, questions="\n".join(program.questions))
        form = ProgramForm(formdata=None, **data)
    form.plan_id.choices = [(str(p.id), p.name) for p in hub_plans(hub.id)]
    return form


def _index(hub, form=None, reviewer_form=None, status: int = 200):
    organizer = can(hub, Permission.MANAGE)
    return render_template("scholarships/manage.html", hub=hub, sections=queries.by_section(hub),
                           form=form or _program_form(hub), reviewer_form=reviewer_form or ReviewerForm(formdata=None),
                           reviewers=reviewers.reviewers(hub) if organizer else [], is_organizer=organizer,
                           fund_available=available(hub), confirm=ConfirmForm()), status


@bp.get("/h/<slug>/manage/scholarships")
def index(slug: str):
    return _index(reviewers.reviewed_hub(slug))


@bp.post("/h/<slug>/manage/scholarships/settings")
def settings(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = _program_form(hub, submitted=True)
    if not form.validate_on_submit():
        return _index(hub, form=form, status=400)
    info = programs.ProgramInfo(covers=form.covers.data or "", who_for=form.who_for.data or "",
                                questions=(form.questions.data or "").splitlines(), deadline=form.deadline.data,
                                term_months=form.term_months.data, plan_id=form.plan_id.data,
                                term_ends_on=form.term_ends_on.data)
    try:
        programs.save_program(hub, info, actor=current_user)
        note = set_pool(hub, form.seats.data, actor=current_user)
    except DomainError as error:
        db.session.rollback()
        show_error(form, error)
        return _index(hub, form=form, status=error.status_code)
    db.session.commit()
    flash("Scholarships saved." + (f" {note}" if note else ""), "success")
    return redirect(url_for("scholarship_admin.index", slug=hub.slug))


def _application(hub, application_id, *, lock: bool = False) -> ScholarshipApplication:
    application = in_hub(ScholarshipApplication, application_id, lock=lock, hub_id=hub.id)
    if application is None:
        abort(404)
    return application


def _detail(hub, application, rank_form=None, offer_form=None, status: int = 200):
    rank_form = rank_form or RankForm(formdata=None, rank=int(application.rank) if application.rank else None,
                                      kind=application.kind.value if application.kind else "full")
    return render_template("scholarships/application.html", hub=hub, application=application,
                           program=programs.program_of(hub), rank_form=rank_form,
                           offer_form=offer_form or OfferForm(formdata=None), confirm=ConfirmForm(),
                           fund_available=available(hub), is_organizer=can(hub, Permission.MANAGE)), status


@bp.get("/h/<slug>/manage/scholarships/<int:application_id>")
def application(slug: str, application_id: int):
    hub = reviewers.reviewed_hub(slug)
    return _detail(hub, _application(hub, application_id))


def _pays(form: RankForm, hub) -> int | None:
    if form.kind.data != "partial" or not form.pays.data:
        return None
    try:
        return to_minor(form.pays.data, hub.currency)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="pays")


@bp.post("/h/<slug>/manage/scholarships/<int:application_id>/rank")
def rank(slug: str, application_id: int):
    hub = reviewers.reviewed_hub(slug)
    application = _application(hub, application_id, lock=True)
    form = RankForm()
    done = submit_form(form, lambda: applications.rank(application, rank=form.rank.data, kind=form.kind.data,
                                                       pays_minor=_pays(form, hub), actor=current_user),
                       done="Ranked.", to=url_for("scholarship_admin.application", slug=hub.slug,
                                                  application_id=application.id))
    return done or _detail(hub, _application(hub, application_id), rank_form=form, status=400)


@bp.post("/h/<slug>/manage/scholarships/<int:application_id>/<any(offer, decline):action>")
def decide(slug: str, application_id: int, action: str):
    hub = reviewers.reviewed_hub(slug)
    application = _application(hub, application_id, lock=True)
    form = OfferForm()
    if action == "offer":
        act, said = lambda: offers.offer(application, actor=current_user, reason=form.reason.data), \
            "Offer sent: the seat is kept for 72 hours."
    else:
        act, said = lambda: applications.decline(application, actor=current_user), "Application declined."
    done = submit_form(form, act, done=said, to=url_for("scholarship_admin.index", slug=hub.slug))
    return done or _detail(hub, _application(hub, application_id), offer_form=form, status=400)


@bp.post("/h/<slug>/manage/scholarships/reviewers")
def assign(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = ReviewerForm()
    done = submit_form(form, lambda: reviewers.assign(hub, form.email.data, actor=current_user),
                       done="Reviewer assigned.", to=url_for("scholarship_admin.index", slug=hub.slug))
    return done or _index(hub, reviewer_form=form, status=400)


@bp.post("/h/<slug>/manage/scholarships/reviewers/<int:reviewer_id>/remove")
def unassign(slug: str, reviewer_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    if ConfirmForm().validate_on_submit():
        reviewers.unassign(in_hub_or_404(ScholarshipReviewer, reviewer_id, hub_id=hub.id), actor=current_user)
        db.session.commit()
        flash("Reviewer removed.", "success")
    return redirect(url_for("scholarship_admin.index", slug=hub.slug))
