"""The consent ledger's entry format: canonical JSON, the hash rule, the chain check.

This module knows nothing of Home Assistant or files, so anyone can read here
alone exactly what an exported entry must satisfy: each entry is
``{"seq", "ts", "kind", "data", "prev", "hash"}``, where ``hash`` is the
SHA-256 of the canonical JSON of the other five fields and ``prev`` is the
hash of the entry before it (``GENESIS_HASH`` for the first).

Verification parses and re-hashes every entry it checks, which dominates the
cost of exporting a long ledger. Where it provably changes nothing it uses
orjson (a Home Assistant dependency) instead of the standard library: both
read 64-bit integers, strings and floats printed without an exponent alike,
and orjson then encodes such values byte for byte like the canonical encoder
(a probe at import confirms it for strings and key order, else orjson is not
used). Any entry holding a larger integer or a float that orjson would print
differently takes the standard-library path (:func:`parse_line`), so the
verdict is always the documented rule's.
"""

from __future__ import annotations

import hashlib
import json
import json.encoder as json_encoder
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

import orjson

from .const import LOGGER

GENESIS_HASH: Final = "0" * 64
ENTRY_KEYS: Final = ("seq", "ts", "kind", "data", "prev", "hash")
_ENTRY_KEY_SET: Final = frozenset(ENTRY_KEYS)

KIND_REQUEST_RECEIVED: Final = "request_received"
KIND_REQUEST_UPDATED: Final = "request_updated"
KIND_DECISION: Final = "decision"
KIND_DECISION_DELIVERED: Final = "decision_delivered"
KIND_DECISION_FAILED: Final = "decision_failed"
KIND_OPT_OUT: Final = "opt_out"
KIND_OPT_IN: Final = "opt_in"
KIND_SHARE_ACCESSED: Final = "share_accessed"
KIND_SHARE_DELETED: Final = "share_deleted"
KIND_SHARE_REVOKED: Final = "share_revoked"
KIND_CLIP_UPLOADED: Final = "clip_uploaded"
KIND_SHARE_COMPLETED: Final = "share_completed"
# An agency's public keys, pinned the first time a request signed by them
# arrives, and a changed pair the household accepted (DESIGN.md §2.5).
KIND_AGENCY_KEYS_PINNED: Final = "agency_keys_pinned"
KIND_AGENCY_KEYS_ACCEPTED: Final = "agency_keys_accepted"
KIND_REQUEST_OUT_OF_POLICY: Final = "request_out_of_policy"
# Recorded by the ledger itself when it drops a half-written last line.
KIND_TAIL_DROPPED: Final = "ledger_tail_dropped"

# Keys that name secrets. Refusing them makes it hard to leak a token into a
# file that households export and hand to others.
FORBIDDEN_KEYS: Final = frozenset(
    {
        "token",
        "access_token",
        "refresh_token",
        "authorization",
        "api_key",
        "password",
        "secret",
        "pairing_code",
    }
)


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not plain JSON")


