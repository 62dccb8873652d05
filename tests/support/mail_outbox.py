"""The mail outbox table as the SMTP tests see it: short retry settings, rows, a clock ahead."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from tasty_recipes.db import utcnow
from tasty_recipes.extensions import db
from tasty_recipes.mail.models import OutboxMessage

# Short waits, and few attempts, so the tests reach every state quickly; no test sleeps:
# "later" passes are run with a clock moved forward (deliver_due(now=…)).
RETRY_BASE_SECONDS = 2
RETRY_MAX_SECONDS = 8
MAX_ATTEMPTS = 3


def later(hours: int = 1) -> datetime:
    """A clock far enough ahead that every retry scheduled so far is due."""
    return utcnow() + timedelta(hours=hours)


def outbox_rows() -> list[OutboxMessage]:
    """Every outbox row as committed, oldest first."""
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.inserted_at)))


def make_all_due() -> None:
    """Move every retry time to now: what waiting out the backoff would do."""
    db.session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
    db.session.commit()
