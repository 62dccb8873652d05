"""The ceiling for POST /api/sign_in: bcrypt verifications per second on this machine."""

from __future__ import annotations

import multiprocessing
import time

import bcrypt

COST = 12


def _verify_for(args: tuple[bytes, bytes, float]) -> int:
    password, hashed, seconds = args
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        bcrypt.checkpw(password, hashed)
        done += 1
    return done


def bcrypt_bound(processes: int, seconds: float = 8.0) -> float:
    """checkpw calls per second at cost 12 with ``processes`` processes verifying in parallel."""
    password = b"bench-password-0123456789"
    hashed = bcrypt.hashpw(password, bcrypt.gensalt(COST, prefix=b"2b"))
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        started = time.perf_counter()
        counts = pool.map(_verify_for, [(password, hashed, seconds)] * processes)
        elapsed = time.perf_counter() - started
    return sum(counts) / elapsed
