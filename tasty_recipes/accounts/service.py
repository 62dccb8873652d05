"""The accounts context: the only public API for users, passwords and their tokens.

Every function commits at most once (one transaction per call). Functions that
send a link take ``make_url(token) -> str`` so that URLs stay out of the domain;
they queue the email in the mail outbox in the same transaction as its token,
so neither is saved without the other and no request waits on the mail server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..db import EMAIL_MAX_LENGTH, utcnow
from ..exceptions import NotFound
from ..extensions import db
from ..validation import Errors, parse_uuid
from . import api_tokens, changesets, notifier, tokens
from .email_address import normalize_email
from .models import User, UserToken
from .passwords import hash_password, no_user_verify, verify_password

MakeUrl = Callable[[str], str]


# --- lookups -----------------------------------------------------------------


def get_user_by_email(email: Any) -> User | None:
    """The user with this email, compared case-insensitively; None if there is none.

    The email is normalised as registration stores it (email_address), so the
    fullwidth form of an address finds its account, for log-in as for the
    reset-password and confirmation requests.
    """
    if not isinstance(email, str):
        return None
    email = normalize_email(email)
    if not email or "\x00" in email or len(email) > EMAIL_MAX_LENGTH:
        return None  # no stored email looks like that: no query
    return db.session.scalar(select(User).where(User.email == email))


def get_user_by_email_and_password(email: Any, password: Any) -> User | None:
    """The user when the credentials match, else None.

    Security: every attempt costs exactly one bcrypt verification at the
    configured cost, whether the email is unknown or the password is empty,
    not text, too long or wrong (passwords.verify_password), so timing does
    not reveal which emails are registered.
    """
    user = get_user_by_email(email)
    if user is None:
        no_user_verify()
        return None
    return user if verify_password(password, user.hashed_password) else None


def get_user(user_id: Any) -> User:
    """The user with this id; raises NotFound for an unknown or malformed id."""
    key = parse_uuid(user_id)
    user = db.session.get(User, key) if key is not None else None
    if user is None:
        raise NotFound()
    return user


# --- registration and confirmation ----------------------------------------------


def register_user(email: Any, password: Any) -> User:
    """Create an unconfirmed user; raises ValidationError with per-field messages."""
    errors = Errors()
    email = changesets.email_changeset(errors, email)
    password = changesets.password_changeset(errors, password)
    errors.raise_if_any()
    user = User(email=email, hashed_password=hash_password(password))
    db.session.add(user)
    changesets.commit_or_taken()
    return user


def deliver_user_confirmation_instructions(user: User, make_url: MakeUrl) -> bool:
    """Email a confirmation link; False (and nothing sent) if already confirmed."""
    if user.is_confirmed:
        return False
    _email_link(user, tokens.CONFIRM, user.email, notifier.enqueue_confirmation_instructions, make_url)
    return True


def confirm_user(token: str) -> User | None:
    """Confirm the user a valid confirm token belongs to; None when invalid or used.

    The token rows are deleted in the same statement that confirms, so a token
    used twice at once succeeds once.
    """
    found = _verified(token, tokens.CONFIRM)
    if found is None:
        return None
    user, row = found
    if not _consume(row):
        return None
    user.confirmed_at = utcnow()
    db.session.execute(tokens.by_user_and_contexts(user.id, [tokens.CONFIRM]))
    db.session.commit()
    return user


def _verified(token: Any, context: str) -> tuple[User, UserToken] | None:
    query = tokens.verify_query(token, context)
    if query is None:
        return None
    found = db.session.execute(query).first()
    return (found[0], found[1]) if found else None


def _consume(row: UserToken) -> bool:
    """Delete one token row; False if another request deleted it first."""
    result = db.session.execute(tokens.by_token_and_context(row.token, row.context))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    return True


# --- reset password ----------------------------------------------------------------


def deliver_user_reset_password_instructions(user: User, make_url: MakeUrl) -> None:
    """Email a reset-password link (valid one day), confirmed or not."""
    _email_link(user, tokens.RESET, user.email, notifier.enqueue_reset_password_instructions, make_url)


def get_user_by_reset_password_token(token: str) -> User | None:
    """The user of a valid reset token, or None. Viewing does not use the token up."""
    found = _verified(token, tokens.RESET)
    return found[0] if found else None


def reset_user_password(token: str, password: Any, password_confirmation: Any = None) -> User | None:
    """Set a new password with a reset token and end every session and API token.

    Returns None when the token is invalid or was used concurrently; raises
    ValidationError for a bad password (the token is then kept).
    """
    found = _verified(token, tokens.RESET)
    if found is None:
        return None
    user, row = found
    errors = Errors()
    password = changesets.password_changeset(errors, password, password_confirmation)
    errors.raise_if_any()
    if not _consume(row):
        return None
    return commit_new_password(user, password)


# --- log in with an emailed link (magic link, phx.gen.auth 1.8) -----------------------


def deliver_login_instructions(user: User, make_url: MakeUrl) -> None:
    """Email a link that logs ``user`` in (valid ``MAGIC_LINK_VALIDITY_MINUTES``, once).

    The token is sent to the user's current email and dies when it changes.
    """
    _email_link(user, tokens.LOGIN, user.email, notifier.enqueue_login_instructions, make_url)


def get_user_by_magic_link_token(token: Any) -> User | None:
    """The user of a live magic-link token, or None. Viewing does not use the token up."""
    found = _verified(token, tokens.LOGIN)
    return found[0] if found else None


def login_user_by_magic_link(token: Any) -> User | None:
    """Use up a magic-link token; its user, or None when invalid, expired or already used.

    The caller starts the session. Following the link proves the address, so an
    unconfirmed user is confirmed; then every other token of that user (sessions,
    API tokens, email links) is deleted in the same transaction, as phx.gen.auth
    does, so whoever registered the address before its owner confirmed it is
    logged out. Used twice at once, the token logs in once (delete-by-token).
    """
    found = _verified(token, tokens.LOGIN)
    if found is None:
        return None
    user, row = found
    if not _consume(row):
        return None
    if not user.is_confirmed:
        user.confirmed_at = utcnow()
        db.session.execute(tokens.by_user_and_contexts(user.id))
    db.session.commit()
    return user


# --- settings --------------------------------------------------------------------


def request_email_change(user: User, current_password: Any, new_email: Any, make_url: MakeUrl) -> str:
    """Validate an email change and send the link to the new address.

    Nothing changes until the link is followed. Returns the new email; raises
    ValidationError (``did not change``, the email rules, ``is not valid``).
    """
    errors = Errors()
    email = changesets.email_changeset(errors, new_email, current=user)
    if email is not None and email == user.email:
        errors.add("email", "did not change")
    changesets.validate_current_password(errors, user, current_password)
    errors.raise_if_any()
    context = tokens.CHANGE_EMAIL_PREFIX + user.email
    _email_link(user, context, email, notifier.enqueue_update_email_instructions, make_url)
    return email


def update_user_email(user: User, token: str) -> bool:
    """Apply a pending email change for this user; False when the link is invalid.

    A security notice goes to the old address in the same transaction.
    """
    context = tokens.CHANGE_EMAIL_PREFIX + user.email
    found = _verified(token, context)
    if found is None or found[0].id != user.id:
        return False
    _, row = found
    if not _consume(row):
        return False
    old_email = user.email
    user.email = row.sent_to
    user.confirmed_at = utcnow()
    try:
        # The delete autoflushes the new email, so it too may hit the unique index.
        db.session.execute(tokens.by_user_and_contexts(user.id, [context]))
        notice = notifier.enqueue_email_changed_notice(old_email, row.sent_to)
        db.session.commit()
    except IntegrityError:  # the address was taken meanwhile: no change, no notice
        db.session.rollback()
        return False
    notifier.send_enqueued(notice)
    return True


def update_user_password(
    user: User,
    current_password: Any,
    password: Any,
    password_confirmation: Any = None,
    *,
    new_api_token_id: str | None = None,
) -> User:
    """Change the password and delete every token of the user, in one transaction.

    Security: every other browser session and every API token ends; the caller
    logs this browser in again with a fresh session. With ``new_api_token_id``
    (an API client changing its password), the one token that client gets next
    is recorded in the same transaction.
    """
    errors = Errors()
    password = changesets.password_changeset(errors, password, password_confirmation)
    changesets.validate_current_password(errors, user, current_password)
    errors.raise_if_any()
    return commit_new_password(user, password, new_api_token_id)


def commit_new_password(user: User, password: str, new_api_token_id: str | None = None) -> User:
    """Set a validated password, end every token, queue the notice: one commit.

    Security: every browser session, email link and API token of the user ends
    with the old password; with ``new_api_token_id`` the one token its caller
    gets next is recorded in the same transaction. The notice says so to the
    account's address.
    """
    changesets.put_password_and_revoke_all(user, password)
    if new_api_token_id is not None:
        api_tokens.add_api_token(user, new_api_token_id)
    notice = notifier.enqueue_password_changed_notice(user.email)
    db.session.commit()
    notifier.send_enqueued(notice)
    return user


def delete_account(user: User, password: Any) -> None:
    """Delete the account, its recipes and every token, after checking its password.

    Raises ValidationError ``password: is not valid`` (nothing deleted). One
    transaction: every token row, the user (recipes and idempotency keys go
    through ON DELETE CASCADE) and the security notice to its address, which
    the outbox keeps (it has no foreign key to users).
    """
    errors = Errors()
    if not verify_password(password, user.hashed_password):
        errors.add("password", "is not valid")
    errors.raise_if_any()
    notice = notifier.enqueue_account_deleted_notice(user.email)
    changesets.delete_user_rows(user)
    db.session.commit()
    notifier.send_enqueued(notice)


def _email_link(user: User, context: str, to: str, enqueue, make_url: MakeUrl) -> None:
    """Store a new ``context`` token for ``user`` and queue its link to ``to``, in one commit.

    Neither is saved without the other, and no request waits on the mail server
    (an immediate backend, in development and tests, sends right after the commit).
    """
    encoded, row = tokens.build_token(user, context, sent_to=to)
    db.session.add(row)
    message = enqueue(to, make_url(encoded))
    db.session.commit()
    notifier.send_enqueued(message)


# --- browser sessions --------------------------------------------------------------


def generate_user_session_token(user: User) -> str:
    """A new session token for a browser (stored hashed, valid 60 days)."""
    encoded, row = tokens.build_token(user, tokens.SESSION)
    db.session.add(row)
    db.session.commit()
    return encoded


def get_user_by_session_token(token: Any) -> User | None:
    """The user of a live session token, or None (revoked, expired or garbled)."""
    found = _verified(token, tokens.SESSION)
    return found[0] if found else None


def delete_session_token(token: Any) -> None:
    """End one browser session (log out). Unknown tokens are ignored."""
    raw = tokens.decode(token) if isinstance(token, str) else None
    if raw is not None:
        db.session.execute(tokens.by_token_and_context(tokens.digest(raw), tokens.SESSION))
        db.session.commit()


def count_users() -> int:
    """How many accounts exist."""
    return db.session.scalar(select(func.count()).select_from(User))
