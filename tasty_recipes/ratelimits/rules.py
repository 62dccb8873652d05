"""What is limited: the limits, and which requests count towards which purpose.

Counters are per purpose, not per endpoint: signing up through the HTML form and
through the API spends one allowance. Every window is a fixed 15 minutes, so
whoever exhausts a limit (even an attacker aiming at a victim's account) locks
the rightful user out for at most that long.
"""

from __future__ import annotations

from dataclasses import dataclass

from limits import RateLimitItem, parse

# Failed log-ins (a wrong password at the log-in page or POST /api/sign_in, and
# a wrong current password in Settings or PUT /api/me/password).
FAILED_LOGIN_PER_ACCOUNT = parse("10 per 15 minutes")
FAILED_LOGIN_PER_ADDRESS = parse("30 per 15 minutes")
# Successful log-ins: each costs a bcrypt verification and a token row. Far
# above what a person does, low enough to stop a script farming tokens.
LOGIN_PER_ACCOUNT = parse("30 per 15 minutes")
LOGIN_PER_ADDRESS = parse("100 per 15 minutes")
# Requests that send email or create accounts.
SENSITIVE_POST_PER_ADDRESS = parse("10 per 15 minutes")
EMAIL_CHANGE_PER_ACCOUNT = parse("10 per 15 minutes")


@dataclass(frozen=True)
class Purpose:
    """POSTs counted together, every one of them, whichever endpoint they reach."""

    name: str
    endpoints: frozenset[str]
    per_address: RateLimitItem
    per_account: RateLimitItem | None = None  # of the logged-in user
    action: str | None = None  # only forms posted with this ``action`` field


POST_PURPOSES = (
    Purpose("sign-up", frozenset({"accounts.register", "api.sign_up"}), SENSITIVE_POST_PER_ADDRESS),
    Purpose("reset-password", frozenset({"accounts.reset_password_new"}), SENSITIVE_POST_PER_ADDRESS),
    Purpose("magic-link", frozenset({"accounts.log_in_link"}), SENSITIVE_POST_PER_ADDRESS),
    Purpose("resend-confirmation", frozenset({"accounts.confirm_new"}), SENSITIVE_POST_PER_ADDRESS),
    # Settings posts two forms; only the email change sends mail (to any address typed).
    Purpose(
        "change-email",
        frozenset({"accounts.settings"}),
        SENSITIVE_POST_PER_ADDRESS,
        per_account=EMAIL_CHANGE_PER_ACCOUNT,
        action="update_email",
    ),
)

FAILED, SUCCEEDED = "failed", "succeeded"
# The log-in endpoints and what their answers mean: the page re-renders (200)
# or redirects (302); the API answers 401 or 200. Any other answer (400, 413,
# 503, …) checked no password and counts as neither.
LOGIN_OUTCOMES = {
    "accounts.log_in": {200: FAILED, 302: SUCCEEDED},
    "api.sign_in": {401: FAILED, 200: SUCCEEDED},
}
