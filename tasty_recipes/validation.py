"""Field validation shared by every context, with the messages the forms and the API show."""

from __future__ import annotations

import uuid
from typing import Any

from .exceptions import ValidationError

BLANK = "can't be blank"
NUL = "must not contain null characters"
NOT_TEXT = "must be a string"


class Errors:
    """Collects messages per field, then raises them together as one ValidationError."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        """Record ``message`` for ``field``."""
        self.fields.setdefault(field, []).append(message)

    def has(self, field: str) -> bool:
        """True when ``field`` already has a message."""
        return field in self.fields

    def raise_if_any(self) -> None:
        """Raise every message collected as one ValidationError; nothing when there is none."""
        if self.fields:
            raise ValidationError(self.fields)


def is_blank(value: Any) -> bool:
    """Ecto's rule: missing, or empty after trimming leading whitespace."""
    return value is None or (isinstance(value, str) and value.lstrip() == "")


def text_field(errors: Errors, field: str, value: Any, required: bool = True) -> str | None:
    """Check that a submitted value is usable text; returns it or None (error recorded)."""
    if value is None or (isinstance(value, str) and is_blank(value)):
        if required:
            errors.add(field, BLANK)
        return None
    if not isinstance(value, str):
        errors.add(field, NOT_TEXT)
        return None
    if "\x00" in value:
        errors.add(field, NUL)
        return None
    return value


def max_length(errors: Errors, field: str, value: str, limit: int) -> None:
    """Record an error when ``value`` is longer than ``limit`` characters."""
    if len(value) > limit:
        errors.add(field, f"should be at most {limit} character(s)")


def min_length(errors: Errors, field: str, value: str, limit: int) -> None:
    """Record an error when ``value`` is shorter than ``limit`` characters."""
    if len(value) < limit:
        errors.add(field, f"should be at least {limit} character(s)")


def parse_uuid(raw: Any) -> uuid.UUID | None:
    """``raw`` as a UUID (a UUID or its text), or None when it is not one."""
    if isinstance(raw, uuid.UUID):
        return raw
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None
