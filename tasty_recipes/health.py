"""Liveness and readiness probes."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .db import ping

# Well under the load balancer's probe interval: a frozen database must not hold the probe.
READINESS_TIMEOUT_SECONDS = 1.0

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """The process answers; never touches the database."""
    return jsonify(status="pass")


@bp.get("/readyz")
def readyz():
    """Ready to serve: the database answers."""
    if not ping(READINESS_TIMEOUT_SECONDS):
        return jsonify(status="fail"), 503, {"Retry-After": "5"}
    return jsonify(status="pass")
