"""Idempotency keys: a POST sent again with the same key is answered, not done, twice.

``models`` holds the stored keys and answers, ``service`` claims a key, stores
the answer in the transaction of the work it answers, replays it, and purges
expired keys. The HTTP side (the header, the fingerprint, the replayed answer)
lives in ``tasty_recipes.api.idempotency``.
"""
