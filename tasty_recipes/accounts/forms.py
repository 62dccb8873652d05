"""WTForms classes for rendering the account pages; rules live in accounts.service."""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField

from ..web.forms import ServiceForm


class RegistrationForm(ServiceForm):
    """The registration form: email and password."""

    email = EmailField("Email")
    password = PasswordField("Password")


class LogInForm(ServiceForm):
    """The log-in form: email, password and the remember-me box."""

    email = EmailField("Email")
    password = PasswordField("Password")
    remember_me = BooleanField("Keep me logged in for 60 days")


class EmailForm(ServiceForm):
    """An email address alone: the reset-password and resend-confirmation requests."""

    email = EmailField("Email")


class ResetPasswordForm(ServiceForm):
    """The new password, twice, on the page a reset link opens."""

    password = PasswordField("New password")
    password_confirmation = PasswordField("Confirm new password")


class ChangeEmailForm(ServiceForm):
    """The settings form for a new email, checked against the current password."""

    action = HiddenField(default="update_email")
    email = EmailField("Email")
    current_password = PasswordField("Current password")


class ChangePasswordForm(ServiceForm):
    """The settings form for a new password (twice), checked against the current password."""

    action = HiddenField(default="update_password")
    password = PasswordField("New password")
    password_confirmation = PasswordField("Confirm new password")
    current_password = PasswordField("Current password")
