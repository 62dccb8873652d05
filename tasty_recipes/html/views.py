"""HTML face of the recipes context: thin views over recipes.service.

Every page works as plain links and forms (POST-redirect-GET). With JavaScript,
htmx sends ``HX-Request: true``: the form views then answer with the form
fragment for the modal, and a success answers ``HX-Location`` so htmx fetches
the next page and swaps its ``<main>`` (flash included) without a full reload.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from ..exceptions import Conflict, Forbidden, ValidationError
from ..recipes import service
from ..web.requests import current_actor
from .forms import RecipeForm

bp = Blueprint("html", __name__, url_prefix="/html")

CONFLICT_MESSAGE = "This recipe was changed by someone else while you were editing it."


@bp.after_request
def _vary_on_htmx(response):
    # The same URL answers a page or a fragment: caches must keep them apart.
    response.vary.add("HX-Request")
    return response


@bp.get("/recipes")
@login_required
def index():
    """List the recipes, newest first, 50 a page, with an edit link on those the user may change."""
    me = current_actor()
    page = service.list_recipes(me, after=request.args.get("after"))
    rows = [(recipe, service.can_edit(me, recipe)) for recipe in page.items]
    return render_template(
        "recipes/index.html",
        rows=rows,
        next_cursor=page.next_cursor,
        is_first_page=not request.args.get("after"),
    )


@bp.get("/recipes/new")
@login_required
def new():
    """Show an empty recipe form (the modal's fragment for htmx)."""
    return _render_form(RecipeForm(), url_for("html.create"))


@bp.post("/recipes")
@login_required
def create():
    """Create a recipe owned by the user from the form, or show the form again with its errors."""
    form = RecipeForm()
    try:
        service.create_recipe(current_actor(), request.form)
    except ValidationError as exc:
        form.set_errors(exc.fields)
        return _render_form(form, url_for("html.create"))
    flash("Recipe created successfully", "info")
    return _after_success(url_for("html.index"))


@bp.get("/recipes/<recipe_id>")
@login_required
def show(recipe_id: str):
    """Show one recipe with its owner's email, and an edit link for its owner or an admin."""
    recipe = service.get_recipe_with_owner(recipe_id)
    return render_template(
        "recipes/show.html", recipe=recipe, editable=service.can_edit(current_actor(), recipe)
    )


@bp.get("/recipes/<recipe_id>/edit")
@login_required
def edit(recipe_id: str):
    """Show the edit form of a recipe the user may change, at its current version."""
    recipe = _editable_recipe(recipe_id)
    return _render_form(RecipeForm(obj=recipe), url_for("html.update", recipe_id=recipe.id))


@bp.post("/recipes/<recipe_id>/edit")
@login_required
def update(recipe_id: str):
    """Save the edit form; 409 with the latest values when someone else changed the recipe meanwhile."""
    form = RecipeForm()  # the user's input, kept on every re-render
    action = url_for("html.update", recipe_id=recipe_id)
    try:
        service.update_recipe(current_actor(), recipe_id, request.form, _submitted_version())
    except ValidationError as exc:
        form.set_errors(exc.fields)
        return _render_form(form, action)
    except Conflict:
        latest = service.get_recipe(recipe_id)
        # Nothing was overwritten; saving again now means "replace what is there".
        form.version.data = str(latest.version)
        return _render_form(form, action, status=409, latest=latest)
    flash("Recipe updated successfully", "info")
    return _after_success(_htmx_list_origin() or url_for("html.show", recipe_id=recipe_id))


@bp.post("/recipes/<recipe_id>/delete")
@login_required
def delete(recipe_id: str):
    """Delete a recipe the user may change, then go back to the list."""
    service.delete_recipe(current_actor(), recipe_id)
    flash("Recipe deleted successfully", "info")
    return _after_success(_htmx_list_origin() or url_for("html.index"))


# --- helpers -----------------------------------------------------------------------


def is_htmx() -> bool:
    """True when htmx sent the request (``HX-Request: true``)."""
    return request.headers.get("HX-Request") == "true"


def _editable_recipe(recipe_id: str):
    """The recipe, if the current user may change it; raises NotFound or Forbidden."""
    recipe = service.get_recipe(recipe_id)
    if not service.can_edit(current_actor(), recipe):
        raise Forbidden()
    return recipe


def _submitted_version() -> int | None:
    raw = request.form.get("version")
    if raw in (None, ""):
        return None  # like a write without If-Match: no version check
    try:
        return int(raw)
    except ValueError:
        return 0  # versions start at 1: a garbled version is treated as stale


def _render_form(form: RecipeForm, action: str, status: int = 200, latest=None):
    template = "recipes/_form.html" if is_htmx() else "recipes/form.html"
    editing = action != url_for("html.create")
    html = render_template(
        template,
        form=form,
        action=action,
        editing=editing,
        in_modal=is_htmx(),
        latest=latest,
        conflict_message=CONFLICT_MESSAGE,
    )
    return html, status


def _after_success(url: str):
    """POST-redirect-GET; for htmx, fetch ``url`` and swap its <main> (no full reload)."""
    if not is_htmx():
        return redirect(url)
    location = {"path": url, "target": "main", "select": "main", "swap": "outerHTML show:window:top"}
    return "", 200, {"HX-Location": json.dumps(location)}


def _htmx_list_origin() -> str | None:
    """The list page an htmx request was made from, to return there like LiveView does."""
    if not is_htmx():
        return None
    origin = urlsplit(request.headers.get("HX-Current-URL", ""))
    if origin.path != url_for("html.index"):
        return None
    return origin.path + (f"?{origin.query}" if origin.query else "")
