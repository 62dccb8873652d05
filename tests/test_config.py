"""Configuration: what each profile requires, and what the environment sets."""

from __future__ import annotations

import pytest

from tasty_recipes.config import ConfigError, database_settings, normalize_database_url

from .support.app import make_app

# --- production refuses to start without what it needs ------------------------------------------


def test_production_refuses_to_start_without_secret_key(database_url, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        make_app(database_url, TASTY_ENV="production")


def test_production_refuses_a_short_jwt_key(database_url, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 64)
    monkeypatch.setenv("JWT_SECRET_KEY", "too short")
    with pytest.raises(ConfigError, match="64 bytes"):
        make_app(database_url, TASTY_ENV="production")


def test_production_refuses_to_start_without_server_name(database_url, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "p" * 64)
    with pytest.raises(ConfigError, match="SERVER_NAME"):
        make_app(database_url, TASTY_ENV="production", SERVER_NAME=None)


def test_production_refuses_a_short_secret_key_even_with_a_long_jwt_key(database_url, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 31)
    monkeypatch.setenv("JWT_SECRET_KEY", "j" * 64)
    with pytest.raises(ConfigError, match="32 bytes"):
        make_app(database_url, TASTY_ENV="production")


# --- settings from the environment -------------------------------------------------------------------


def test_trusted_hosts_come_from_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("TRUSTED_HOSTS", "recipes.example, localhost")
    assert make_app(database_url).config["TRUSTED_HOSTS"] == ["recipes.example", "localhost"]


@pytest.mark.parametrize("url", ["postgres://u@h/db", "postgresql://u@h/db"])
def test_both_postgres_url_forms_use_psycopg2(url):
    assert normalize_database_url(url) == "postgresql+psycopg2://u@h/db"


def test_postgresql_waits_are_bounded(monkeypatch):
    monkeypatch.setenv("DATABASE_STATEMENT_TIMEOUT_MS", "3000")
    monkeypatch.setenv("DATABASE_LOCK_TIMEOUT_MS", "1000")
    settings = database_settings("postgresql://u@h/db")
    connect = settings["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert "-c statement_timeout=3000" in connect["options"]
    assert "-c lock_timeout=1000" in connect["options"]
    assert connect["keepalives"] == 1 and connect["tcp_user_timeout"] == 3000
    assert settings["DATABASE_CLIENT_TIMEOUT_SECONDS"] == 3.5


def test_sqlite_has_no_client_deadline():
    settings = database_settings("sqlite:///x.sqlite3")
    assert settings["DATABASE_CLIENT_TIMEOUT_SECONDS"] == 0
    assert settings["SQLALCHEMY_ENGINE_OPTIONS"] == {}


def test_a_setting_that_is_not_a_number_is_refused(database_url, monkeypatch):
    monkeypatch.setenv("JWT_VALIDITY_DAYS", "seven")
    with pytest.raises(ConfigError, match="JWT_VALIDITY_DAYS"):
        make_app(database_url)
