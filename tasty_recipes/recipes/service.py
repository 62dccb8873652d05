"""The recipes context: the only public API for recipes, used by html/, api/ and the CLI.

Anyone logged in may read every recipe; ``can_edit`` is the single ownership
rule (owner or admin). Lists are keyset-paginated newest first, selecting plain
rows (one statement, owner email joined in) rather than ORM objects.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import (
    Integer,
    Row,
    Select,
    String,
    bindparam,
    delete,
    func,
    insert,
    select,
    tuple_,
    update,
)

from ..accounts.models import User
from ..db import UTCDateTime, UUIDType, utcnow
from ..db_waits import client_timeout
from ..exceptions import Conflict, DomainError, Forbidden, NotFound, ValidationError
from ..extensions import db
from ..validation import Errors, max_length, parse_uuid, text_field
from .models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, Recipe

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
FIELDS = ("name", "description")

# The columns of a listed recipe, as plain Core columns: rows, not ORM objects, and
# no ORM compilation step on the hottest query.
_RECIPES = Recipe.__table__
_USERS = User.__table__
LIST_COLUMNS = (
    _RECIPES.c.id,
    _RECIPES.c.name,
    _RECIPES.c.description,
    _RECIPES.c.owner_id,
    _RECIPES.c.version,
    _RECIPES.c.inserted_at,
    _RECIPES.c.updated_at,
)
OWNER_EMAIL = _USERS.c.email.label("owner_email")
LIKE_ESCAPE = "/"


@dataclass(frozen=True)
class Page:
    """One page of recipes, newest first; ``next_cursor`` is None on the last page."""

    items: list[Row]
    next_cursor: str | None


def can_edit(user: Any, recipe: Any) -> bool:
    """True when ``user`` may change or delete ``recipe``: its owner, or an admin."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin) or recipe.owner_id == user.id


# --- reading ---------------------------------------------------------------------


def list_recipes(
    actor: User,
    *,
    limit: Any = None,
    after: Any = None,
    owner: Any = None,
    q: Any = None,
    with_owner_email: bool = True,
) -> Page:
    """A page of recipes, newest first.

    ``limit`` (1–100, default 50), ``after`` (a cursor from a previous page),
    ``owner`` (``"me"`` for the actor's own) and ``q`` (case-insensitive
    substring of the name) arrive as raw strings; bad values raise
    ValidationError naming the parameter. Rows carry ``owner_email`` unless
    ``with_owner_email`` is False (the API does not show it: no join then).
    """
    errors = Errors()
    size = _page_size(errors, limit)
    position = _decode_cursor(errors, after)
    if owner not in (None, "", "me"):
        errors.add("owner", 'must be "me"')
    if q is not None and (not isinstance(q, str) or "\x00" in q or len(q) > NAME_MAX_LENGTH):
        errors.add("q", f"must be text of at most {NAME_MAX_LENGTH} character(s)")
    errors.raise_if_any()

    params: dict[str, Any] = {"limit": size + 1}
    if owner == "me":
        params["owner_id"] = actor.id
    if q:
        params["q"] = _escape_like(q)
    if position is not None:
        params["after_at"], params["after_id"] = position
    statement = _list_statement(with_owner_email, "owner_id" in params, "q" in params, "after_at" in params)
    if q:
        # The one query whose cost a client chooses gets a tighter deadline than the
        # statement timeout (no extra round trip: the wait is cut client-side, 503).
        with client_timeout(current_app.config["SEARCH_TIMEOUT_MS"] / 1000):
            rows = db.session.execute(statement, params).all()
    else:
        rows = db.session.execute(statement, params).all()
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, encode_cursor(rows[-1]) if more else None)


@lru_cache(maxsize=16)
def _list_statement(with_owner_email: bool, mine: bool, search: bool, after: bool) -> Select:
    """The list query for one combination of filters, built once (values are bound)."""
    recipes = _RECIPES.c
    query = select(*LIST_COLUMNS)
    if with_owner_email:
        query = query.add_columns(OWNER_EMAIL).join(_USERS, _USERS.c.id == recipes.owner_id)
    if mine:
        query = query.where(recipes.owner_id == bindparam("owner_id", type_=UUIDType))
    if search:
        query = query.where(recipes.name.icontains(bindparam("q", type_=String), escape=LIKE_ESCAPE))
    if after:
        query = query.where(
            tuple_(recipes.inserted_at, recipes.id)
            < tuple_(bindparam("after_at", type_=UTCDateTime), bindparam("after_id", type_=UUIDType))
        )
    return query.order_by(recipes.inserted_at.desc(), recipes.id.desc()).limit(
        bindparam("limit", type_=Integer)
    )


