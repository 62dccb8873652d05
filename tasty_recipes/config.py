"""Configuration, read once from the environment.

``TASTY_ENV`` picks the profile: ``production`` (default), ``development`` or
``testing``. Production refuses to start without real secrets; development
generates them once and keeps them in the instance folder.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "development", "testing")
MIN_JWT_KEY_BYTES = 64
MIN_SECRET_KEY_BYTES = 32
# How long each kind of token stays valid, as phx.gen.auth has them.
SESSION_DAYS = 60
CONFIRM_LINK_DAYS = 7
RESET_LINK_DAYS = 1
CHANGE_EMAIL_LINK_DAYS = 7
MAGIC_LINK_MINUTES = 15  # log in with an emailed link (phx.gen.auth 1.8)
MAIL_BACKENDS = {"console": "console", "smtp": "smtp", "memory": "locmem"}

# Clearly marked test-only default: never used outside TASTY_ENV=testing.
TESTING_SECRET_KEY = "testing-only-secret-key-" + "x" * 64


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_bool(name: str, default: bool) -> bool:
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "a whole number")


def _env_positive_int(name: str, default: int) -> int:
    value = _env_int(name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}")
    return value


def _env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "a number")


def _env_number(name: str, default, kind: type, description: str):
    value = _env(name)
    if value is None:
        return default
    try:
        return kind(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be {description}, got {value!r}") from exc


def normalize_database_url(url: str) -> str:
    """Accept ``postgres://`` (rejected by SQLAlchemy 2) and pin the psycopg2 driver.

    SQLAlchemy 2.1 maps a bare ``postgresql://`` to psycopg 3, which we do not ship.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix) :]
    return url


def _instance_secret(instance_path: str, name: str) -> str:
    """A development secret generated on first use and kept in the instance folder."""
    path = Path(instance_path) / name
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(64)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _secrets(env: str, instance_path: str) -> dict[str, str]:
    secret_key = _env("SECRET_KEY")
    jwt_key = _env("JWT_SECRET_KEY")
    if env == "testing":
        secret_key = secret_key or TESTING_SECRET_KEY
    elif env == "development":
        secret_key = secret_key or _instance_secret(instance_path, "secret_key")
    elif not secret_key:
        raise ConfigError("SECRET_KEY must be set in production (generate one with `flask gen-secret`)")
    jwt_key = jwt_key or secret_key
    if env == "production" and len(secret_key.encode()) < MIN_SECRET_KEY_BYTES:
        raise ConfigError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes in production "
            "(generate one with `flask gen-secret`)"
        )
    if env == "production" and len(jwt_key.encode()) < MIN_JWT_KEY_BYTES:
        raise ConfigError(
            f"JWT_SECRET_KEY (or SECRET_KEY) must be at least {MIN_JWT_KEY_BYTES} bytes in production"
        )
    return {"SECRET_KEY": secret_key, "JWT_SECRET_KEY": jwt_key}


def database_settings(url: str) -> dict[str, Any]:
    """SQLAlchemy settings for a database URL (engine options depend on the backend).

    On PostgreSQL every wait is bounded so that a dead, frozen or locked database
    gives a 503 within about five seconds instead of hanging a worker: connect
    timeout, TCP keepalives and ``tcp_user_timeout`` (a vanished host), a
    ``lock_timeout`` shorter than the ``statement_timeout`` (a blocked row gives up
    first, and frees the worker early), and a client-side deadline on every
    round trip (a stopped server process, whose socket the kernel still answers).
    """
    url = normalize_database_url(url)
    settings: dict[str, Any] = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "DATABASE_CLIENT_TIMEOUT_SECONDS": 0,
        "DATABASE_PING_AFTER_IDLE_SECONDS": _env_float("DATABASE_PING_AFTER_IDLE_SECONDS", 1.0),
    }
    if url.startswith("postgresql"):
        statement_ms = _env_int("DATABASE_STATEMENT_TIMEOUT_MS", 4000)
        lock_ms = _env_int("DATABASE_LOCK_TIMEOUT_MS", 2000)
        connect_s = _env_int("DATABASE_CONNECT_TIMEOUT_SECONDS", 2)
        settings["SQLALCHEMY_ENGINE_OPTIONS"] = {
            "connect_args": {
                "connect_timeout": connect_s,
                "options": f"-c statement_timeout={statement_ms} -c lock_timeout={lock_ms}",
                "keepalives": 1,
                "keepalives_idle": 5,
                "keepalives_interval": 2,
                "keepalives_count": 2,
                "tcp_user_timeout": statement_ms,
            },
            "pool_timeout": 3,
        }
        # Longer than any statement may run (the server cancels those cleanly itself).
        settings["DATABASE_CLIENT_TIMEOUT_SECONDS"] = max(statement_ms / 1000 + 0.5, connect_s)
    return settings


def _mail(env: str) -> dict[str, Any]:
    default_backend = {"production": "smtp", "development": "console", "testing": "memory"}[env]
    backend = _env("MAIL_BACKEND", default_backend)
    if backend not in MAIL_BACKENDS:
        raise ConfigError(f"MAIL_BACKEND must be one of {', '.join(MAIL_BACKENDS)}, got {backend!r}")
    return {
        "MAIL_BACKEND": MAIL_BACKENDS[backend],
        "MAIL_SERVER": _env("MAIL_SERVER", "localhost"),
        "MAIL_PORT": _env_int("MAIL_PORT", 25),
        "MAIL_USERNAME": _env("MAIL_USERNAME"),
        "MAIL_PASSWORD": _env("MAIL_PASSWORD"),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _env_bool("MAIL_USE_SSL", False),
        "MAIL_TIMEOUT": _env_int("MAIL_TIMEOUT_SECONDS", 10),
        "MAIL_DEFAULT_SENDER": _env("MAIL_DEFAULT_SENDER", "TastyRecipes <contact@example.com>"),
        # The outbox (mail.outbox): a failed attempt waits the base, doubled each
        # time up to the maximum; after MAIL_MAX_ATTEMPTS attempts the message fails.
        "MAIL_MAX_ATTEMPTS": _env_positive_int("MAIL_MAX_ATTEMPTS", 10),
        "MAIL_RETRY_BASE_SECONDS": _env_positive_int("MAIL_RETRY_BASE_SECONDS", 30),
        "MAIL_RETRY_MAX_SECONDS": _env_positive_int("MAIL_RETRY_MAX_SECONDS", 3600),
        "MAIL_WORKER_POLL_SECONDS": _env_positive_int("MAIL_WORKER_POLL_SECONDS", 5),
    }


