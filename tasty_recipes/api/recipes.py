"""The /api/recipes resource, with ETag / If-Match against lost updates."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request, url_for
from flask_jwt_extended import current_user, jwt_required

from ..exceptions import Conflict, Forbidden, PreconditionFailed
from ..recipes import service as recipes
from ..web.params import read_body, unwrap
from ..web.requests import no_content
from . import bp, idempotency
from .serializers import recipe_etag, recipe_json

LIST_PARAMS = ("limit", "owner", "q")


@bp.get("/recipes")
@jwt_required()
def index():
    """List the recipes, newest first, ``limit`` (default 50) a page, filtered by ``owner`` and ``q``."""
    args = request.args
    page = recipes.list_recipes(
        current_user,
        limit=args.get("limit"),
        after=args.get("after"),
        owner=args.get("owner"),
        q=args.get("q"),
        with_owner_email=False,
    )
    next_url = None
    if page.next_cursor is not None:
        kept = {name: args[name] for name in LIST_PARAMS if args.get(name)}
        next_url = url_for("api.index", **kept, after=page.next_cursor, _external=True)
    response = jsonify(data=[recipe_json(row) for row in page.items], meta={"next": next_url})
    if next_url is not None:
        response.headers["Link"] = f'<{next_url}>; rel="next"'
    return response


@bp.post("/recipes")
@jwt_required()
def create():
    """Create a recipe owned by the caller; 201 with its Location."""
    # Keys are per user: another user's identical key is a different key.
    keyed = idempotency.keyed_request(f"POST /api/recipes by {current_user.id}", current_user.id)
    params = unwrap(read_body(), "recipe")
    if keyed is None:
        return _created(recipes.create_recipe(current_user, params))
    # The answer is built from the row create_recipe inserts, before it commits,
    # so that the recipe and its stored answer are one transaction.
    written: list = []
    return idempotency.run_once(
        keyed,
        lambda: recipes.create_recipe(current_user, params, before_commit=written.append),
        lambda: _created(written[0]),
    )


def _created(recipe: Any):
    response = _recipe_response(recipe, 201)
    response.headers["Location"] = url_for("api.show", recipe_id=recipe.id)
    return response


@bp.get("/recipes/<recipe_id>")
@jwt_required()
def show(recipe_id: str):
    """Show one recipe, with its ETag."""
    return _recipe_response(recipes.get_recipe(recipe_id))


@bp.route("/recipes/<recipe_id>", methods=["PUT", "PATCH"])
@jwt_required()
def update(recipe_id: str):
    """Change a recipe's name and/or description (owner or admin); 412 when If-Match is stale."""
    params = unwrap(read_body(), "recipe")
    expected = _expected_version(recipe_id)
    try:
        recipe = recipes.update_recipe(current_user, recipe_id, params, expected)
    except Conflict as exc:  # a concurrent change slipped in after the If-Match check
        raise PreconditionFailed() from exc
    return _recipe_response(recipe)


@bp.delete("/recipes/<recipe_id>")
@jwt_required()
def delete(recipe_id: str):
    """Delete a recipe (owner or admin); 204, or 412 when If-Match is stale."""
    expected = _expected_version(recipe_id)
    try:
        recipes.delete_recipe(current_user, recipe_id, expected)
    except Conflict as exc:
        raise PreconditionFailed() from exc
    return no_content()


def _recipe_response(recipe: Any, status: int = 200):
    response = jsonify(data=recipe_json(recipe))
    response.status_code = status
    response.set_etag(recipe_etag(recipe))
    return response


def _expected_version(recipe_id: str) -> int | None:
    """The version the client's ``If-Match`` refers to; None when it sent none.

    Raises NotFound, then Forbidden (a stranger learns nothing from the tag),
    then PreconditionFailed when no tag matches the recipe as it is now.
    """
    if "If-Match" not in request.headers:
        return None
    recipe = recipes.get_recipe(recipe_id)
    if request.if_match.star_tag or request.if_match.contains(recipe_etag(recipe)):
        return recipe.version
    if not recipes.can_edit(current_user, recipe):
        raise Forbidden()
    raise PreconditionFailed()
