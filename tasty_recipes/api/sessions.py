"""Sign in, sign up, sign out and the current user."""

from __future__ import annotations

from flask import Response, jsonify
from flask_jwt_extended import current_user, get_jwt, jwt_required

from .. import ratelimits
from ..accounts import api_tokens
from ..accounts import service as accounts
from ..accounts.models import User
from ..web.links import confirmation_url
from ..web.params import credentials_from_request, read_body, unwrap
from ..web.requests import no_content
from . import bp, idempotency
from .auth import issue_token, new_token_id, signed_token
from .serializers import me_json, user_json


@bp.post("/sign_in")
def sign_in():
    """Check the credentials and issue an API token; 401 with the same message for every failure."""
    # The rate limiter reads the email with the same function: it counts this account.
    email, password = credentials_from_request()
    # Same answer for a missing field, an unknown email and a wrong password.
    user = accounts.get_user_by_email_and_password(email, password)
    if user is None:
        return jsonify(message="Wrong credentials", status="error"), 401
    return jsonify(
        data={"email": user.email, "token": issue_token(user)}, message="Successful log in", status="ok"
    )


@bp.post("/sign_up")
def sign_up():
    """Register an account and email its confirmation link; 201 with the user (no token)."""
    # No user yet: the key's scope is the endpoint, and the body's fingerprint (password
    # included) keeps anyone else from replaying someone's sign-up.
    keyed = idempotency.keyed_request("POST /api/sign_up")
    params = unwrap(read_body(), "user")
    if keyed is None:
        return _signed_up(_register(params))
    # Stored in the transaction that creates the user (its first commit); the
    # confirmation email follows in its own, as without a key.
    return idempotency.run_once(
        keyed, lambda: _register(params), lambda: _signed_up(accounts.get_user_by_email(params.get("email")))
    )


def _register(params: dict) -> User:
    user = accounts.register_user(params.get("email"), params.get("password"))
    accounts.deliver_user_confirmation_instructions(user, confirmation_url)
    return user


def _signed_up(user: User) -> Response:
    response = jsonify(data=user_json(user))
    response.status_code = 201
    return response


@bp.post("/sign_out")
@jwt_required()
def sign_out():
    """Revoke the API token this request was made with; 204."""
    api_tokens.revoke_api_token(get_jwt()["jti"])
    return no_content()


@bp.get("/me")
@jwt_required()
def me():
    """Show the caller's account: id, email, confirmed_at and is_admin."""
    return jsonify(data=me_json(current_user))


@bp.delete("/me")
@jwt_required()
def delete_me():
    """Delete the caller's account, recipes and every token after checking ``password``; 204.

    A wrong or missing password is a 422 and counts as a failed log-in.
    """
    params = unwrap(read_body(), "user")
    user = accounts.get_user(current_user.id)
    with ratelimits.current_password_check(user, field="password"):
        accounts.delete_account(user, params.get("password"))
    return no_content()


@bp.put("/me/password")
@jwt_required()
def update_password():
    """Change the caller's password, end every session and API token, and return a new token."""
    params = unwrap(read_body(), "user")
    user = accounts.get_user(current_user.id)
    # One transaction: every token of the user (API and browser) goes, and this
    # client's next token is recorded, the only one left.
    jti = new_token_id()
    with ratelimits.current_password_check(user):
        accounts.update_user_password(
            user,
            params.get("current_password"),
            params.get("password"),
            params.get("password_confirmation"),
            new_api_token_id=jti,
        )
    return jsonify(
        data={"email": user.email, "token": signed_token(user, jti)},
        message="Password updated successfully.",
        status="ok",
    )
