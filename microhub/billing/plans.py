"""Plan rules and the organizer's plan pages."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..errors import DomainError, ValidationFailed
from ..extensions import db
from ..forms import Form, show_error
from ..hubs.access import hub_for
from ..hubs.models import Hub, Role
from ..money import to_minor
from .gateway import gateway
from .models import Interval, Plan

bp = Blueprint("plans", __name__)


def hub_plans(hub_id: int, *, active_only: bool = True) -> list[Plan]:
    query = db.select(Plan).filter_by(hub_id=hub_id)
    if active_only:
        query = query.filter_by(active=True)
    return list(db.session.scalars(query.order_by(Plan.price_minor, Plan.id)))


def create_plan(hub: Hub, *, name: str, includes: str, price: str, interval: str) -> Plan:
    try:
        amount = to_minor(price, hub.currency)
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="price")
    if amount <= 0:
        raise ValidationFailed("A plan costs more than nothing; scholarships cover free seats.", field="price")
    if interval not in {i.value for i in Interval}:
        raise ValidationFailed("Bill monthly or yearly.", field="interval")
    plan = Plan(hub_id=hub.id, name=name.strip(), includes=includes, price_minor=amount, interval=Interval(interval))
    db.session.add(plan)
    db.session.flush()
    gateway().sync_plan(plan)
    return plan


class PlanForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    includes = TextAreaField("What it includes", validators=[Length(max=4000)], description="One item per line.")
    price = StringField("Price", validators=[DataRequired(), Length(max=20)], description="For example 12.50")
    interval = SelectField("Billed", choices=[("month", "every month"), ("year", "every year")])


class PlanEditForm(Form):
    name = StringField("Name", validators=[DataRequired(), Length(max=80)])
    includes = TextAreaField("What it includes", validators=[Length(max=4000)], description="One item per line.")
    active = BooleanField("Open for new members")


@bp.route("/h/<slug>/manage/plans", methods=["GET", "POST"])
def index(slug: str):
    hub = hub_for(slug, Role.ORGANIZER)
    form = PlanForm()
    if form.validate_on_submit():
        try:
            plan = create_plan(hub, name=form.name.data, includes=form.includes.data, price=form.price.data,
                               interval=form.interval.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash(f"Plan “{plan.name}” added.", "success")
            return redirect(url_for("plans.index", slug=hub.slug))
    return (render_template("billing/plans.html", hub=hub, form=form, plans=hub_plans(hub.id, active_only=False)),
            400 if form.errors else 200)


@bp.route("/h/<slug>/manage/plans/<int:plan_id>", methods=["GET", "POST"])
def edit(slug: str, plan_id: int):
    hub = hub_for(slug, Role.ORGANIZER)
    plan = db.session.get(Plan, plan_id)
    if plan is None or plan.hub_id != hub.id:
        abort(404)
    form = PlanEditForm(obj=plan)
    if form.validate_on_submit():
        plan.name, plan.includes, plan.active = form.name.data.strip(), form.includes.data, form.active.data
        db.session.commit()
        flash("Plan saved. Prices never change under existing members: add a new plan for a new price.", "success")
        return redirect(url_for("plans.index", slug=hub.slug))
    return render_template("billing/plan_edit.html", hub=hub, plan=plan, form=form), 400 if form.errors else 200
