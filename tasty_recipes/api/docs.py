"""The OpenAPI document and the interactive docs page (Swagger UI served from our own static files)."""

from __future__ import annotations

from flask import current_app, jsonify, render_template

from . import bp
from .openapi import build_document


@bp.get("/openapi.json")
def openapi_document():
    """The OpenAPI 3 document of this API, as JSON."""
    return jsonify(build_document(current_app.config["JWT_ACCESS_TOKEN_EXPIRES"].days))


@bp.get("/docs")
def docs():
    """The interactive API documentation (Swagger UI, served from our own files)."""
    return render_template("api/docs.html")
