"""Generated recipes for development databases (``flask seed``), inserted in bulk."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import insert

from ..db import utcnow
from ..exceptions import ValidationError
from ..extensions import db
from .models import Recipe

SEED_BATCH_SIZE = 5_000
_SEED_ADJECTIVES = (
    "Smoky",
    "Crispy",
    "Creamy",
    "Spicy",
    "Lemony",
    "Rustic",
    "Golden",
    "Tangy",
    "Herbed",
    "Slow-cooked",
    "Grandma's",
    "Weeknight",
    "Summer",
    "Winter",
)
_SEED_DISHES = (
    "lentil soup",
    "tomato tart",
    "chicken curry",
    "mushroom risotto",
    "apple pie",
    "bean chili",
    "pea salad",
    "fish stew",
    "banana bread",
    "pumpkin gnocchi",
    "leek quiche",
    "ratatouille",
    "pad thai",
    "falafel",
    "shakshuka",
)
_SEED_STEPS = (
    "Chop everything finely.",
    "Warm the oil over a medium heat.",
    "Season generously with salt and pepper.",
    "Simmer for twenty minutes.",
    "Bake until golden.",
    "Rest for five minutes before serving.",
    "Stir in the herbs at the end.",
    "Serve with crusty bread.",
)


def seed_recipes(
    owner_ids: list[uuid.UUID],
    count: int,
    batch_size: int = SEED_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert ``count`` generated recipes spread over ``owner_ids``; returns how many.

    For development databases only: bulk inserts (executemany of plain dicts),
    one transaction per batch, with ``progress(rows_in_batch)`` called after each
    commit. Timestamps are spread over the past year so listings look real.
    """
    if count > 0 and not owner_ids:
        raise ValidationError({"owner_ids": ["can't be blank"]})
    # Fake data only (owners, names, timestamps): no secret comes from this generator.
    rng = random.Random()  # nosec B311
    now = utcnow()
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        rows = []
        for n in range(done, done + size):
            stamp = now - timedelta(seconds=rng.randrange(365 * 24 * 3600))
            rows.append(
                {
                    "id": uuid.uuid4(),
                    "owner_id": owner_ids[n % len(owner_ids)],
                    "version": 1,
                    "name": f"{rng.choice(_SEED_ADJECTIVES)} {rng.choice(_SEED_DISHES)} #{n + 1}",
                    "description": " ".join(rng.sample(_SEED_STEPS, 4)),
                    "inserted_at": stamp,
                    "updated_at": stamp,
                }
            )
        db.session.execute(insert(Recipe.__table__), rows)
        db.session.commit()
        done += size
        if progress is not None:
            progress(size)
    return done
