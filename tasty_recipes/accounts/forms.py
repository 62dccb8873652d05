"""WTForms classes for rendering the account pages; rules live in accounts.service.
"""

from __future__ import annotations

from wtforms import BooleanField, EmailField, HiddenField, PasswordField

from ..web.forms import ServiceForm


class RegistrationForm(ServiceForm):
    email = EmailField("Email")
    password = PasswordField("Password")


class LogInForm(ServiceForm):
    email = EmailField("Email")
    password = PasswordField("Password")
    remember_me = BooleanField("Keep me logged in for 60 days")


class EmailForm(ServiceForm):
    email = EmailField("Email")


class ResetPasswordForm(ServiceForm):
    password = PasswordField("New password")
    password_confirmation = PasswordField("Confirm new password")


class ChangeEmailForm(ServiceForm):
    action = HiddenField(default="update_email")
    email = EmailField("Email")
    current_password = PasswordField("Current password")


class ChangePasswordForm(ServiceForm):
    action = HiddenField(default="update_password")
    password = PasswordField("New password")
    password_confirmation = PasswordField("Confirm new password")
    current_password = PasswordField("Current password")
