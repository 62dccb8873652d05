"""flask gen-secret."""

from __future__ import annotations

import base64

from ..support.cli import assert_success


def _decoded(secret: str) -> bytes:
    return base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))


def test_gen_secret_prints_64_random_url_safe_bytes(cli):
    result = cli("gen-secret")
    assert_success(result)
    secret = result.stdout.strip()
    assert result.stdout == secret + "\n"
    assert len(_decoded(secret)) == 64
    assert set(secret) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_gen_secret_is_different_every_time(cli):
    assert cli("gen-secret").stdout != cli("gen-secret").stdout
