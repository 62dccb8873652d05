"""The ``flask`` commands for administrators thin wrappers over the services.

Every expected failure (unknown email, invalid password, database down, …)
becomes one ``Error: …`` line on standard error and exit status 1, never a
traceback.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from .accounts import admin as accounts_admin
from .exceptions import DomainError, NotFound, ValidationError
from .idempotency import service as idempotency_keys
from .mail import report as mail_report
from .mail import worker as mail_worker
from .mail.outbox import DeliveryReport
from .recipes import seeding
from .recipes import service as recipes

users_cli = AppGroup("users", help="Create, list and manage user accounts.")
tokens_cli = AppGroup("tokens", help="Maintain session, email and API tokens.")
idempotency_cli = AppGroup("idempotency-keys", help="Maintain the API's stored idempotent answers.")
mail_cli = AppGroup("mail", help="Deliver queued emails and look at the outbox.")

SECRET_BYTES = 64
SEED_PASSWORD_BYTES = 12


def init_app(app: Flask) -> None:
    """Register the command groups and commands on ``app.cli``."""
    app.cli.add_command(users_cli)
    app.cli.add_command(tokens_cli)
    app.cli.add_command(idempotency_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(gen_secret)
    app.cli.add_command(seed)


# --- error handling ----------------------------------------------------------------


def describe_validation_error(exc: ValidationError) -> str:
    """``field: message, message; field: message`` on one line."""
    return "; ".join(f"{field}: {', '.join(messages)}" for field, messages in exc.fields.items())


def cli_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn domain and database errors into one ``Error: …`` line and exit status 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ValidationError as exc:
            raise click.ClickException(describe_validation_error(exc)) from exc
        except DomainError as exc:
            raise click.ClickException(exc.detail) from exc
        except SQLAlchemyError as exc:
            # The class name only: the message may hold SQL or the connection URL.
            raise click.ClickException(
                f"the database failed ({exc.__class__.__name__}); is it running and migrated "
                "(flask db upgrade)?"
            ) from exc

    return wrapper


def find_user(email: str):
    """The user with this email, or a one-line error naming the email."""
    try:
        return accounts_admin.get_user_by_email_or_raise(email)
    except NotFound:
        raise click.ClickException(f"no user with email {email!r}") from None


def prompt_password() -> str:
    """Ask for a password twice, without echoing it."""
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def echo_table(rows: list[tuple[str, ...]]) -> None:
    """Print rows (the first is the header) in left-aligned columns."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


def format_time(moment) -> str:
    """A UTC timestamp as ``YYYY-MM-DD HH:MM:SS``; ``-`` for None."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "-"


# --- users ---------------------------------------------------------------------------


@users_cli.command("create")
@click.argument("email")
@click.option("--password", help="The password; prompted for (hidden, twice) when left out.")
@click.option("--confirmed", is_flag=True, help="Mark the email address as confirmed.")
@click.option("--admin", is_flag=True, help="Give the user the admin role.")
@cli_errors
def create_user(email: str, password: str | None, confirmed: bool, admin: bool) -> None:
    """Create a user with EMAIL (validated like the registration form; no email is sent)."""
    if password is None:
        password = prompt_password()
    user = accounts_admin.create_user(email, password, confirmed=confirmed, is_admin=admin)
    roles = ", ".join(label for label, on in (("confirmed", confirmed), ("admin", admin)) if on)
    click.echo(f"Created user {user.email} ({user.id})" + (f", {roles}." if roles else "."))


@users_cli.command("list")
@cli_errors
def list_users() -> None:
    """List every user: id, email, confirmed, admin, created (UTC)."""
    users = accounts_admin.list_users()
    if not users:
        click.echo("No users.")
        return
    rows = [("ID", "EMAIL", "CONFIRMED", "ADMIN", "CREATED")]
    rows += [
        (str(u.id), u.email, _yes_no(u.is_confirmed), _yes_no(u.is_admin), format_time(u.inserted_at))
        for u in users
    ]
    echo_table(rows)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


@users_cli.command("confirm")
@click.argument("email")
@cli_errors
def confirm_user(email: str) -> None:
    """Mark the user with EMAIL as confirmed, without an email link."""
    user = find_user(email)
    if user.is_confirmed:
        click.echo(f"{user.email} is already confirmed.")
        return
    accounts_admin.mark_user_confirmed(user)
    click.echo(f"Confirmed {user.email}.")


@users_cli.command("promote")
@click.argument("email")
@cli_errors
def promote_user(email: str) -> None:
    """Give the user with EMAIL the admin role (may edit and delete any recipe)."""
    _set_admin(email, True)


@users_cli.command("demote")
@click.argument("email")
@cli_errors
def demote_user(email: str) -> None:
    """Remove the admin role from the user with EMAIL."""
    _set_admin(email, False)


def _set_admin(email: str, is_admin: bool) -> None:
    user = find_user(email)
    if user.is_admin == is_admin:
        click.echo(f"{user.email} is {'already' if is_admin else 'not'} an admin.")
        return
    accounts_admin.set_admin(user, is_admin)
    click.echo(f"{user.email} is {'now' if is_admin else 'no longer'} an admin.")


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password", help="The new password; prompted for (hidden, twice) when left out.")
@cli_errors
def set_password(email: str, password: str | None) -> None:
    """Set a new password for EMAIL and end all of that user's sessions and API tokens."""
    user = find_user(email)
    if password is None:
        password = prompt_password()
    accounts_admin.set_user_password(user, password)
    click.echo(f"Password updated for {user.email}; every session and API token was revoked.")