def _escape_like(text: str) -> str:
    """``text`` matched literally inside LIKE (``%`` and ``_`` are not wildcards)."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def _page_size(errors: Errors, limit: Any) -> int:
    if limit in (None, ""):
        return DEFAULT_PAGE_SIZE
    try:
        size = int(limit)
    except (TypeError, ValueError):
        size = 0
    if not 1 <= size <= MAX_PAGE_SIZE:
        errors.add("limit", f"must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return size


def encode_cursor(row: Any) -> str:
    """An opaque cursor for the position just after ``row`` (its time and id)."""
    raw = f"{row.inserted_at.isoformat()}|{row.id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_cursor(errors: Errors, cursor: Any) -> tuple[datetime, uuid.UUID] | None:
    if cursor in (None, ""):
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, recipe_id = raw.split("|")
        moment = datetime.fromisoformat(stamp)
        # In UTC, as the database compares it; a far-off offset ("0001-01-01T00:00+05:00")
        # leaves the range of datetime here rather than in the driver.
        position = moment.astimezone(UTC), uuid.UUID(recipe_id)
        if moment.tzinfo is None:
            raise ValueError("a cursor's time has an offset")
    except (TypeError, ValueError, OverflowError, binascii.Error, UnicodeDecodeError):
        errors.add("after", "is not a valid cursor")
        return None
    return position


def count_recipes_owned_by(owner_id: uuid.UUID) -> int:
    """How many recipes the user with ``owner_id`` owns (deleting the user deletes them)."""
    return db.session.scalar(
        select(func.count()).select_from(_RECIPES).where(_RECIPES.c.owner_id == owner_id)
    )


def get_recipe(recipe_id: Any) -> Recipe:
    """The recipe with this id; raises NotFound for an unknown or malformed id."""
    key = parse_uuid(recipe_id)
    recipe = db.session.get(Recipe, key) if key is not None else None
    if recipe is None:
        raise NotFound()
    return recipe


def get_recipe_with_owner(recipe_id: Any) -> Row:
    """One recipe as a list row (with ``owner_email``); raises NotFound."""
    recipe = get_recipe(recipe_id)
    row = db.session.execute(
        select(*LIST_COLUMNS, OWNER_EMAIL)
        .join(_USERS, _USERS.c.id == _RECIPES.c.owner_id)
        .where(_RECIPES.c.id == recipe.id)
    ).first()
    if row is None:
        raise NotFound()
    return row


# --- writing ---------------------------------------------------------------------


def _validated(params: Mapping[str, Any] | None, partial: bool) -> dict[str, str]:
    """Clean ``name``/``description`` from params; unknown keys (owner_id, id, …) are ignored."""
    params = params if isinstance(params, Mapping) else {}
    errors = Errors()
    changes: dict[str, str] = {}
    for field in FIELDS:
        if partial and field not in params:
            continue
        value = text_field(errors, field, params.get(field))
        if value is not None:
            changes[field] = value.strip() if field == "name" else value
    if "name" in changes:
        max_length(errors, "name", changes["name"], NAME_MAX_LENGTH)
    if "description" in changes:
        max_length(errors, "description", changes["description"], DESCRIPTION_MAX_LENGTH)
    errors.raise_if_any()
    return changes


def create_recipe(
    actor: User, params: Mapping[str, Any] | None, before_commit: Callable[[Row], object] | None = None
) -> Row:
    """Create a recipe owned by ``actor`` (whatever the params say); raises ValidationError.

    Returns the row as written (INSERT … RETURNING): the response is built from
    what the database stored, with no read after the commit that could fail
    once the write has already succeeded. ``before_commit(row)`` runs inside the
    same transaction, so that what it writes (a stored answer for an
    idempotency key) commits with the recipe or not at all.
    """
    changes = _validated(params, partial=False)
    row = db.session.execute(
        insert(_RECIPES).values(owner_id=actor.id, **changes).returning(*LIST_COLUMNS)
    ).one()
    if before_commit is not None:
        before_commit(row)
    db.session.commit()
    return row


def _authorize(actor: User, recipe: Recipe, expected_version: int | None) -> None:
    if not can_edit(actor, recipe):
        raise Forbidden()
    if expected_version is not None and expected_version != recipe.version:
        raise Conflict()


def _matching(recipe: Recipe, expected_version: int | None):
    """WHERE clause for a write: this recipe, at ``expected_version`` when one is given."""
    clause = _RECIPES.c.id == recipe.id
    if expected_version is not None:
        clause &= _RECIPES.c.version == expected_version
    return clause


def _lost(expected_version: int | None) -> DomainError:
    # With a version the caller asked for a conditional write, and a concurrent change
    # won: refused. Without one, the only way to match no row is a concurrent delete.
    return Conflict() if expected_version is not None else NotFound()


def update_recipe(
    actor: User, recipe_id: Any, params: Mapping[str, Any] | None, expected_version: int | None = None
) -> Row:
    """Change name and/or description (keys left out stay as they are); returns the new row.

    With ``expected_version`` the write happens only at that version (Conflict
    otherwise: a lost update is refused). Without it the write always goes
    through, as one statement, so concurrent writers never see a conflict and
    the row ends up as exactly one writer's values. Raises NotFound, Forbidden
    (not owner nor admin) or ValidationError too.
    """
    recipe = get_recipe(recipe_id)
    _authorize(actor, recipe, expected_version)
    changes = _validated(params, partial=True)
    if not changes:
        return recipe
    row = db.session.execute(
        update(_RECIPES)
        .where(_matching(recipe, expected_version))
        .values(**changes, version=_RECIPES.c.version + 1, updated_at=utcnow())
        .returning(*LIST_COLUMNS)
    ).first()
    if row is None:
        db.session.rollback()
        raise _lost(expected_version)
    db.session.commit()
    return row


def delete_recipe(actor: User, recipe_id: Any, expected_version: int | None = None) -> None:
    """Delete a recipe; raises NotFound, Forbidden or Conflict like update_recipe."""
    recipe = get_recipe(recipe_id)
    _authorize(actor, recipe, expected_version)
    result = db.session.execute(delete(_RECIPES).where(_matching(recipe, expected_version)))
    if result.rowcount != 1:
        db.session.rollback()
        raise _lost(expected_version)
    db.session.commit()


__all__ = [
    "Page",
    "ValidationError",
    "can_edit",
    "count_recipes_owned_by",
    "create_recipe",
    "delete_recipe",
    "get_recipe",
    "get_recipe_with_owner",
    "list_recipes",
    "update_recipe",
]
