"""Secrets: tokens, keys and pairing codes, stored only as hashes.

Tokens and keys carry 32 random bytes, so a plain SHA-256 is enough to make a
leaked database useless for impersonation; pairing codes are short, so they
are single-use, expire, and wrong guesses are rate limited.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import deque

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def hash_secret(secret: str) -> str:
    """Hash a secret for storage and lookup."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_token() -> str:
    """A home token or an agency key: 32 random bytes, URL-safe.

    Never one starting with ``-``: keys are given on command lines
    (``porchlight-agency … --key KEY``), where argparse would take such a key
    for an option. One in 64 is drawn again, which costs no real entropy.
    """
    while (token := secrets.token_urlsafe(32)).startswith("-"):
        pass
    return token


def new_pairing_code() -> str:
    """An 8-character code, easy to read aloud and type: ``ABCD-EFGH``."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_code(code: str) -> str:
    """Accept codes typed in lower case, with spaces or without the dash."""
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:]}"


def new_id(prefix: str) -> str:
    """Opaque identifiers that say what they name."""
    return f"{prefix}_{secrets.token_hex(8)}"


class FailureLimiter:
    """Counts failures per client in a sliding window (pairing brute force)."""

    def __init__(self, allowed: int, window_s: float) -> None:
        self._allowed = allowed
        self._window = window_s
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, client: str) -> deque[float]:
        now = time.monotonic()
        bucket = self._failures.setdefault(client, deque())
        while bucket and now - bucket[0] > self._window:
            bucket.popleft()
        return bucket

    def retry_after(self, client: str) -> float:
        """Seconds the client must wait, or 0 when it may try."""
        bucket = self._recent(client)
        if len(bucket) < self._allowed:
            if not bucket:
                self._failures.pop(client, None)
            return 0.0
        return max(0.0, self._window - (time.monotonic() - bucket[0]))

    def record_failure(self, client: str) -> None:
        """Remember one wrong guess."""
        self._recent(client).append(time.monotonic())