def _cookies(env: str) -> dict[str, Any]:
    secure = env == "production"
    return {
        "SESSION_COOKIE_NAME": "_tasty_recipes_key",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_NAME": "_tasty_recipes_user_remember_me",
        "REMEMBER_COOKIE_DURATION": timedelta(days=60),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        "REMEMBER_COOKIE_REFRESH_EACH_REQUEST": False,
    }


JWT_ISSUER = "tasty_recipes"


def _jwt() -> dict[str, Any]:
    """flask-jwt-extended's settings: Guardian-compatible bearer tokens in the Authorization header.

    Algorithm, issuer and audience are part of the API contract, not deployment
    choices: HS512 only (no algorithm confusion), ``iss`` and ``aud`` both
    ``tasty_recipes``, required when decoding.
    """
    return {
        "JWT_ALGORITHM": "HS512",
        "JWT_DECODE_ALGORITHMS": ["HS512"],
        "JWT_ENCODE_ISSUER": JWT_ISSUER,
        "JWT_DECODE_ISSUER": JWT_ISSUER,
        "JWT_ENCODE_AUDIENCE": JWT_ISSUER,
        "JWT_DECODE_AUDIENCE": JWT_ISSUER,
        "JWT_ENCODE_NBF": True,
        "JWT_DECODE_LEEWAY": 0,
        "JWT_VERIFY_SUB": True,
        "JWT_TOKEN_LOCATION": ["headers"],
        "JWT_HEADER_NAME": "Authorization",
        "JWT_HEADER_TYPE": "Bearer",
        "JWT_ERROR_MESSAGE_KEY": "message",
        # Tokens travel in a header, never in a cookie: no double-submit claim.
        "JWT_COOKIE_CSRF_PROTECT": False,
        "JWT_ACCESS_TOKEN_EXPIRES": timedelta(days=_env_int("JWT_VALIDITY_DAYS", 7)),
    }


def default_database_url(env: str, instance_path: str) -> str:
    """A SQLite file per environment in the instance folder, used when DATABASE_URL is not set."""
    return "sqlite:///" + str(Path(instance_path) / f"tasty_recipes_{env}.sqlite3")


def load_config(env: str, instance_path: str) -> dict[str, Any]:
    """Every setting of the app for one environment, from os.environ."""
    if env not in ENVIRONMENTS:
        raise ConfigError(f"TASTY_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}")
    config: dict[str, Any] = {
        "TASTY_ENV": env,
        "TESTING": env == "testing",
        "PREFERRED_URL_SCHEME": _env("PREFERRED_URL_SCHEME", "https" if env == "production" else "http"),
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "WTF_CSRF_TIME_LIMIT": None,  # bound to the session instead, like Phoenix
        "BCRYPT_LOG_ROUNDS": _env_int("BCRYPT_LOG_ROUNDS", 4 if env == "testing" else 12),
        "SESSION_VALIDITY_DAYS": SESSION_DAYS,
        "CONFIRM_VALIDITY_DAYS": CONFIRM_LINK_DAYS,
        "RESET_PASSWORD_VALIDITY_DAYS": RESET_LINK_DAYS,
        "CHANGE_EMAIL_VALIDITY_DAYS": CHANGE_EMAIL_LINK_DAYS,
        "MAGIC_LINK_VALIDITY_MINUTES": _env_positive_int("MAGIC_LINK_VALIDITY_MINUTES", MAGIC_LINK_MINUTES),
        "RATELIMIT_ENABLED": _env_bool("RATELIMIT_ENABLED", True),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        "TRUSTED_PROXIES": _env_int("TRUSTED_PROXIES", 0),
        "SEARCH_TIMEOUT_MS": _env_int("SEARCH_TIMEOUT_MS", 1000),
    }
    if _env("SERVER_NAME"):
        config["SERVER_NAME"] = _env("SERVER_NAME")
    if _env("TRUSTED_HOSTS"):
        # Flask answers 400 to a request whose Host is not one of these.
        config["TRUSTED_HOSTS"] = [host.strip() for host in _env("TRUSTED_HOSTS").split(",") if host.strip()]
    config.update(_secrets(env, instance_path))
    config.update(database_settings(_env("DATABASE_URL") or default_database_url(env, instance_path)))
    config.update(_mail(env))
    config.update(_cookies(env))
    config.update(_jwt())
    return config


def check_production(config: dict[str, Any]) -> None:
    """What production refuses to start without, checked once every setting is in place.

    Emailed links (password reset, confirmation, email change) are built on
    ``SERVER_NAME``: built from the request instead, a forged ``Host`` header
    would have the reset link for a victim's account sent to the attacker's site.
    """
    if config["TASTY_ENV"] == "production" and not config.get("SERVER_NAME"):
        raise ConfigError(
            "SERVER_NAME must be set in production (the public host name, e.g. "
            "recipes.example.com): links in emails are built on it, never on a request's Host"
        )
