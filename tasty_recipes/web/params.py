"""Request bodies: a JSON object or a form, never a 500 whatever the bytes.

Malformed JSON, a body that is not an object, nesting deeper than Python's
recursion limit and unpaired surrogates (which the database driver could not
encode) are all 400 Bad Request. Values are passed on untouched: the services
report wrong types per field (422).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from werkzeug.exceptions import BadRequest

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
NESTED_FORM_KEY = re.compile(r"^(\w+)\[(\w+)\]$")  # recipe[name]=… as Phoenix nests it


def read_body() -> dict[str, Any]:
    """The request body as a dict; an empty body is ``{}``. Raises BadRequest."""
    if request.mimetype in FORM_TYPES:
        return _nested_form()
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        # RecursionError: json's C scanner gives up on very deep nesting (e.g. 10,000 "[").
        raise BadRequest() from exc
    if not isinstance(data, dict) or _has_unpaired_surrogate(data):
        raise BadRequest()
    return data


def unwrap(body: dict[str, Any], key: str) -> dict[str, Any]:
    """``body[key]`` when the client wrapped its fields (``{"recipe": {…}}``), else the body."""
    inner = body.get(key)
    return inner if isinstance(inner, dict) else body


def credentials_from_request() -> tuple[Any, Any]:
    """The ``(email, password)`` a sign-in submitted, in any shape sign-in accepts.

    A JSON object (whatever the content type, even none) or a form, flat or
    wrapped in ``user`` (``{"user": {…}}``, ``user[email]=…``); a wrapped value
    wins over a top-level one. The log-in views and the failed-log-in limiter
    all read credentials here, so the limiter always counts the account whose
    password is checked. Raises BadRequest like ``read_body``.
    """
    params = unwrap(read_body(), "user")
    return params.get("email"), params.get("password")


def _nested_form() -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in request.form.items():
        match = NESTED_FORM_KEY.match(key)
        if match:
            outer = data.setdefault(match.group(1), {})
            if isinstance(outer, dict):
                outer[match.group(2)] = value
        else:
            data.setdefault(key, value)
    return data


def _has_unpaired_surrogate(data: Any) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.keys())
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return True
    return False
