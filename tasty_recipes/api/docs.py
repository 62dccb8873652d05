"""The OpenAPI document and the interactive docs page (Swagger UI served from our own static files)."""

from __future__ import annotations

from flask import jsonify, render_template

from . import bp
from .openapi import build_document


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_document())


@bp.get("/docs")
def docs():
    return render_template("api/docs.html")
