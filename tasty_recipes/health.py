"""Liveness and readiness probes (SPEC §7)."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; never touches the database."""
    return jsonify(status="pass")


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="fail"), 503, {"Retry-After": "5"}
    finally:
        db.session.remove()
    return jsonify(status="pass")
