"""The OpenAPI 3 document of the API: every operation, parameter, body, response and error.

Kept as data next to the views it describes; tests/api/test_schemathesis.py runs
Schemathesis against the live app to hold the two together.
"""

from __future__ import annotations

from typing import Any

from ..accounts.changesets import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from ..db import EMAIL_MAX_LENGTH
from ..idempotency.models import KEY_MAX_LENGTH
from ..recipes.models import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from ..recipes.service import MAX_PAGE_SIZE

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str, headers: dict | None = None) -> dict:
    response: dict[str, Any] = {"description": description, "content": {JSON: {"schema": schema}}}
    if headers:
        response["headers"] = headers
    return response


def _header(description: str, required: bool = True, fmt: str | None = None) -> dict:
    schema: dict[str, Any] = {"type": "string"}
    if fmt:
        schema["format"] = fmt
    return {"description": description, "required": required, "schema": schema}


def _body(schema: dict[str, Any], form_schema: dict[str, Any] | None = None, required: bool = True) -> dict:
    return {
        "required": required,
        "content": {JSON: {"schema": schema}, FORM: {"schema": form_schema or schema}},
    }


ERRORS = {
    "400": "Malformed JSON, or a body that is not a JSON object",
    "401": "No bearer token (`unauthenticated`) or a bad one (`invalid_token`)",
    "403": "Only the recipe's owner or an admin may change it",
    "404": "No such recipe (also for a malformed id)",
    "409": "Another request with this Idempotency-Key is still being processed; see Retry-After",
    "412": "If-Match does not match the recipe's current ETag; nothing was changed",
    "413": "Body larger than 1 MiB",
    "429": "Too many attempts; see Retry-After",
    "503": "The database is unavailable; see Retry-After",
}


URI_TOO_LONG = {
    "description": "Request line longer than the HTTP server accepts (gunicorn: 4094 "
    "bytes); answered by the server before the app, as a page",
    "content": {"text/html": {"schema": {"type": "string"}}},
}


def _error(code: str) -> dict:
    if code == "401":
        return _json(_ref("AuthError"), ERRORS[code], {"WWW-Authenticate": _header("`Bearer` challenge")})
    headers = {"Retry-After": _header("Seconds to wait")} if code in ("409", "429", "503") else None
    return _json(_ref("ErrorDetail"), ERRORS[code], headers)


def _responses(ok: dict[str, Any], *codes: str, authenticated: bool = True) -> dict:
    responses = dict(ok)
    for code in (("401",) if authenticated else ()) + codes + ("503",):
        responses.setdefault(code, _error(code))
    return responses


def _operation(summary: str, responses: dict, *, public: bool = False, **extra: Any) -> dict:
    if extra.get("parameters"):
        responses = {**responses, "414": URI_TOO_LONG}
    operation: dict[str, Any] = {"summary": summary, "responses": responses, **extra}
    if public:
        operation["security"] = []
    return operation


VALIDATION = _json(_ref("ValidationErrors"), "Invalid input: messages per field")
RECIPE_ID = {
    "name": "recipe_id",
    "in": "path",
    "required": True,
    "description": "Recipe id",
    "schema": {"type": "string", "format": "uuid"},
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "description": "ETag from a previous read; the write happens only if it still matches",
    "schema": {"type": "string"},
}
ETAG = {"ETag": _header("Entity tag of this version of the recipe")}
RECIPE_OK = _json(
    {"type": "object", "required": ["data"], "properties": {"data": _ref("Recipe")}}, "The recipe", ETAG
)
NO_CONTENT = {"description": "Done; empty body"}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes the POST safe to repeat: the first request with this key is processed "
    "and its successful answer kept for 24 hours; a repeat with the same body gets "
    "that answer again (with `Idempotent-Replayed: true`) and nothing is done twice. "
    "The same key with another body is a 422. 1 to 255 printable ASCII characters",
    "schema": {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": r"^[\x20-\x7e]+$"},
}
REPLAYED = {
    "Idempotent-Replayed": _header(
        "`true` when this is the stored answer to an earlier request with the same Idempotency-Key", False
    )
}
KEYED_VALIDATION = _json(
    _ref("ValidationErrors"),
    "Invalid input: messages per field (`Idempotency-Key`: `is invalid`, or "
    "`was already used with a different request`)",
)
TOKEN_OK = _json(_ref("TokenResponse"), "A new token")


def _list_parameters() -> list[dict]:
    return [
        {
            "name": "limit",
            "in": "query",
            "required": False,
            "description": f"Page size (default 50, at most {MAX_PAGE_SIZE})",
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        },
        {
            "name": "after",
            "in": "query",
            "required": False,
            "description": "Cursor from `meta.next` of the previous page",
            "schema": {"type": "string"},
        },
        {
            "name": "owner",
            "in": "query",
            "required": False,
            "description": "`me`: only the caller's recipes",
            "schema": {"type": "string", "enum": ["me"]},
        },
        {
            "name": "q",
            "in": "query",
            "required": False,
            "description": "Case-insensitive substring of the name",
            "schema": {"type": "string", "maxLength": NAME_MAX_LENGTH},
        },
    ]