@users_cli.command("delete")
@click.argument("email")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@cli_errors
def delete_user(email: str, yes: bool) -> None:
    """Delete the user with EMAIL together with their recipes and tokens."""
    user = find_user(email)
    # Recipes belong to the recipes context; they go with the user (ON DELETE CASCADE).
    recipes_count = recipes.count_recipes_owned_by(user.id)
    if not yes:
        tokens_count = accounts_admin.count_user_tokens(user)
        click.confirm(
            f"Delete {user.email} with {recipes_count} recipe(s) and {tokens_count} token(s)?", abort=True
        )
    address = user.email
    tokens_deleted = accounts_admin.delete_user(user)
    click.echo(f"Deleted user {address}, {recipes_count} recipe(s) and {tokens_deleted} token(s).")


# --- tokens ----------------------------------------------------------------------------


@tokens_cli.command("purge")
@cli_errors
def purge_tokens() -> None:
    """Delete expired session, email and API tokens of every user."""
    deleted = accounts_admin.purge_expired_tokens()
    click.echo(f"Deleted {deleted} expired token(s).")


@idempotency_cli.command("purge")
@cli_errors
def purge_idempotency_keys() -> None:
    """Delete API idempotency keys older than 24 hours (requests already ignore them)."""
    deleted = idempotency_keys.purge_expired_idempotency_keys()
    click.echo(f"Deleted {deleted} expired idempotency key(s).")


# --- mail ------------------------------------------------------------------------------------


@mail_cli.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@cli_errors
def run_mail_worker(once: bool) -> None:
    """Send queued emails, retrying failures with backoff, until SIGTERM or Ctrl-C.

    Several workers may run at once on PostgreSQL; each message is sent by one.
    """
    if once:
        _echo_delivery(mail_worker.run_once())
        return
    poll_seconds = current_app.config["MAIL_WORKER_POLL_SECONDS"]
    mail_worker.run(
        poll_seconds,
        on_pass=_echo_busy_pass,
        on_start=lambda: click.echo(
            f"Mail worker started, polling every {poll_seconds} s; SIGTERM or Ctrl-C stops it."
        ),
    )
    click.echo("Mail worker stopped.")


def _echo_delivery(report: DeliveryReport) -> None:
    click.echo(f"Sent {report.sent}, to retry {report.retrying}, failed {report.failed}.")


def _echo_busy_pass(report: DeliveryReport) -> None:
    if report.attempted:  # an idle worker stays quiet
        _echo_delivery(report)


@mail_cli.command("status")
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many failed and pending messages to list.",
)
@cli_errors
def mail_status(limit: int) -> None:
    """Count the queued, sent and failed emails; list the failed and the oldest pending."""
    counts = mail_report.counts()
    click.echo("  ".join(f"{status}: {count}" for status, count in counts.items()))
    _echo_messages("Failed, newest first", mail_report.failed(limit), counts["failed"])
    _echo_messages("Pending, oldest first", mail_report.oldest_pending(limit), counts["pending"])


def _echo_messages(title: str, messages: list, total: int) -> None:
    if not messages:
        return
    click.echo(f"\n{title} ({len(messages)} of {total}):")
    rows = [("ID", "RECIPIENT", "SUBJECT", "ATTEMPTS", "NEXT ATTEMPT", "LAST ERROR")]
    rows += [
        (
            str(m.id),
            m.recipient,
            m.subject,
            str(m.attempts),
            format_time(m.next_attempt_at),
            m.last_error or "-",
        )
        for m in messages
    ]
    echo_table(rows)


# --- secrets and development data ---------------------------------------------------------


@click.command("gen-secret")
def gen_secret() -> None:
    """Print a new random secret (64 bytes, URL-safe base64) for SECRET_KEY or JWT_SECRET_KEY."""
    click.echo(secrets.token_urlsafe(SECRET_BYTES))


@click.command("seed")
@click.option(
    "--users",
    "users_count",
    type=click.IntRange(min=0),
    default=10,
    show_default=True,
    help="How many users to create (they share one password, printed at the end).",
)
@click.option(
    "--recipes",
    "recipes_count",
    type=click.IntRange(min=0),
    default=1000,
    show_default=True,
    help="How many recipes to create, spread over the new users.",
)
@click.option("--force", is_flag=True, help="Seed even when TASTY_ENV=production.")
@cli_errors
def seed(users_count: int, recipes_count: int, force: bool) -> None:
    """Fill a development database with generated users and recipes."""
    if current_app.config["TASTY_ENV"] == "production" and not force:
        raise click.ClickException(
            "refusing to seed a production database (TASTY_ENV=production); pass --force to do it anyway"
        )
    if recipes_count and not users_count:
        raise click.ClickException("--recipes needs at least one user (--users 1 or more)")
    password = secrets.token_urlsafe(SEED_PASSWORD_BYTES)
    owner_ids = accounts_admin.seed_users(users_count, password)
    with click.progressbar(length=recipes_count, label="Seeding recipes") as bar:
        seeding.seed_recipes(owner_ids, recipes_count, progress=bar.update)
    click.echo(f"Seeded {users_count} user(s) and {recipes_count} recipe(s).")
    if users_count:
        click.echo(f"The seeded users' password: {password}")
