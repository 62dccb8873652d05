"""WTForms classes for rendering the recipe pages; rules live in recipes.service.

CSRF is checked globally by CSRFProtect, so the forms do not check it again.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField


class RecipeForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField("Name")
    description = TextAreaField("Description")
    # The version the recipe was loaded at: a stale submit is refused (no lost update).
    version = HiddenField()

    def set_errors(self, fields: dict[str, list[str]]) -> None:
        """Show service validation messages beside their fields."""
        for name, messages in fields.items():
            field = getattr(self, name, None)
            if field is not None:
                field.errors = list(messages)