def make_canonical_encoder() -> Callable[[Any], str]:
    """The canonical JSON encoder, as fast as this Python allows.

    ``json.dumps`` rebuilds its C encoder on every call, which is most of the
    cost of hashing an entry. Building it once is about a third faster; it
    relies on an internal of the ``json`` module, so it is only used when it
    exists and encodes a probe exactly like the public API.
    """
    slow = json.JSONEncoder(
        sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode
    try:
        fast = json_encoder.c_make_encoder(  # type: ignore[attr-defined]
            None,
            _refuse,
            json_encoder.encode_basestring,
            None,
            ":",
            ",",
            True,
            False,
            False,
        )

        def encode(value: Any) -> str:
            return "".join(fast(value, 0))

        probe = {"b": [1, 2.5, None, True, "é\n\u2028"], "a": {"z": -0.0, "y": 1e16}}
        if encode(probe) == slow(probe):
            return encode
    except Exception:
        LOGGER.debug("Using the standard JSON encoder for ledger hashes")
    return slow


_canonical: Final = make_canonical_encoder()


def orjson_matches(canonical: Callable[[Any], str]) -> bool:
    """Whether orjson encodes float-free values exactly like ``canonical``."""
    probe = {
        "\U0001f600": [1, -2, 18446744073709551615, None, True, False, ""],
        "\uffff": {"z": 'quote " backslash \\ \n\t\r\b\f \x00\x1f\x7f é \u2028'},
        "a": {"\x00": [], "": {}},
    }
    return orjson.dumps(probe, option=orjson.OPT_SORT_KEYS) == canonical(probe).encode()


_ORJSON_EXACT: Final = orjson_matches(_canonical)


class LedgerDataError(TypeError):
    """Entry data that the ledger refuses: not plain JSON, bytes or a secret."""


def entry_hash(seq: int, ts: str, kind: str, data: Any, prev: str) -> str:
    """Hash an entry the way anyone can recompute it from an export.

    The canonical form is ``json.dumps`` of ``{"data", "kind", "prev", "seq",
    "ts"}`` with sorted keys, ``(",", ":")`` separators and no ASCII escaping,
    encoded as UTF-8.
    """
    canonical = _canonical(
        {"seq": seq, "ts": ts, "kind": kind, "data": data, "prev": prev}
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def entry_line(entry: Mapping[str, Any]) -> bytes:
    """An appended entry as one line of a segment file."""
    return _canonical(entry).encode() + b"\n"


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One appended entry."""

    seq: int
    ts: str
    kind: str
    data: dict[str, Any]
    prev: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        """The entry as stored and exported."""
        return {
            "seq": self.seq,
            "ts": self.ts,
            "kind": self.kind,
            "data": self.data,
            "prev": self.prev,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class LedgerVerification:
    """Whether the chain holds, and where it first breaks if not."""

    ok: bool
    count: int
    broken_at: int | None = None
    reason: str | None = None


def plain_json(value: Any, path: str = "data") -> Any:
    """Return a detached, JSON-native copy of ``value`` or refuse it.

    Copying matters: a caller mutating its dict after appending would otherwise
    change an entry whose hash is already fixed.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise LedgerDataError(f"{path}: not a finite number")
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        raise LedgerDataError(f"{path}: the ledger never holds raw bytes or footage")
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise LedgerDataError(f"{path}: keys must be strings")
            if key.lower() in FORBIDDEN_KEYS:
                raise LedgerDataError(
                    f"{path}.{key}: the ledger never holds secrets or tokens"
                )
            out[key] = plain_json(item, f"{path}.{key}")
        return out
    if isinstance(value, list | tuple):
        return [plain_json(item, f"{path}[{i}]") for i, item in enumerate(value)]
    raise LedgerDataError(f"{path}: {type(value).__name__} is not plain JSON")


def parse_line(line: bytes) -> tuple[Any, bool]:
    """One stored line's value, and whether orjson may hash it.

    orjson reads an integer beyond 64 bits as a float, and writes some floats
    unlike Python (``1e-05`` as ``0.00001``, ``1e+16`` as ``1e16``); both kinds
    show an exponent in Python's repr. A value whose floats all print the same
    in both, without an exponent, is one both parsers read alike and orjson
    encodes canonically. Anything else is read again by the standard library,
    so the value is always what ``json.loads`` gives. A line that is not JSON
    at all (damage) becomes its text, so it is kept, exported and reported
    like any other malformed entry.
    """
    if _ORJSON_EXACT:
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            pass  # The standard library reads a few things orjson refuses.
        else:
            if _orjson_agrees(value):
                return value, True
    try:
        return json.loads(line), False
    except (ValueError, RecursionError):
        return line.decode(errors="replace"), False


def _orjson_agrees(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
    elif kind is list:
        items = value
    else:
        return kind is not float or _same_float(value)
    for item in items:
        kind = type(item)
        if kind is str or kind is int:
            continue  # by far the most common: nothing to look into
        if kind is float:
            if not _same_float(item):
                return False
        elif (kind is dict or kind is list) and not _orjson_agrees(item):
            return False
    return True


def _same_float(value: float) -> bool:
    text = float.__repr__(value)
    return "e" not in text and orjson.dumps(value) == text.encode()


def stored_digest(entry: dict[str, Any], exact: bool) -> str:
    """Recompute a stored entry's hash; ``exact`` is :func:`parse_line`'s flag.

    Raises:
        TypeError, ValueError: The entry cannot be put in canonical form.
    """
    body = {
        "seq": entry["seq"],
        "ts": entry["ts"],
        "kind": entry["kind"],
        "data": entry["data"],
        "prev": entry["prev"],
    }
    if exact:
        try:
            encoded = orjson.dumps(body, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # Nested deeper than orjson writes: the slow path below.
        else:
            return hashlib.sha256(encoded).hexdigest()
    return hashlib.sha256(_canonical(body).encode()).hexdigest()


def tail_of(last: Any, count: int) -> tuple[int, str]:
    """The sequence number and hash the next entry continues from.

    Works on a broken chain too: a last entry without a usable number or hash
    is numbered by position and linked by the hash of its JSON.
    """
    seq = last.get("seq") if isinstance(last, dict) else None
    digest = last.get("hash") if isinstance(last, dict) else None
    if not isinstance(seq, int) or isinstance(seq, bool):
        seq = count
    if not isinstance(digest, str):
        digest = hashlib.sha256(
            json.dumps(last, sort_keys=True, default=str).encode()
        ).hexdigest()
    return seq, digest


class ChainVerifier:
    """Checks entries one at a time, from the first or from a checkpoint on."""

    __slots__ = ("broken_at", "count", "prev", "reason")

    def __init__(self, count: int = 0, prev: str = GENESIS_HASH) -> None:
        self.count = count
        self.prev = prev
        self.broken_at: int | None = None
        self.reason: str | None = None

    def feed(self, entry: Any, exact: bool) -> bool:
        """Check the next entry; False once the chain has broken."""
        self.count += 1
        if self.broken_at is not None:
            return False
        reason = self._check(entry, exact)
        if reason is None:
            self.prev = entry["hash"]
            return True
        self.broken_at = self.count
        self.reason = reason
        return False

    @property
    def ok(self) -> bool:
        """Whether every entry fed so far holds."""
        return self.broken_at is None

    def skip(self, count: int) -> None:
        """Count entries that are not checked (they follow a break)."""
        self.count += count

    def result(self) -> LedgerVerification:
        """The verdict over everything fed so far."""
        return LedgerVerification(
            self.broken_at is None, self.count, self.broken_at, self.reason
        )

    def _check(self, entry: Any, exact: bool) -> str | None:
        expected = self.count
        if not isinstance(entry, dict) or not entry.keys() >= _ENTRY_KEY_SET:
            return "malformed entry"
        seq = entry["seq"]
        if seq != expected or isinstance(seq, bool):
            return f"expected entry {expected}, found {seq!r}"
        if entry["prev"] != self.prev:
            return "does not link to the entry before it"
        try:
            digest = stored_digest(entry, exact)
        except (TypeError, ValueError):
            return "malformed entry"
        if entry["hash"] != digest:
            return "content does not match its hash"
        return None