def _paths() -> dict[str, Any]:
    recipe_body = {
        "anyOf": [
            _ref("RecipeFields"),
            {"type": "object", "required": ["recipe"], "properties": {"recipe": _ref("RecipeFields")}},
        ]
    }
    recipe_required = {"allOf": [_ref("RecipeFields"), {"required": ["name", "description"]}]}
    new_recipe_body = {
        "anyOf": [
            recipe_required,
            {"type": "object", "required": ["recipe"], "properties": {"recipe": recipe_required}},
        ]
    }
    write = {"parameters": [RECIPE_ID, IF_MATCH]}
    update = _operation(
        "Change a recipe (only the keys sent change)",
        _responses({"200": RECIPE_OK, "422": VALIDATION}, "400", "403", "404", "412", "413"),
        requestBody=_body(recipe_body, _ref("RecipeFields")),
        **write,
    )
    listing_headers = {"Link": _header('`<URL>; rel="next"` when there is a next page', False)}
    return {
        "/api/sign_in": {
            "post": _operation(
                "Exchange email and password for a token",
                _responses(
                    {
                        "200": _json(_ref("SignIn"), "Signed in"),
                        "401": _json(_ref("WrongCredentials"), "Any failure"),
                    },
                    "400",
                    "413",
                    "429",
                    authenticated=False,
                ),
                public=True,
                requestBody=_body(_ref("Credentials")),
            )
        },
        "/api/sign_up": {
            "post": _operation(
                "Create an account; a confirmation link is emailed",
                _responses(
                    {
                        "201": _json(
                            {"type": "object", "required": ["data"], "properties": {"data": _ref("User")}},
                            "Created",
                            REPLAYED,
                        ),
                        "422": KEYED_VALIDATION,
                    },
                    "400",
                    "409",
                    "413",
                    "429",
                    authenticated=False,
                ),
                public=True,
                parameters=[IDEMPOTENCY_KEY],
                requestBody=_body(_ref("NewAccount")),
            )
        },
        "/api/sign_out": {
            "post": _operation("Revoke the token used for this request", _responses({"204": NO_CONTENT}))
        },
        "/api/me": {
            "get": _operation(
                "The authenticated user",
                _responses(
                    {
                        "200": _json(
                            {"type": "object", "required": ["data"], "properties": {"data": _ref("Me")}},
                            "The user",
                        )
                    }
                ),
            ),
            "delete": _operation(
                "Delete the account, its recipes and every token (password required)",
                _responses({"204": NO_CONTENT, "422": VALIDATION}, "400", "413", "429"),
                requestBody=_body(_ref("AccountDeletion")),
            ),
        },
        "/api/me/password": {
            "put": _operation(
                "Change the password: every other token and browser session ends",
                _responses({"200": TOKEN_OK, "422": VALIDATION}, "400", "413", "429"),
                requestBody=_body(_ref("PasswordChange")),
            )
        },
        "/api/recipes": {
            "get": _operation(
                "Recipes, newest first, keyset-paginated",
                _responses(
                    {
                        "200": _json(_ref("RecipeList"), "A page of recipes", listing_headers),
                        "422": VALIDATION,
                    }
                ),
                parameters=_list_parameters(),
            ),
            "post": _operation(
                "Create a recipe owned by the caller",
                _responses(
                    {
                        "201": _json(
                            {"type": "object", "required": ["data"], "properties": {"data": _ref("Recipe")}},
                            "Created",
                            {"Location": _header("`/api/recipes/ID`"), **ETAG, **REPLAYED},
                        ),
                        "422": KEYED_VALIDATION,
                    },
                    "400",
                    "409",
                    "413",
                ),
                parameters=[IDEMPOTENCY_KEY],
                requestBody=_body(new_recipe_body, recipe_required),
            ),
        },
        "/api/recipes/{recipe_id}": {
            "get": _operation("One recipe", _responses({"200": RECIPE_OK}, "404"), parameters=[RECIPE_ID]),
            "put": update,
            "patch": update,
            "delete": _operation(
                "Delete a recipe", _responses({"204": NO_CONTENT}, "403", "404", "412"), **write
            ),
        },
        "/api/openapi.json": {
            "get": _operation(
                "This document", {"200": _json({"type": "object"}, "OpenAPI 3 document")}, public=True
            )
        },
        "/api/docs": {
            "get": _operation(
                "Interactive documentation",
                {
                    "200": {
                        "description": "HTML page",
                        "content": {"text/html": {"schema": {"type": "string"}}},
                    }
                },
                public=True,
            )
        },
    }


