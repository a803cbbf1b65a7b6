"""The consent ledger: a local, append-only, hash-chained record of consent.

Every request, decision, upload, access and deletion is appended here so the
household can later prove what it agreed to and what happened to its footage
(DESIGN §1.4). Each entry carries the SHA-256 of its own canonical JSON and the
hash of the entry before it (:mod:`.ledger_chain`), so editing, removing or
reordering an entry breaks the chain at that point and verification says
where.

A hash chain kept next to the data cannot stop someone with write access from
rewriting *all* of it; it makes accidental corruption and casual edits
evident, which is what a household ledger needs. History is never rewritten:
a broken chain is reported (a repair issue) and kept as evidence, and new
entries keep chaining from the last stored one.

The ledger lives in append-only segment files (:mod:`.ledger_store` says why
not one ``Store`` or SQLite), so an append costs one short write, and one
``fdatasync`` when durable, however long the ledger is. Files are read and
entries re-hashed only in the executor: at load for what the checkpoint does
not cover, and in full at every export and verification. Memory holds the
newest ``RECENT_ENTRIES`` entries, the ids of recorded requests and a few
numbers per segment, not the whole ledger.

The ledger never holds footage, tokens or other secrets: entry data must be
plain JSON (bytes are refused) and keys that name secrets are refused.
"""

from __future__ import annotations

import asyncio
import copy
from collections import deque
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .ledger_chain import (
    GENESIS_HASH,
    KIND_TAIL_DROPPED,
    LedgerDataError,
    LedgerEntry,
    LedgerVerification,
    entry_hash,
    entry_line,
    parse_line,
    plain_json,
)
from .ledger_issue import (
    issue_id,
    ledger_dir,
    legacy_path,
    storage_error,
    update_issue,
)
from .ledger_migrate import migrate
from .ledger_scan import pin_of, read_chain, read_lines, request_id_of
from .ledger_store import LedgerFiles, Loaded

RECENT_ENTRIES: Final = 500
PAGE_MAX: Final = 500

Listener = Callable[[LedgerEntry], None]


