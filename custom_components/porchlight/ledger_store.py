"""The consent ledger on disk: append-only JSON-lines segments and a checkpoint.

Layout, under ``<config>/.storage/porchlight_ledger/<entry_id>/``:

- ``000001.jsonl``, ``000002.jsonl``, …: segments. Each line is one entry as
  exported, in canonical JSON, so ``cat *.jsonl`` *is* the ledger and anyone
  can check it with the hash rule of :mod:`.ledger_chain`. The chain runs on
  across segments (a segment's first entry links to the last of the one
  before); a segment is closed at ``SEGMENT_MAX_BYTES`` and never written again.
- ``checkpoint.json``: the size and SHA-256 of each segment's verified prefix,
  and the number and hash of the last verified entry. A load re-hashes only
  entries after it; one that does not match the files is ignored and every
  entry is verified again. It is an optimisation, not a trust anchor: whoever
  can rewrite the segments can rewrite it too (as they could the whole chain).

Why files and not the ``Store`` it replaces, or SQLite (issue 12): an append
is one ``write`` of one line, and for a durable entry one ``fdatasync``, so
its cost does not grow with the ledger. Unlike SQLite in WAL mode, an
append-only file copied at any moment (a Home Assistant backup taken while it
runs) is always a valid ledger, at worst with a half-written last line, and
it needs no tool but a text editor to read.

Crash and disk-full rules, which keep the ledger verifiable:

- A write that fails (``ENOSPC``, ``EIO``) is cut off again at once; the
  caller gets the error and nothing was recorded.
- A process killed mid-write can leave a last line without its newline. It
  was never acknowledged (a durable append returns only after ``fdatasync``
  of the whole line), so at the next load it is cut off, kept byte for byte
  in ``torn-<segment>-<offset>.bin`` and the ledger records that it did so.
  Complete lines are never dropped, whatever they hold.

Everything here blocks and runs in an executor; the caller serialises calls.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ledger_io
from .const import LOGGER
from .ledger_chain import GENESIS_HASH, LedgerVerification, parse_line, tail_of
from .ledger_io import (
    CHECKPOINT,
    FDATASYNC,
    LEGACY_EXTRA,
    SEGMENT_FILE,
    Checkpoint,
    Segment,
    SegmentView,
    checkpoint_bytes,
    create_segment,
    fsync_dir,
    migrating_dir,
    read_checkpoint,
    segment_name,
    write_all,
    write_private_file,
)
from .ledger_scan import CheckpointMismatch, Scan


@dataclass(slots=True)
class Loaded:
    """What a load found, for the ledger to keep in memory."""

    verification: LedgerVerification
    tail: tuple[int, str]
    recent: list[tuple[int, Any]]
    request_ids: set[str]
    unreadable: bool
    torn: dict[str, Any] | None
    hashed: int
    # Agency keys pinned in the ledger, by agency id (the latest entry wins).
    pins: dict[str, dict[str, str]] = field(default_factory=dict)


class LedgerFiles:
    """One ledger's directory; every method blocks and must run in an executor."""

    def __init__(self, directory: Path, legacy: Path) -> None:
        self.directory = directory
        self.legacy = legacy
        self.segments: list[Segment] = []
        self.checkpoint: Checkpoint | None = None
        self._fd: int | None = None
        self._must_cut = False

    @property
    def needs_roll(self) -> bool:
        """Whether the next append opens a new segment."""
        return (
            bool(self.segments)
            and self.segments[-1].size >= ledger_io.SEGMENT_MAX_BYTES
        )

    def snapshot(self) -> tuple[SegmentView, ...]:
        """The segments as written so far; safe to read while appends go on."""
        return tuple(
            SegmentView(self.directory / s.name, s.size, s.first, s.lines)
            for s in self.segments
        )

    def load(self, keep: int) -> Loaded:
        """Read the ledger, cut a torn tail and verify what the checkpoint does not."""
        unreadable = _unreadable_legacy(self.directory / LEGACY_EXTRA)
        names = self._names()
        torn = self._cut_torn_tail(names[-1]) if names else None
        checkpoint = read_checkpoint(self.directory / CHECKPOINT) if names else None
        try:
            scan = Scan(self.directory, keep, checkpoint)
            scan.run(names)
        except CheckpointMismatch:
            LOGGER.warning(
                "The consent ledger checkpoint in %s does not match; verifying all",
                self.directory,
            )
            checkpoint = None
            scan = Scan(self.directory, keep, None)
            scan.run(names)
        self.segments = scan.segments
        self.checkpoint = checkpoint
        result = scan.verifier.result()
        if result.ok and scan.position and scan.hashed:
            self.offer_checkpoint(self.full_checkpoint(scan.verifier.prev))
        elif scan.broken is not None:
            self.offer_checkpoint(scan.broken, shrink=True)
        recent = [(pos, parse_line(line)[0]) for pos, line in scan.recent]
        tail = tail_of(recent[-1][1], scan.position) if recent else (0, GENESIS_HASH)
        return Loaded(
            result,
            tail,
            recent,
            scan.request_ids,
            unreadable,
            torn,
            scan.hashed,
            scan.pins,
        )

    def append(self, line: bytes, durable: bool, head: str | None) -> None:
        """Write one line; on failure cut it off again and raise.

        ``head`` is the hash of the last entry so far if the whole chain
        verifies (None otherwise); when this append opens a new segment, the
        segments closed by then are checkpointed with it.

        Raises:
            OSError: The line is not stored (disk full, I/O error…).
        """
        fd = self._writable(head)
        segment = self.segments[-1]
        if self._must_cut:
            os.ftruncate(fd, segment.size)
            self._must_cut = False
        try:
            write_all(fd, line)
            if durable:
                FDATASYNC(fd)
        except OSError:
            # Cut back to where this line began, so no partial line stays to
            # be merged with the next one; if even that fails, the next
            # append tries again first.
            try:
                os.ftruncate(fd, segment.size)
            except OSError:
                self._must_cut = True
            raise
        segment.size += len(line)
        segment.lines += 1
        segment.sha.update(line)

    def flush(self, head: str | None) -> None:
        """Make every written line durable; checkpoint them if ``head`` is good."""
        if self._fd is not None:
            FDATASYNC(self._fd)
        if head is not None and self.segments:
            self.offer_checkpoint(self.full_checkpoint(head))

    def full_checkpoint(self, head: str) -> Checkpoint:
        """A checkpoint covering every segment as written now."""
        lines = sum(s.lines for s in self.segments)
        return Checkpoint(
            lines,
            head,
            tuple((s.name, s.size, s.sha.hexdigest()) for s in self.segments),
        )

    def offer_checkpoint(
        self, checkpoint: Checkpoint | None, *, shrink: bool = False
    ) -> None:
        """Record ``checkpoint`` if it covers more; failures only cost speed.

        ``shrink`` (a break was found) records it even when it covers less,
        so a checkpoint never vouches for entries that no longer verify.
        """
        if checkpoint is None or checkpoint == self.checkpoint:
            return
        current = self.checkpoint.seq if self.checkpoint is not None else 0
        if checkpoint.seq <= current and not shrink:
            return
        try:
            write_private_file(
                self.directory / CHECKPOINT, checkpoint_bytes(checkpoint)
            )
        except OSError as err:
            LOGGER.warning("Could not write the consent ledger checkpoint: %s", err)
            return
        self.checkpoint = checkpoint

    def close(self) -> None:
        """Close the open segment."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        """Delete the ledger, its migration leftovers and any old-format file."""
        self.close()
        for path in (self.directory, migrating_dir(self.directory)):
            shutil.rmtree(path, ignore_errors=True)
        self.legacy.unlink(missing_ok=True)
        self.segments = []
        self.checkpoint = None

    def _names(self) -> list[str]:
        try:
            found = [
                (int(m.group(1)), p.name)
                for p in self.directory.iterdir()
                if (m := SEGMENT_FILE.match(p.name)) and p.is_file()
            ]
        except FileNotFoundError:
            return []
        return [name for _, name in sorted(found)]

    def _writable(self, head: str | None) -> int:
        if not self.segments:
            self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            fsync_dir(self.directory.parent)
            fsync_dir(self.directory.parent.parent)
            self._fd = create_segment(self.directory / segment_name(1))
            self.segments.append(Segment(segment_name(1), 1))
        elif self.needs_roll:
            self._roll(head)
        if self._fd is None:
            flags = os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC
            self._fd = os.open(self.directory / self.segments[-1].name, flags)
        return self._fd

    def _roll(self, head: str | None) -> None:
        """Close the full segment for good and open the next one."""
        last = self.segments[-1]
        if self._fd is not None:
            os.fsync(self._fd)
        self.close()
        match = SEGMENT_FILE.match(last.name)
        index = int(match.group(1)) + 1 if match else len(self.segments) + 1
        name = segment_name(index)
        self._fd = create_segment(self.directory / name)
        self.segments.append(Segment(name, last.first + last.lines))
        if head is not None:
            self.offer_checkpoint(self.full_checkpoint(head))

    def _cut_torn_tail(self, name: str) -> dict[str, Any] | None:
        """Cut a last line left without its newline; keep its bytes aside."""
        path = self.directory / name
        data = path.read_bytes()
        if not data or data.endswith(b"\n"):
            return None
        cut = data.rfind(b"\n") + 1
        torn = data[cut:]
        kept = f"torn-{path.stem}-{cut}.bin"
        write_private_file(self.directory / kept, torn)
        fd = os.open(path, os.O_WRONLY | os.O_CLOEXEC)
        try:
            os.ftruncate(fd, cut)
            os.fsync(fd)
        finally:
            os.close(fd)
        LOGGER.warning(
            "Dropped a half-written last line (%s bytes) from the consent ledger"
            " segment %s; its bytes are kept in %s",
            len(torn),
            path,
            kept,
        )
        return {
            "segment": name,
            "offset": cut,
            "bytes": len(torn),
            "sha256": hashlib.sha256(torn).hexdigest(),
            "kept_in": kept,
        }


def _unreadable_legacy(path: Path) -> bool:
    """Whether a migrated old ledger held entries that were not a list."""
    try:
        extra = json.loads(path.read_bytes())
    except FileNotFoundError:
        return False
    except ValueError:
        return True
    return not isinstance(extra, dict) or "unreadable_entries" in extra
