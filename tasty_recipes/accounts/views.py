"""HTML face of the accounts context: thin views over accounts.service."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import ratelimits
from ..exceptions import ValidationError
from ..web.links import change_email_url, confirmation_url, magic_link_url, reset_password_url
from ..web.params import credentials_from_request
from ..web.requests import current_actor
from . import service
from .forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    EmailForm,
    LogInForm,
    RegistrationForm,
    ResetPasswordForm,
)
from .session import log_in_user, log_out_user

bp = Blueprint("accounts", __name__)

RESET_SENT = "If your email is in our system, you will receive instructions to reset your password shortly."
MAGIC_LINK_SENT = "If your email is in our system, you will receive instructions for logging in shortly."
MAGIC_LINK_INVALID = "Magic link is invalid or it has expired."
CONFIRMATION_SENT = (
    "If your email is in our system and it has not been confirmed yet, "
    "you will receive an email with instructions shortly."
)


def redirect_if_user_is_authenticated(view):
    """Send a logged-in user home instead of showing ``view`` (log in, register, reset)."""

    @wraps(view)
    def only_when_logged_out(*args, **kwargs):
        if current_user.is_authenticated:
            return redirect(url_for("accounts.home"))
        return view(*args, **kwargs)

    return only_when_logged_out


@bp.get("/")
def home():
    """Show the home page: links to recipes and settings when logged in, else to register or log in."""
    return render_template("accounts/home.html")


@bp.route("/users/register", methods=["GET", "POST"])
@redirect_if_user_is_authenticated
def register():
    """Show the registration form; on POST, create the account, email its confirmation link and log in."""
    form = RegistrationForm()
    if request.method == "POST":
        try:
            user = service.register_user(request.form.get("email"), request.form.get("password"))
        except ValidationError as exc:
            form.set_errors(exc.fields)
        else:
            service.deliver_user_confirmation_instructions(user, confirmation_url)
            target = log_in_user(user)
            flash("User created successfully.", "info")
            return redirect(target)
    return render_template("accounts/register.html", form=form)


@bp.route("/users/log_in", methods=["GET", "POST"])
@redirect_if_user_is_authenticated
def log_in():
    """Show the log-in form; on POST, check the credentials and start a session."""
    form = LogInForm()
    error = None
    if request.method == "POST":
        # Read as the API's sign-in and the rate limiter read it (user[email] too),
        # so that the limiter counts the account whose password is checked.
        email, password = credentials_from_request()
        user = service.get_user_by_email_and_password(email, password)
        if user is not None:
            remember = request.form.get("remember_me") == "true"
            return redirect(log_in_user(user, remember=remember))
        # Same message for an unknown email: no account enumeration.
        error = "Invalid email or password"
    return render_template("accounts/log_in.html", form=form, link_form=EmailForm(), error_message=error)


@bp.post("/users/log_in/link")
def log_in_link():
    """Email a magic link that logs in, if the account exists (the same answer either way)."""

    def deliver(user):
        service.deliver_login_instructions(user, magic_link_url)

    return _send_email_link(MAGIC_LINK_SENT, deliver, "accounts.log_in")


@bp.get("/users/log_in/<token>")
def magic_link_edit(token: str):
    """Show whom a magic link logs in and its button; the GET itself uses nothing (mail scanners)."""
    user = service.get_user_by_magic_link_token(token)
    if user is None:
        return _invalid_magic_link()
    return render_template("accounts/magic_link.html", token=token, email=user.email, form=LogInForm())


@bp.post("/users/log_in/<token>")
def magic_link_update(token: str):
    """Use up a magic link and log its user in with a fresh session (a logged-in browser switches to them)."""
    user = service.login_user_by_magic_link(token)
    if user is None:
        return _invalid_magic_link()
    if current_user.is_authenticated:
        log_out_user(current_user.session_token)  # this browser's previous session ends
    target = log_in_user(user, remember=request.form.get("remember_me") == "true")
    flash("Welcome back!", "info")
    return redirect(target)


def _invalid_magic_link():
    flash(MAGIC_LINK_INVALID, "error")
    return redirect(url_for("accounts.log_in"))


@bp.post("/users/log_out")
def log_out():
    """End this browser's session (its token is deleted) and go back to the home page."""
    log_out_user(getattr(current_user, "session_token", None))
    flash("Logged out successfully.", "info")
    return redirect(url_for("accounts.home"))


@bp.route("/users/reset_password", methods=["GET", "POST"])
@redirect_if_user_is_authenticated
def reset_password_new():
    """Show the forgot-password form; on POST, email a reset link if the account exists (same answer)."""
    return _email_link_form(
        "accounts/reset_password_new.html",
        RESET_SENT,
        lambda user: service.deliver_user_reset_password_instructions(user, reset_password_url),
    )


