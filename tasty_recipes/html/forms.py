"""WTForms classes for rendering the recipe pages; rules live in recipes.service."""

from __future__ import annotations

from wtforms import HiddenField, StringField, TextAreaField

from ..web.forms import ServiceForm


class RecipeForm(ServiceForm):
    """Name and description, plus the version the recipe was loaded at."""

    name = StringField("Name")
    description = TextAreaField("Description")
    # The version the recipe was loaded at: a stale submit is refused (no lost update).
    version = HiddenField()
