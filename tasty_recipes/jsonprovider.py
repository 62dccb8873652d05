"""JSON through orjson: several times faster than the standard library on API lists.

orjson writes UUIDs and timezone-aware datetimes itself (``…Z`` in UTC with
OPT_UTC_Z), so serializers can hand it rows' values as they come. Keys are
sorted, like Flask's default provider. Its parser also refuses what we would
refuse anyway: lone surrogates, and nesting deeper than 1,024 levels.
"""

from __future__ import annotations

from typing import Any

import orjson
from flask import Flask
from flask.json.provider import JSONProvider

OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS


class OrjsonProvider(JSONProvider):
    """Flask's JSON provider on orjson: what ``jsonify`` and ``request.get_json`` use."""

    mimetype = "application/json"

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        """``obj`` as JSON text, with orjson's options; Flask's keyword arguments are ignored."""
        return orjson.dumps(obj, option=OPTIONS).decode()

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse JSON text or bytes; keyword arguments are ignored."""
        return orjson.loads(s)

    def response(self, *args: Any, **kwargs: Any):
        """A JSON response of ``jsonify``'s arguments, serialized straight to bytes."""
        body = orjson.dumps(self._prepare_response_obj(args, kwargs), option=OPTIONS)
        return self._app.response_class(body, mimetype=self.mimetype)


def init_app(app: Flask) -> None:
    """Make orjson the JSON provider of ``app``."""
    app.json = OrjsonProvider(app)
