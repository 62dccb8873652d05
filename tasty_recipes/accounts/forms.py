"""WTForms classes for rendering the account pages; rules live in accounts.service.

CSRF is checked globally by CSRFProtect, so the forms do not check it again.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField


class _Form(FlaskForm):
    class Meta:
        csrf = False

    def set_errors(self, fields: dict[str, list[str]]) -> None:
        """Show service validation messages beside their fields."""
        for name, messages in fields.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = list(messages)


class RegistrationForm(_Form):
    email = EmailField("Email")
    password = PasswordField("Password")


class LogInForm(_Form):
    email = EmailField("Email")
    password = PasswordField("Password")
    remember_me = BooleanField("Keep me logged in for 60 days")


class EmailForm(_Form):
    email = EmailField("Email")


class ResetPasswordForm(_Form):
    password = PasswordField("New password")
    password_confirmation = PasswordField("Confirm new password")


class ChangeEmailForm(_Form):
    action = HiddenField(default="update_email")
    email = EmailField("Email")
    current_password = PasswordField("Current password")


class ChangePasswordForm(_Form):
    action = HiddenField(default="update_password")
    password = PasswordField("New password")
    password_confirmation = PasswordField("Confirm new password")
    current_password = PasswordField("Current password")
