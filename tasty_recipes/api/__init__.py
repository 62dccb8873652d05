"""The JSON face (SPEC §5): JWT bearer auth, sessions, the recipes resource, the OpenAPI document.

One blueprint under ``/api``, exempt from CSRF (clients authenticate with a
bearer token, never with a cookie, so a forged cross-site request carries no
credentials). Errors are JSON here: see ``tasty_recipes.errors``.
"""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("api", __name__, url_prefix="/api")

# The views attach themselves to ``bp``; imported after it exists.
from . import auth, docs, recipes, sessions  # noqa: E402,F401


def init_app(app: Flask) -> None:
    """Register the blueprint, exempt it from CSRF and install the JWT loaders."""
    from ..extensions import csrf

    app.register_blueprint(bp)
    csrf.exempt(bp)
    auth.init_app(app)
