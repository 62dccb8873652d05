"""The API's JSON shapes: recipes, users, ISO 8601 UTC timestamps, ETags."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with a ``Z`` (``2026-01-31T12:00:00.123456Z``), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def recipe_json(recipe: Any) -> dict[str, Any]:
    """A Recipe or a listed row as ``{"id", "name", "description", "owner_id", …}``.

    UUIDs and datetimes are left to the JSON provider (orjson writes them as
    strings and ISO 8601 UTC with ``Z``, exactly like ``iso``): the list
    endpoint builds one of these per row.
    """
    return {
        "id": recipe.id,
        "name": recipe.name,
        "description": recipe.description,
        "owner_id": recipe.owner_id,
        "inserted_at": recipe.inserted_at,
        "updated_at": recipe.updated_at,
    }


def recipe_etag(recipe: Any) -> str:
    """An opaque strong entity tag that changes with every update (id + version)."""
    return hashlib.sha256(f"{recipe.id}:{recipe.version}".encode()).hexdigest()[:32]


def user_json(user: Any) -> dict[str, Any]:
    """A user as ``{"id", "email", "confirmed_at"}``: what sign-up returns."""
    return {"id": str(user.id), "email": user.email, "confirmed_at": iso(user.confirmed_at)}


def me_json(user: Any) -> dict[str, Any]:
    """The caller's own account: ``user_json`` plus ``is_admin``."""
    return {**user_json(user), "is_admin": bool(user.is_admin)}
