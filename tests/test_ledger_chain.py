"""The entry format's fast paths give exactly the documented rule's answers."""

from __future__ import annotations

import hashlib
import json
import math
import random
import struct
from typing import Any

import orjson
import pytest

from custom_components.porchlight import ledger_chain
from custom_components.porchlight.ledger_chain import (
    GENESIS_HASH,
    ChainVerifier,
    entry_hash,
    entry_line,
    orjson_matches,
    parse_line,
    stored_digest,
)


def documented_digest(entry: dict[str, Any]) -> str:
    body = {k: entry[k] for k in ("seq", "ts", "kind", "data", "prev")}
    text = json.dumps(
        body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return hashlib.sha256(text.encode()).hexdigest()


def stored(data: Any, seq: int = 1, prev: str = GENESIS_HASH) -> bytes:
    ts = "2026-01-01T00:00:00.123456+00:00"
    digest = entry_hash(seq, ts, "decision", data, prev)
    entry = {"seq": seq, "ts": ts, "kind": "decision", "data": data, "prev": prev}
    return entry_line({**entry, "hash": digest})[:-1]


def check_line(line: bytes) -> None:
    """parse_line reads what json.loads reads, and hashes it the documented way."""
    value, exact = parse_line(line)
    assert value == json.loads(line)
    assert type(value) is type(json.loads(line))
    if isinstance(value, dict):
        assert stored_digest(value, exact) == documented_digest(value)


def test_every_character_hashes_the_same_both_ways() -> None:
    assert ledger_chain._ORJSON_EXACT
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    for start in range(0, len(chars), 4096):
        text = "".join(chars[start : start + 4096])
        line = stored({text[:7]: text, "k" + text[-3:]: [text[::-1]]})
        value, exact = parse_line(line)
        assert exact
        assert stored_digest(value, True) == stored_digest(value, False)
        check_line(line)


def test_numbers_are_read_exactly() -> None:
    rng = random.Random(7)  # noqa: S311 - reproducible samples
    floats = [1e16, 1e-5, 1.5e-7, 123.4, -0.0, 0.0, 5e-324, 1.7976931348623157e308]
    for _ in range(3000):
        f = struct.unpack("d", struct.pack("Q", rng.getrandbits(64)))[0]
        if math.isfinite(f):
            floats.append(f)
        floats.append(rng.uniform(-1e6, 1e6))
    for f in floats:
        line = stored({"x": f, "list": [f, 1]})
        value, exact = parse_line(line)
        assert value["data"]["x"] == f or math.isnan(f)
        assert exact is ("e" not in repr(f))  # exponents take the standard path
        check_line(line)
    for big in (2**63, 2**64, 2**64 - 1, -(2**63) - 1, 2**70, -(10**30)):
        line = stored({"n": big})
        value, _ = parse_line(line)
        assert value["data"]["n"] == big
        assert isinstance(value["data"]["n"], int)
        check_line(line)
    line = stored({"n": 2**40, "m": -7, "z": 0})
    assert parse_line(line)[1] is True
    check_line(line)


def test_decimals_in_any_spelling_parse_like_json_loads() -> None:
    """Whatever wrote the number, both parsers must land on the same float."""
    rng = random.Random(13)  # noqa: S311 - reproducible samples
    for _ in range(5000):
        digits = "".join(rng.choice("0123456789") for _ in range(rng.randrange(1, 40)))
        point = rng.randrange(len(digits) + 1)
        whole = digits[:point].lstrip("0") or "0"
        text = f"{whole}.{digits[point:] or '0'}"
        if rng.random() < 0.3:
            text += f"e{rng.randrange(-30, 30)}"
        line = b'{"x":' + text.encode() + b',"y":[-' + text.encode() + b"]}"
        value, exact = parse_line(line)
        assert value == json.loads(line), text
        if exact:
            assert orjson.dumps(value, option=orjson.OPT_SORT_KEYS) == (
                ledger_chain._canonical(value).encode()
            )


@pytest.mark.parametrize(
    "line",
    [
        b'{"a":"ratio:1.5, [2e3"}',
        b'{"a" : 1.5}',
        b"[ 12345678901234567890]",
        b"1.5",
        b"123456789012345678901234567890",
        b'"\\ud800"',
        b'{"a":NaN}',
        b'{"a":1,"a":2}',
    ],
)
def test_awkward_lines_read_like_json_loads(line: bytes) -> None:
    value, _ = parse_line(line)
    expected = json.loads(line)
    assert json.dumps(value) == json.dumps(expected)


def test_lines_that_are_not_json_become_text() -> None:
    assert parse_line(b"{not json\xff") == ("{not json\ufffd", False)
    assert parse_line(b"[" * 100_000) == ("[" * 100_000, False)


def test_deep_nesting_falls_back_to_the_standard_encoder() -> None:
    data: Any = "leaf"
    for _ in range(300):  # deeper than orjson writes
        data = {"d": data}
    line = stored(data)
    value, exact = parse_line(line)
    assert exact
    assert stored_digest(value, exact) == documented_digest(value)


def test_without_a_matching_orjson_everything_takes_the_standard_path(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ascii_only = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode
    assert not orjson_matches(ascii_only)
    assert orjson_matches(ledger_chain._canonical)
    monkeypatch.setattr(ledger_chain, "_ORJSON_EXACT", False)
    line = stored({"n": 1})
    value, exact = parse_line(line)
    assert not exact
    assert stored_digest(value, exact) == documented_digest(value)


def test_the_verifier_follows_the_documented_rule() -> None:
    rng = random.Random(11)  # noqa: S311 - reproducible samples
    lines: list[bytes] = []
    prev = GENESIS_HASH
    for seq in range(1, 201):
        data = {"n": rng.random(), "s": "é" * rng.randrange(3), "i": seq}
        line = stored(data, seq, prev)
        prev = json.loads(line)["hash"]
        lines.append(line)
    verifier = ChainVerifier()
    assert all(verifier.feed(*parse_line(line)) for line in lines)
    assert verifier.result().ok
    assert verifier.prev == prev
    # One changed character anywhere breaks it right there.
    damaged = lines[:]
    damaged[120] = damaged[120].replace(b'"i":121', b'"i":122')
    verifier = ChainVerifier()
    results = [verifier.feed(*parse_line(line)) for line in damaged]
    assert results.index(False) == 120
    assert verifier.result().broken_at == 121
    assert verifier.result().count == 200
