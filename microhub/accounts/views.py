"""Account pages; each view parses its form, calls one service, and redirects."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..errors import DomainError
from ..extensions import db
from ..forms import one_line, show_error
from . import logins, services
from .forms import ConfirmForm, EmailForm, LoginForm, ProfileForm, ResetPasswordForm, SignupForm
from .models import User

bp = Blueprint("accounts", __name__)


def _sign_in(user: User, *, remember: bool = False) -> None:
    logins.start(user, request.user_agent.string)
    db.session.commit()
    login_user(user, remember=remember)


def _next_url(default: str | None) -> str | None:
    # Only same-site paths: an open redirect after login would hand phishers a trusted link.
    target = request.values.get("next", "")
    parts = urlsplit(target)
    # Browsers read "/\host" as "//host": no backslash, and no control character, anywhere in it.
    if (target.startswith("/") and not target.startswith("//") and not parts.netloc and not parts.scheme
            and "\\" not in target and one_line(target)):
        return target
    return default


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    if current_user.is_authenticated:
        return redirect(url_for("hubs.index"))
    form = SignupForm()
    if form.validate_on_submit():
        info = services.SignUp(name=form.name.data, email=form.email.data,
                               password=form.password.data, timezone=form.timezone.data)
        try:
            services.register(info, _next_url(None))
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            # The same words whether or not the address had an account: sign-up tells nobody who is here.
            return render_template("accounts/check_inbox.html", email=services.normalize_email(form.email.data))
    return render_template("accounts/signup.html", form=form, next=_next_url(None)), 400 if form.errors else 200


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_next_url(url_for("hubs.index")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            db.session.commit()  # an unconfirmed account's new confirmation link goes out
            flash(error.message, "error")
            status = 401
        else:
            _sign_in(user, remember=form.remember.data)
            return redirect(_next_url(url_for("hubs.index")))
    elif form.errors:
        status = 400
    return render_template("accounts/login.html", form=form, next=_next_url(None)), status


@bp.route("/logout", methods=["GET", "POST"])
def logout():
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        logins.end(session.get("_user_id"))
        db.session.commit()
        logout_user()
        flash("You are signed out.", "success")
        return redirect(url_for("hubs.index"))
    if not current_user.is_authenticated:
        return redirect(url_for("hubs.index"))
    return render_template("accounts/logout.html", form=form)


@bp.route("/verify/<token>")
def verify_email(token: str):
    try:
        user, first = services.verify_email(token)
    except DomainError as error:
        db.session.rollback()
        return render_template("accounts/link_problem.html", message=error.message), 400
    db.session.commit()
    if first and not current_user.is_authenticated:  # the link that confirms a new account opens it, once
        _sign_in(user)
        flash(f"Welcome, {user.name}! Your e-mail address is confirmed.", "success")
    else:
        flash("Thank you, your e-mail address is confirmed.", "success")
    return redirect(_next_url(url_for("hubs.index")))


@bp.post("/verify/resend")
@login_required
def resend_verification():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if current_user.email_verified_at is None:
        services.send_verification(current_user)
        db.session.commit()
    flash(f"We sent a new confirmation link to {current_user.email}.", "success")
    return redirect(url_for("accounts.profile"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = EmailForm()
    if form.validate_on_submit():
        services.request_password_reset(form.email.data)
        db.session.commit()
        flash("If that address has an account, a reset link is on its way. It works for one hour.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), 400 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        services.user_for_reset(token)
    except DomainError as error:
        return render_template("accounts/link_problem.html", message=error.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            _sign_in(user)
            flash("Your password is changed; every other browser is signed out.", "success")
            return redirect(url_for("hubs.index"))
    return render_template("accounts/reset.html", form=form), 400 if form.errors else 200


@bp.route("/account/profile", methods=["GET", "POST"])
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            services.update_profile(current_user, name=form.name.data, timezone=form.timezone.data)
        except DomainError as error:
            db.session.rollback()
            show_error(form, error)
        else:
            db.session.commit()
            flash("Profile saved.", "success")
            return redirect(url_for("accounts.profile"))
    return (render_template("accounts/profile.html", form=form, confirm=ConfirmForm(),
                            other_logins=logins.others(current_user)), 400 if form.errors else 200)


@bp.post("/account/sessions/others/end")
@login_required
def end_other_logins():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = logins.end_others(current_user)
    db.session.commit()
    flash(f"Signed out of {ended} other browser{'s' * (ended != 1)}. This one stays signed in.", "success")
    return redirect(url_for("accounts.profile"))
