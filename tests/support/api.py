"""The JSON API seen from a client: Authorization headers and the error bodies it answers with."""

from __future__ import annotations

UNAUTHENTICATED = {"message": "unauthenticated"}
WRONG_CREDENTIALS = {"message": "Wrong credentials", "status": "error"}
BAD_REQUEST = {"errors": {"detail": "Bad Request"}}
FORBIDDEN = {"errors": {"detail": "Forbidden"}}
NOT_FOUND = {"errors": {"detail": "Not Found"}}
PRECONDITION_FAILED = {"errors": {"detail": "Precondition Failed"}}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_invalid_token(response) -> None:
    """Guardian's 401 for a bad token: message invalid_token, an optional reason, nothing else."""
    assert response.status_code == 401, response.get_data(as_text=True)
    body = response.get_json()
    assert body["message"] == "invalid_token"
    assert set(body) <= {"message", "reason"}
