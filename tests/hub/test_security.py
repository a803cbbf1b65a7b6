"""The hub's secrets: what a key looks like where people type it."""

from __future__ import annotations

import secrets

import pytest

from porchlight_hub import security


def test_a_key_never_starts_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    # argparse reads "--key -abc…" as a missing value followed by an option.
    drawn = iter(["-starts-with-a-dash", "_fine-key"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda _n: next(drawn))
    assert security.new_token() == "_fine-key"


def test_keys_are_long_and_url_safe() -> None:
    tokens = {security.new_token() for _ in range(200)}
    assert len(tokens) == 200
    for token in tokens:
        assert len(token) >= 43
        assert not token.startswith("-")
        assert set(token) <= set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        )
