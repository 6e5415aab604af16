"""The organizer's plan pages."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from ..hubs.access import Permission, hub_for, in_hub_or_404
from ..errors import DomainError
from ..extensions import db
from ..forms import show_error
from . import services
from .forms import PlanEditForm, PlanForm
from .models import Plan

bp = Blueprint("plans", __name__)


@bp.route("/h/<slug>/manage/plans", methods=["GET", "POST"])
def index(slug: str):
    hub = hub_for(slug, Permission.MANAGE)
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = services.create_plan(hub, name=form.name.data, includes=form.includes.data, price=form.price.data,
                                        interval=form.interval.data, actor=current_user,
                                        scholarship_share=form.scholarship_share.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Plan “{plan.name}” added.", "success")
            return redirect(url_for("plans.index", slug=hub.slug))
    return (render_template("billing/plans.html", hub=hub, form=form,
                            plans=services.hub_plans(hub.id, active_only=False)), 400 if form.errors else 200)


@bp.route("/h/<slug>/manage/plans/<int:plan_id>", methods=["GET", "POST"])
def edit(slug: str, plan_id: int):
    hub = hub_for(slug, Permission.MANAGE)
    plan = in_hub_or_404(Plan, plan_id, hub_id=hub.id)
    form = PlanEditForm(obj=plan, scholarship_share=services.amount_text(plan.scholarship_share_minor, hub.currency))
    if form.validate_on_submit():
        try:
            services.update_plan(plan, name=form.name.data, includes=form.includes.data, active=form.active.data,
                                 actor=current_user, scholarship_share=form.scholarship_share.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Plan saved. Prices never change under existing members: add a new plan for a new price.", "success")
            return redirect(url_for("plans.index", slug=hub.slug))
    return render_template("billing/plan_edit.html", hub=hub, plan=plan, form=form), 400 if form.errors else 200
