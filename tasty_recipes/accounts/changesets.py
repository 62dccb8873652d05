"""The accounts context's rules, named like phx.gen.auth's changesets.

``service`` (the web's account actions) and ``admin`` (the CLI's) both build on
these, so an email, a password or a current password is judged the same way
wherever it comes from. Each adds its messages to an ``Errors`` collection and
returns the cleaned value (or None).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..db import EMAIL_MAX_LENGTH
from ..exceptions import ValidationError
from ..extensions import db
from ..validation import Errors, max_length, min_length, text_field
from . import notifier, tokens
from .email_address import AT_SIGN, email_problems, normalize_email
from .models import User
from .passwords import MAX_PASSWORD_BYTES, hash_password, verify_password

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 72
PASSWORD_MAX_BYTES = MAX_PASSWORD_BYTES  # bcrypt ignores (bcrypt 5: rejects) anything longer
TAKEN = "has already been taken"


def email_changeset(errors: Errors, email: Any, current: User | None = None) -> str | None:
    """The normalised email when it may be an account's, else None (errors recorded).

    ``current`` is the user changing their own address (their own row is not "taken").
    """
    email = text_field(errors, "email", normalize_email(email) if isinstance(email, str) else email)
    if email is None:
        return None
    max_length(errors, "email", email, EMAIL_MAX_LENGTH)
    if errors.has("email"):
        return None  # the rules below read every character: not for input already refused
    for message in email_problems(email):
        errors.add("email", message)
    if not errors.has("email") and not notifier.can_address(email):
        errors.add("email", AT_SIGN)
    if errors.has("email"):
        return None
    existing = _user_by_normalised_email(email)
    if existing is not None and existing is not current:
        errors.add("email", TAKEN)
    return email


def password_changeset(errors: Errors, password: Any, confirmation: Any = None) -> str | None:
    """The password when it is acceptable (12–72 characters, at most 72 bytes), else None."""
    password = text_field(errors, "password", password)
    if password is not None:
        min_length(errors, "password", password, PASSWORD_MIN_LENGTH)
        max_length(errors, "password", password, PASSWORD_MAX_LENGTH)
        if not errors.has("password") and len(password.encode()) > PASSWORD_MAX_BYTES:
            errors.add("password", f"should be at most {PASSWORD_MAX_BYTES} byte(s)")
    # Checked only when submitted, like Ecto's validate_confirmation.
    if confirmation is not None and confirmation != password:
        errors.add("password_confirmation", "does not match password")
    return password


def validate_current_password(errors: Errors, user: User, current_password: Any) -> None:
    """Record ``current_password: is not valid`` unless it is the user's password."""
    # verify_password takes any input (None, too long, …) at the cost of one verification.
    if not verify_password(current_password, user.hashed_password):
        errors.add("current_password", "is not valid")


def commit_or_taken() -> None:
    """Commit; a race on the unique email index becomes the same form error."""
    try:
        db.session.commit()
    except IntegrityError as exc:
        db.session.rollback()
        raise ValidationError({"email": [TAKEN]}) from exc


def put_password_and_revoke_all(user: User, password: str) -> None:
    """Set a new password and delete every token of the user (not committed).

    Security: every browser session, email link and API token ends with the
    old password, in the caller's transaction.
    """
    user.hashed_password = hash_password(password)
    db.session.execute(tokens.by_user_and_contexts(user.id))


def _user_by_normalised_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def delete_user_rows(user: User) -> int:
    """Delete the user's tokens and the user (not committed); returns how many tokens went.

    Tokens are deleted explicitly so the count is exact; recipes, idempotency keys
    and other rows go with the user through their foreign keys' ON DELETE CASCADE.
    """
    tokens_deleted = db.session.execute(tokens.by_user_and_contexts(user.id)).rowcount
    db.session.execute(delete(User).where(User.id == user.id))
    return tokens_deleted
