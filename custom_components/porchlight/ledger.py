"""The consent ledger: a local, append-only, hash-chained record of consent.

Every request, decision, upload, access and deletion is appended here so the
household can later prove what it agreed to and what happened to its footage
(DESIGN §1.4). Each entry carries the SHA-256 of its own canonical JSON and the
hash of the entry before it, so editing or removing an entry in the storage
file breaks the chain at that point and :meth:`ConsentLedger.verify` says where.

A hash chain kept next to the data cannot stop someone with write access from
rewriting *all* of it; it makes accidental corruption and casual edits
evident, which is what a household ledger needs. History is never rewritten:
a broken chain is reported (a repair issue) and kept as evidence, and new
entries keep chaining from the last stored one.

The ledger never holds footage, tokens or other secrets: entry data must be
plain JSON (bytes are refused) and keys that name secrets are refused.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import json.encoder as json_encoder
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.json import json_bytes
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util
from homeassistant.util.json import json_loads

from .compat import STORE_KWARGS
from .const import DOMAIN, LOGGER

STORAGE_VERSION: Final = 1
STORAGE_MINOR_VERSION: Final = 1
SAVE_DELAY: Final = 1.0
GENESIS_HASH: Final = "0" * 64

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

_ENTRY_KEYS: Final = ("seq", "ts", "kind", "data", "prev", "hash")


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not plain JSON")


def make_canonical_encoder() -> Callable[[Any], str]:
    """The canonical JSON encoder, as fast as this Python allows.

    ``json.dumps`` rebuilds its C encoder on every call, which is most of the
    cost of verifying a long ledger. Building it once is about a third faster;
    it relies on an internal of the ``json`` module, so it is only used when it
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


class LedgerDataError(TypeError):
    """Entry data that the ledger refuses: not plain JSON, bytes or a secret."""


def issue_id(entry_id: str) -> str:
    """The repair issue raised when this entry's ledger does not verify."""
    return f"ledger_broken_{entry_id}"


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
    change an entry whose hash is already fixed, and the ledger would look
    tampered with after the next save.
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


def verify_entries(entries: list[Any]) -> LedgerVerification:
    """Recompute every hash and check the links and the numbering."""
    prev = GENESIS_HASH
    count = len(entries)
    for index, entry in enumerate(entries):
        expected = index + 1
        if not isinstance(entry, dict) or any(k not in entry for k in _ENTRY_KEYS):
            return LedgerVerification(False, count, expected, "malformed entry")
        seq = entry["seq"]
        if seq != expected or isinstance(seq, bool):
            return LedgerVerification(
                False, count, expected, f"expected entry {expected}, found {seq!r}"
            )
        if entry["prev"] != prev:
            return LedgerVerification(
                False, count, expected, "does not link to the entry before it"
            )
        try:
            digest = entry_hash(
                seq, entry["ts"], entry["kind"], entry["data"], entry["prev"]
            )
        except (TypeError, ValueError):
            return LedgerVerification(False, count, expected, "malformed entry")
        if entry["hash"] != digest:
            return LedgerVerification(
                False, count, expected, "content does not match its hash"
            )
        prev = digest
    return LedgerVerification(True, count)