@bp.route("/users/reset_password/<token>", methods=["GET", "POST"])
@redirect_if_user_is_authenticated
def reset_password_edit(token: str):
    """Show the new-password form of a valid reset link; on POST, set it, end every session, go to log in."""
    if service.get_user_by_reset_password_token(token) is None:
        return _invalid_reset_link()
    form = ResetPasswordForm()
    if request.method == "POST":
        try:
            user = service.reset_user_password(
                token, request.form.get("password"), request.form.get("password_confirmation")
            )
        except ValidationError as exc:
            form.set_errors(exc.fields)
        else:
            if user is None:
                return _invalid_reset_link()
            # Not logged in: a leaked reset link must not hand out a session.
            flash("Password reset successfully.", "info")
            return redirect(url_for("accounts.log_in"))
    return render_template("accounts/reset_password_edit.html", form=form, token=token)


def _invalid_reset_link():
    flash("Reset password link is invalid or it has expired.", "error")
    return redirect(url_for("accounts.home"))


@bp.route("/users/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Show the settings; on POST, email a link to confirm a new address, or change the password."""
    action = request.form.get("action") if request.method == "POST" else None
    email_form = ChangeEmailForm(formdata=request.form if action == "update_email" else None)
    password_form = ChangePasswordForm(formdata=request.form if action == "update_password" else None)
    if action == "update_email":
        return _update_email(email_form, password_form)
    if action == "update_password":
        return _update_password(email_form, password_form)
    if request.method == "POST":
        abort(400)
    return _render_settings(email_form, password_form)


def _render_settings(email_form, password_form):
    return render_template("accounts/settings.html", email_form=email_form, password_form=password_form)


def _update_email(email_form, password_form):
    try:
        with ratelimits.current_password_check(current_actor()):
            service.request_email_change(
                current_actor(),
                request.form.get("current_password"),
                request.form.get("email"),
                change_email_url,
            )
    except ValidationError as exc:
        email_form.set_errors(exc.fields)
        return _render_settings(email_form, password_form)
    flash("A link to confirm your email change has been sent to the new address.", "info")
    return redirect(url_for("accounts.settings"))


def _update_password(email_form, password_form):
    try:
        with ratelimits.current_password_check(current_actor()):
            user = service.update_user_password(
                current_actor(),
                request.form.get("current_password"),
                request.form.get("password"),
                request.form.get("password_confirmation"),
            )
    except ValidationError as exc:
        password_form.set_errors(exc.fields)
        return _render_settings(email_form, password_form)
    log_in_user(user)
    flash("Password updated successfully.", "info")
    return redirect(url_for("accounts.settings"))


@bp.get("/users/settings/confirm_email/<token>")
@login_required
def confirm_email(token: str):
    """Apply the email change a link sent to the new address carries, then show the settings."""
    if service.update_user_email(current_actor(), token):
        flash("Email changed successfully.", "info")
    else:
        flash("Email change link is invalid or it has expired.", "error")
    return redirect(url_for("accounts.settings"))


@bp.route("/users/confirm", methods=["GET", "POST"])
def confirm_new():
    """Show the resend-confirmation form; on POST, email a new link if the account is unconfirmed."""
    return _email_link_form(
        "accounts/confirmation_new.html",
        CONFIRMATION_SENT,
        lambda user: service.deliver_user_confirmation_instructions(user, confirmation_url),
    )


def _email_link_form(template: str, sent_message: str, deliver) -> str:
    if request.method == "POST":
        return _send_email_link(sent_message, deliver, "accounts.home")
    return render_template(template, form=EmailForm())


def _send_email_link(sent_message: str, deliver, then: str):
    # Security: the same flash and redirect whether or not the email has an account,
    # so the form does not tell who is registered.
    user = service.get_user_by_email(request.form.get("email"))
    if user is not None:
        deliver(user)
    flash(sent_message, "info")
    return redirect(url_for(then))


@bp.get("/users/confirm/<token>")
def confirm_edit(token: str):
    """Show the button that confirms the account; the GET itself confirms nothing."""
    # Only a button: a mail scanner following the link confirms nothing.
    return render_template("accounts/confirmation_edit.html", token=token)


@bp.post("/users/confirm/<token>")
def confirm_update(token: str):
    """Confirm the account of a valid confirmation link, without logging in, and go home."""
    if service.confirm_user(token) is not None:
        # Not logged in: a leaked confirmation link must not hand out a session.
        flash("User confirmed successfully.", "info")
    elif not (current_user.is_authenticated and current_user.is_confirmed):
        flash("User confirmation link is invalid or it has expired.", "error")
    return redirect(url_for("accounts.home"))
