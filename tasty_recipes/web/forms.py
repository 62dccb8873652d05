"""The base of every WTForms form: rendering only, the rules and messages come from the services."""

from __future__ import annotations

from flask_wtf import FlaskForm


class ServiceForm(FlaskForm):
    """A form that renders fields and shows a service's ValidationError beside them.

    CSRF is checked globally by CSRFProtect, so the forms do not check it again.
    """

    class Meta:
        """No per-form CSRF field: CSRFProtect checks every state-changing request."""

        csrf = False

    def set_errors(self, fields: dict[str, list[str]]) -> None:
        """Show service validation messages beside their fields."""
        for name, messages in fields.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = list(messages)
