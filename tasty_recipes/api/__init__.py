"""The JSON face: JWT bearer auth, sessions, the recipes resource, the OpenAPI document.

One blueprint under ``/api``, exempt from CSRF (clients authenticate with a
bearer token, never with a cookie, so a forged cross-site request carries no
credentials). Errors are JSON here: see ``tasty_recipes.errors``.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api")


def init_app(app: Flask) -> None:
    """Register the blueprint with its views, exempt it from CSRF, install the JWT hooks."""
    from ..extensions import csrf
    from . import auth, docs, recipes, sessions  # noqa: F401 - their views attach to bp

    app.register_blueprint(bp)
    csrf.exempt(bp)
    auth.init_app(app)