class ConsentLedger:
    """The consent ledger of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self._store: Store[dict[str, Any]] = Store(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.ledger.{entry_id}",
            private=True,
            atomic_writes=True,
            minor_version=STORAGE_MINOR_VERSION,
            **STORE_KWARGS,
        )
        self._entries: list[Any] = []
        # Top-level keys a newer version wrote; kept so a downgrade loses nothing.
        self._extra: dict[str, Any] = {}
        self._lock = asyncio.Lock()
        self._loaded = False
        self._unsaved = False

    @property
    def count(self) -> int:
        """How many entries the ledger holds."""
        return len(self._entries)

    @property
    def head(self) -> str:
        """The hash the next entry will link to."""
        return self._tail()[1]

    async def async_load(self) -> LedgerVerification:
        """Load the ledger and check its chain; a broken one raises a repair issue.

        The stored data is kept exactly as found, even when it does not verify:
        it is the household's evidence, and rewriting it would hide the damage.
        """
        # Typed loosely on purpose: the file may hold anything.
        stored: Any = await self._store.async_load()
        entries: list[Any] = []
        extra: dict[str, Any] = {}
        if isinstance(stored, dict):
            extra = {k: v for k, v in stored.items() if k != "entries"}
            raw = stored.get("entries", [])
            if isinstance(raw, list):
                entries = raw
            else:
                extra["unreadable_entries"] = raw
        elif stored is not None:
            extra["unreadable_entries"] = stored
        # Hashing a long ledger takes a while; do it off the event loop. The
        # entries are not shared yet, so nothing can change them meanwhile.
        result = await self.hass.async_add_executor_job(_verify_stored, entries, extra)
        self._entries = entries
        self._extra = extra
        self._loaded = True
        if not result.ok:
            LOGGER.error(
                "The consent ledger of %s does not verify at entry %s: %s",
                self.entry_id,
                result.broken_at,
                result.reason,
            )
        self._update_issue(result)
        return result

    def verify(self) -> LedgerVerification:
        """Recompute every hash and check prev links and sequence numbers."""
        return _verify_stored(self._entries, self._extra)

    def recorded_request_ids(self) -> set[str]:
        """Ids of the requests whose arrival is already in the ledger."""
        return {
            entry["data"]["request_id"]
            for entry in self._entries
            if isinstance(entry, dict)
            and entry.get("kind") == KIND_REQUEST_RECEIVED
            and isinstance(entry.get("data"), dict)
            and isinstance(entry["data"].get("request_id"), str)
        }

    async def async_append(
        self, kind: str, data: Mapping[str, Any], *, durable: bool = False
    ) -> LedgerEntry:
        """Append an entry that links to the current head.

        ``durable`` waits until the entry is on disk; use it for decisions and
        opt-outs, where losing the entry to a crash would lose consent history.
        Other entries are written within a second, and at Home Assistant's
        final write on shutdown.

        Raises:
            LedgerDataError: ``data`` is not plain JSON, holds bytes or a secret.
            RuntimeError: The ledger was not loaded.
        """
        if not self._loaded:
            raise RuntimeError("The consent ledger must be loaded before appending")
        if not kind:
            raise LedgerDataError("An entry needs a kind")
        clean = plain_json(data, "data")
        if not isinstance(clean, dict):
            raise LedgerDataError("data: expected a mapping")
        async with self._lock:
            last_seq, prev = self._tail()
            seq = last_seq + 1
            ts = dt_util.utcnow().isoformat()
            entry = LedgerEntry(
                seq, ts, kind, clean, prev, entry_hash(seq, ts, kind, clean, prev)
            )
            self._entries.append(entry.as_dict())
            if durable:
                self._unsaved = False
                await self._store.async_save(self._data_to_save())
            else:
                self._unsaved = True
                self._store.async_delay_save(self._data_to_save, SAVE_DELAY)
        return entry

    async def async_flush(self) -> None:
        """Write entries still waiting for their delayed save, now.

        Call it when the config entry unloads: a delayed write from this
        instance landing after a reload's new instance has written would
        overwrite the newer entries.
        """
        async with self._lock:
            if self._unsaved:
                self._unsaved = False
                await self._store.async_save(self._data_to_save())

    def export(self, since: datetime | None = None) -> dict[str, Any]:
        """The entries (from ``since`` on) with the chain's verification.

        Exporting re-checks the chain, so the repair issue follows the result:
        raised when it breaks, withdrawn when it verifies again (for example
        after a backup was restored).
        """
        result = self.verify()
        self._update_issue(result)
        if since is None:
            selected = self._entries
        else:
            threshold = dt_util.as_utc(since)
            selected = [e for e in self._entries if _at_or_after(e, threshold)]
        return {
            # A detached copy: callers (service responses) must not be able to
            # change entries whose hashes are fixed.
            "entries": json_loads(json_bytes(selected)),
            "count": len(selected),
            "verified": result.ok,
            "broken_at": result.broken_at,
            "head": self.head,
        }

    async def async_remove(self) -> None:
        """Delete the ledger with its config entry."""
        async with self._lock:
            await self._store.async_remove()
            self._unsaved = False
            self._entries = []
            self._extra = {}
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(self.entry_id))

    def _tail(self) -> tuple[int, str]:
        """The last stored sequence number and hash, even on a broken chain."""
        if not self._entries:
            return 0, GENESIS_HASH
        last = self._entries[-1]
        seq = last.get("seq") if isinstance(last, dict) else None
        digest = last.get("hash") if isinstance(last, dict) else None
        if not isinstance(seq, int) or isinstance(seq, bool):
            seq = len(self._entries)
        if not isinstance(digest, str):
            digest = hashlib.sha256(
                json.dumps(last, sort_keys=True, default=str).encode()
            ).hexdigest()
        return seq, digest

    def _data_to_save(self) -> dict[str, Any]:
        # A new list: the Store may serialise it in an executor thread while
        # the event loop appends.
        return {**self._extra, "entries": list(self._entries)}

    def _update_issue(self, result: LedgerVerification) -> None:
        if result.ok:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id(self.entry_id))
            return
        entry = self.hass.config_entries.async_get_entry(self.entry_id)
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            issue_id(self.entry_id),
            is_fixable=False,
            is_persistent=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key="ledger_broken",
            translation_placeholders={
                "entry_title": entry.title if entry is not None else self.entry_id,
                "seq": str(result.broken_at),
                "reason": result.reason or "",
            },
        )


def _verify_stored(entries: list[Any], extra: dict[str, Any]) -> LedgerVerification:
    result = verify_entries(entries)
    if result.ok and "unreadable_entries" in extra:
        return LedgerVerification(
            False, result.count, 1, "the stored entries are unreadable"
        )
    return result


def _at_or_after(entry: Any, threshold: datetime) -> bool:
    """Whether an entry is from ``threshold`` on; unreadable times are kept."""
    try:
        when = datetime.fromisoformat(entry["ts"])
    except (TypeError, KeyError, ValueError):
        return True
    if when.tzinfo is None:
        return True
    return when >= threshold