def _token_answer(message: dict[str, Any]) -> dict[str, Any]:
    """``{"data": {"email", "token"}, "message", "status": "ok"}``: a sign-in or a password change."""
    text = {"type": "string"}
    return {
        "type": "object",
        "required": ["data", "message", "status"],
        "properties": {
            "data": {
                "type": "object",
                "required": ["email", "token"],
                "properties": {"email": text, "token": text},
            },
            "message": message,
            "status": {"type": "string", "enum": ["ok"]},
        },
    }


def _schemas() -> dict[str, Any]:
    text = {"type": "string"}
    timestamp = {"type": "string", "format": "date-time", "description": "ISO 8601, UTC"}
    uuid = {"type": "string", "format": "uuid"}
    # The full rules (one mailbox, NFKC, one script per part) are the server's; the
    # schema states only what a client can check without them.
    email = {
        "type": "string",
        "minLength": 3,
        "maxLength": EMAIL_MAX_LENGTH,
        "description": "One mailbox; normalised (NFKC) and checked by the server",
    }
    password = {
        "type": "string",
        "minLength": PASSWORD_MIN_LENGTH,
        "maxLength": PASSWORD_MAX_LENGTH,
        "description": "At most 72 bytes in UTF-8",
    }
    return {
        "Recipe": {
            "type": "object",
            "required": ["id", "name", "description", "owner_id", "inserted_at", "updated_at"],
            "properties": {
                "id": uuid,
                "name": text,
                "description": text,
                "owner_id": uuid,
                "inserted_at": timestamp,
                "updated_at": timestamp,
            },
        },
        "RecipeFields": {
            "type": "object",
            "description": "Unknown keys (id, owner_id, …) are ignored",
            "properties": {
                "name": {"type": "string", "minLength": 1, "maxLength": NAME_MAX_LENGTH},
                "description": {"type": "string", "minLength": 1, "maxLength": DESCRIPTION_MAX_LENGTH},
            },
        },
        "RecipeList": {
            "type": "object",
            "required": ["data", "meta"],
            "properties": {
                "data": {"type": "array", "items": _ref("Recipe")},
                "meta": {
                    "type": "object",
                    "required": ["next"],
                    "properties": {
                        "next": {
                            "type": "string",
                            "format": "uri",
                            "nullable": True,
                            "description": "Absolute URL of the next page, null on the last",
                        }
                    },
                },
            },
        },
        "Credentials": {
            "type": "object",
            "required": ["email", "password"],
            "properties": {"email": text, "password": text},
        },
        "NewAccount": {
            "type": "object",
            "required": ["email", "password"],
            "properties": {"email": email, "password": password},
        },
        "PasswordChange": {
            "type": "object",
            "required": ["current_password", "password"],
            "properties": {"current_password": text, "password": password, "password_confirmation": text},
        },
        "AccountDeletion": {
            "type": "object",
            "required": ["password"],
            "properties": {"password": text},
        },
        "SignIn": _token_answer({"type": "string", "enum": ["Successful log in"]}),
        "TokenResponse": _token_answer(text),
        "User": {
            "type": "object",
            "required": ["id", "email", "confirmed_at"],
            "properties": {"id": uuid, "email": text, "confirmed_at": {**timestamp, "nullable": True}},
        },
        "Me": {
            "type": "object",
            "required": ["id", "email", "confirmed_at", "is_admin"],
            "properties": {
                "id": uuid,
                "email": text,
                "confirmed_at": {**timestamp, "nullable": True},
                "is_admin": {"type": "boolean"},
            },
        },
        "WrongCredentials": {
            "type": "object",
            "required": ["message", "status"],
            "properties": {
                "message": {"type": "string", "enum": ["Wrong credentials"]},
                "status": {"type": "string", "enum": ["error"]},
            },
        },
        "AuthError": {
            "type": "object",
            "required": ["message"],
            "properties": {
                "message": {"type": "string", "enum": ["unauthenticated", "invalid_token"]},
                "reason": {"type": "string", "description": "expired, revoked, …"},
            },
        },
        "ErrorDetail": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {"type": "object", "required": ["detail"], "properties": {"detail": text}}
            },
        },
        "ValidationErrors": {
            "type": "object",
            "required": ["errors"],
            "properties": {
                "errors": {"type": "object", "additionalProperties": {"type": "array", "items": text}}
            },
        },
    }


def build_document(token_days: int = 7) -> dict[str, Any]:
    """The whole OpenAPI 3.0 document (``token_days``: how long a token is valid)."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "TastyRecipes API",
            "version": "1.0.0",
            "description": f"Recipes over JSON. Sign in for a bearer token (valid {token_days} "
            "days), "
            "then send `Authorization: Bearer TOKEN`. Bodies are JSON objects "
            'or forms; a recipe may be sent flat or as `{"recipe": {…}}`.',
        },
        "paths": _paths(),
        "components": {
            "schemas": _schemas(),
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
        },
        "security": [{"bearerAuth": []}],
    }