class ConsentLedger:
    """The consent ledger of one config entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self._files = LedgerFiles(
            ledger_dir(hass, entry_id), legacy_path(hass, entry_id)
        )
        self._lock = asyncio.Lock()
        self._loaded = False
        self._count = 0
        self._tail: tuple[int, str] = (0, GENESIS_HASH)
        self._recent: deque[tuple[int, Any]] = deque(maxlen=RECENT_ENTRIES)
        self._request_ids: set[str] = set()
        self._pins: dict[str, dict[str, str]] = {}
        # The first break known (from the last full check), None while it holds.
        self._broken: LedgerVerification | None = None
        self._unreadable = False
        self._listeners: list[Listener] = []

    @property
    def count(self) -> int:
        """How many entries the ledger holds."""
        return self._count

    @property
    def head(self) -> str:
        """The hash the next entry will link to."""
        return self._tail[1]

    @property
    def verification(self) -> LedgerVerification:
        """What the last full check found, carried over the appends since.

        An append links to the head, so it cannot break a chain that held:
        a panel can show this on every change without re-hashing anything.
        """
        return self._broken or LedgerVerification(True, self._count)

    async def async_load(self) -> LedgerVerification:
        """Load the ledger and check its chain; a broken one raises a repair issue.

        An old-format ledger is migrated first. The stored data is kept as
        found, even when it does not verify: it is the household's evidence.
        Only a half-written last line is cut off, kept aside and recorded.

        Raises:
            LedgerStorageError: The ledger's files cannot be read or migrated.
        """
        async with self._lock:
            try:
                loaded = await self.hass.async_add_executor_job(self._load_files)
            except OSError as err:
                LOGGER.error(
                    "Cannot read the consent ledger of %s: %s", self.entry_id, err
                )
                raise storage_error(err, "ledger_read_failed") from err
            self._adopt(loaded)
        if loaded.torn is not None:
            await self.async_append(KIND_TAIL_DROPPED, loaded.torn, durable=True)
        result = self._verdict(loaded.verification, self._count)
        if not result.ok:
            LOGGER.error(
                "The consent ledger of %s does not verify at entry %s: %s",
                self.entry_id,
                result.broken_at,
                result.reason,
            )
        update_issue(self.hass, self.entry_id, result)
        return result

    async def async_verify(self) -> LedgerVerification:
        """Recompute every hash, prev link and sequence number, in the executor."""
        return (await self._async_read(collect=False))[0]

    def recorded_request_ids(self) -> set[str]:
        """Ids of the requests whose arrival is already in the ledger."""
        return set(self._request_ids)

    def agency_pins(self) -> dict[str, dict[str, str]]:
        """Each agency's pinned keys (``signing_key``, ``recipient``) by agency id."""
        return {agency: dict(keys) for agency, keys in self._pins.items()}

    async def async_append(
        self, kind: str, data: Mapping[str, Any], *, durable: bool = False
    ) -> LedgerEntry:
        """Append an entry that links to the current head.

        Every entry is written before this returns, so it survives Home
        Assistant being killed; ``durable`` also waits until it is on the disk
        itself (``fdatasync``), so it survives a power cut: use it for
        decisions and opt-outs, where losing the entry would lose consent
        history.

        Raises:
            LedgerDataError: ``data`` is not plain JSON, holds bytes or a secret.
            LedgerStorageError: It could not be written (disk full…); nothing
                was recorded.
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
            last_seq, prev = self._tail
            seq = last_seq + 1
            ts = dt_util.utcnow().isoformat()
            entry = LedgerEntry(
                seq, ts, kind, clean, prev, entry_hash(seq, ts, kind, clean, prev)
            )
            line = entry_line(entry.as_dict())
            try:
                await self.hass.async_add_executor_job(
                    self._files.append, line, durable, self._good_head()
                )
            except OSError as err:
                LOGGER.error(
                    "Could not record a %s entry in the consent ledger of %s: %s",
                    kind,
                    self.entry_id,
                    err,
                )
                raise storage_error(err, "ledger_write_failed") from err
            self._count += 1
            self._tail = (seq, entry.hash)
            # A copy read back from the line: callers keep ``entry`` and may
            # change its data, which must not change what the ledger shows.
            self._recent.append((self._count, parse_line(line[:-1])[0]))
            if (request_id := request_id_of(entry.as_dict())) is not None:
                self._request_ids.add(request_id)
            if (pin := pin_of(entry.as_dict())) is not None:
                self._pins[pin[0]] = pin[1]
        for listener in list(self._listeners):
            try:
                listener(entry)
            except Exception:
                LOGGER.exception("Error in a consent ledger listener")
        return entry

    async def async_flush(self) -> None:
        """Make every entry durable and checkpoint them, so a restart re-hashes none.

        Call it when the config entry unloads.
        """
        async with self._lock:
            if not self._loaded or not self._count:
                return
            try:
                await self.hass.async_add_executor_job(
                    self._files.flush, self._good_head()
                )
            except OSError as err:
                raise storage_error(err, "ledger_write_failed") from err

    async def async_export(self, since: datetime | None = None) -> dict[str, Any]:
        """The entries (from ``since`` on) with the chain's verification.

        Exporting re-checks the whole chain (in the executor), so the repair
        issue follows the result: raised when it breaks, withdrawn when it
        verifies again (for example after a backup was restored).
        """
        threshold = dt_util.as_utc(since) if since is not None else None
        result, entries, head = await self._async_read(True, threshold)
        return {
            "entries": entries,
            "count": len(entries),
            "verified": result.ok,
            "broken_at": result.broken_at,
            "head": head,
        }

    @callback
    def async_add_listener(self, listener: Listener) -> CALLBACK_TYPE:
        """Call ``listener`` with each entry once written; returns the unsubscribe."""
        self._listeners.append(listener)

        @callback
        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    @callback
    def recent_entries(self, limit: int = RECENT_ENTRIES) -> list[Any]:
        """The newest entries (at most ``RECENT_ENTRIES``), newest first, as copies.

        Taken together with :meth:`async_add_listener` in one callback, no
        entry falls between the snapshot and the first notification.
        """
        if limit <= 0:
            return []
        picked = list(self._recent)[-limit:]
        return copy.deepcopy([entry for _, entry in reversed(picked)])

    async def async_entries_page(
        self, limit: int = 50, before_seq: int | None = None
    ) -> list[Any]:
        """Up to ``limit`` entries before ``before_seq``, newest first, as copies.

        Entries are addressed by position, which is their ``seq`` on an intact
        chain. Recent pages come from memory; older ones are read from their
        segment in the executor, never the whole ledger.
        """
        limit = max(1, min(limit, PAGE_MAX))
        last = self._count if before_seq is None else min(before_seq - 1, self._count)
        if last < 1:
            return []
        first = max(1, last - limit + 1)
        if self._recent and self._recent[0][0] <= first:
            base = self._recent[0][0]
            picked = [self._recent[pos - base][1] for pos in range(last, first - 1, -1)]
            return copy.deepcopy(picked)
        async with self._lock:
            views = self._files.snapshot()
        try:
            entries = await self.hass.async_add_executor_job(
                read_lines, views, first, last
            )
        except OSError as err:
            raise storage_error(err, "ledger_read_failed") from err
        entries.reverse()
        return entries

    async def async_remove(self) -> None:
        """Delete the ledger with its config entry."""
        async with self._lock:
            await self.hass.async_add_executor_job(self._files.remove)
            self._count = 0
            self._tail = (0, GENESIS_HASH)
            self._recent.clear()
            self._request_ids.clear()
            self._pins.clear()
            self._broken = None
            self._unreadable = False
        ir.async_delete_issue(self.hass, DOMAIN, issue_id(self.entry_id))

    def _load_files(self) -> Loaded:
        """Migrate an old-format ledger if there is one, then load (executor)."""
        moved = migrate(self._files.legacy, self._files.directory)
        if moved is not None:
            LOGGER.info(
                "Moved the consent ledger of %s (%s entries) to %s",
                self.entry_id,
                moved,
                self._files.directory,
            )
        return self._files.load(RECENT_ENTRIES)

    def _adopt(self, loaded: Loaded) -> None:
        self._count = loaded.verification.count
        self._tail = loaded.tail
        self._recent.clear()
        self._recent.extend(loaded.recent)
        self._request_ids = loaded.request_ids
        self._pins = loaded.pins
        self._unreadable = loaded.unreadable
        self._broken = None if loaded.verification.ok else loaded.verification
        self._loaded = True

    def _good_head(self) -> str | None:
        """The head, if the whole chain is known to verify (for checkpoints)."""
        return self.head if self._broken is None and self._count else None

    def _verdict(self, chain: LedgerVerification, count: int) -> LedgerVerification:
        """The chain's verdict over ``count`` entries, and an unreadable old file's."""
        if not chain.ok:
            return LedgerVerification(False, count, chain.broken_at, chain.reason)
        if self._unreadable:
            return LedgerVerification(
                False, count, 1, "the stored entries are unreadable"
            )
        return LedgerVerification(True, count)

    async def _async_read(
        self, collect: bool, since: datetime | None = None
    ) -> tuple[LedgerVerification, list[Any], str]:
        """Read and verify every entry in the executor; the issue follows."""
        async with self._lock:
            views = self._files.snapshot()
            head = self.head
            count = self._count
        try:
            read = await self.hass.async_add_executor_job(
                read_chain, views, collect, since
            )
        except OSError as err:
            raise storage_error(err, "ledger_read_failed") from err
        chain = read.verification
        async with self._lock:
            if not chain.ok:
                self._broken = chain
            elif chain.count == count == self._count:
                self._broken = None
            await self.hass.async_add_executor_job(
                partial(
                    self._files.offer_checkpoint, read.checkpoint, shrink=not chain.ok
                )
            )
        result = self._verdict(chain, chain.count)
        update_issue(self.hass, self.entry_id, result)
        return result, read.entries, head
