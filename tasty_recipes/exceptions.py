"""The errors a service may raise: what went wrong in the domain's own terms.

No Flask here: the contexts raise these whatever face called them (browser,
API, CLI), and ``errors.py`` alone maps them to HTTP.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base class of the errors a service may raise."""

    status = 400
    detail = "Bad Request"


class ValidationError(DomainError):
    """Invalid input: ``fields`` maps a field name to its messages."""

    status = 422
    detail = "Unprocessable Entity"

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__(fields)
        self.fields = fields


class NotFound(DomainError):
    """The record asked for does not exist (or its id is malformed)."""

    status = 404
    detail = "Not Found"


class Forbidden(DomainError):
    """The caller may not do this to that record (e.g. change another user's recipe)."""

    status = 403
    detail = "Forbidden"


class Conflict(DomainError):
    """The record changed since the client read it (a lost update was prevented)."""

    status = 409
    detail = "Conflict"


class PreconditionFailed(DomainError):
    """The client's If-Match names a version the record no longer has."""

    status = 412
    detail = "Precondition Failed"
