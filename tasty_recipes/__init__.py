"""TastyRecipes: recipes in the browser, over a JSON API and from the flask CLI."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

from .config import check_production, database_settings, load_config


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``config`` overrides settings (tests pass TASTY_ENV and DATABASE_URL)."""
    config = dict(config or {})
    app = Flask(__name__, instance_relative_config=True)
    env = config.pop("TASTY_ENV", None) or os.environ.get("TASTY_ENV") or "production"
    app.config.update(load_config(env, app.instance_path))
    if "DATABASE_URL" in config:
        app.config.update(database_settings(config.pop("DATABASE_URL")))
    app.config.update(config)
    check_production(app.config)
    _prepare_instance_folder(app)
    register_extensions(app)
    register_blueprints(app)
    register_errors(app)
    register_commands(app)
    return app


def _prepare_instance_folder(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        os.makedirs(app.instance_path, exist_ok=True)


def register_extensions(app: Flask) -> None:
    """Bind every extension and request hook to ``app``; the order matters (referrer check, then CSRF)."""
    # Imported here: the submodule tasty_recipes.db would shadow a module-level `db`.
    from . import db_retry, jsonprovider, ratelimits, security
    from .accounts import session
    from .db import configure_engine
    from .extensions import csrf, db, mail, migrate

    jsonprovider.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "..", "migrations"))
    security.refuse_malformed_referrers(app)  # before CSRFProtect's own check
    csrf.init_app(app)
    mail.init_app(app)
    session.init_app(app)
    configure_engine(app)
    db_retry.init_app(app)
    security.init_app(app)
    ratelimits.init_app(app)


def register_blueprints(app: Flask) -> None:
    """The tables of every context, then the faces: accounts pages, API, recipe pages, probes."""
    from .accounts import models as _accounts_models  # noqa: F401 - registers the tables
    from .accounts.views import bp as accounts_bp
    from .api import init_app as init_api
    from .health import bp as health_bp
    from .html.views import bp as html_bp
    from .idempotency import models as _idempotency_models  # noqa: F401
    from .mail import models as _mail_models  # noqa: F401
    from .recipes import models as _recipes_models  # noqa: F401

    app.register_blueprint(accounts_bp)
    init_api(app)  # the JSON API: blueprint /api, CSRF exemption, JWT hooks
    app.register_blueprint(html_bp)
    app.register_blueprint(health_bp)


def register_errors(app: Flask) -> None:
    """Map every error to HTTP: JSON under /api, an error page elsewhere (errors.py)."""
    from .errors import register_error_handlers

    register_error_handlers(app)


def register_commands(app: Flask) -> None:
    """Add the administrators' ``flask`` commands (cli.py) to ``app.cli``."""
    from . import cli

    cli.init_app(app)
