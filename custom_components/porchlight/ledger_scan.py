"""Reading the consent ledger back: verifying scans, full reads and pages.

All of it blocks and runs in the executor. A load (:class:`Scan`) re-hashes
only what follows a checkpoint that matches the files; a full read
(:func:`read_chain`, for exports and diagnostics) re-hashes everything, and
both hand back a checkpoint for the prefix they verified.
"""

from __future__ import annotations

import gc
import hashlib
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from .ledger_chain import (
    KIND_AGENCY_KEYS_ACCEPTED,
    KIND_AGENCY_KEYS_PINNED,
    KIND_REQUEST_RECEIVED,
    ChainVerifier,
    LedgerVerification,
    parse_line,
    tail_of,
)
from .ledger_io import Checkpoint, Segment, SegmentView, read_prefix, split_lines

_REQUEST_MARK: Final = KIND_REQUEST_RECEIVED.encode()
_PIN_MARK: Final = b"agency_keys_"
_PIN_KINDS: Final = (KIND_AGENCY_KEYS_PINNED, KIND_AGENCY_KEYS_ACCEPTED)


@dataclass(slots=True)
class ChainRead:
    """A full read: the kept entries, the verdict and a checkpoint for it."""

    entries: list[Any]
    verification: LedgerVerification
    checkpoint: Checkpoint | None


class CheckpointMismatch(Exception):
    """The checkpoint does not describe these files."""


def request_id_of(entry: Any) -> str | None:
    """The request whose arrival ``entry`` records, if it records one."""
    if isinstance(entry, dict) and entry.get("kind") == KIND_REQUEST_RECEIVED:
        data = entry.get("data")
        if isinstance(data, dict) and isinstance(data.get("request_id"), str):
            return str(data["request_id"])
    return None


def pin_of(entry: Any) -> tuple[str, dict[str, str]] | None:
    """The agency keys ``entry`` pins (first sight or accepted), if any."""
    if not isinstance(entry, dict) or entry.get("kind") not in _PIN_KINDS:
        return None
    data = entry.get("data")
    if not isinstance(data, dict):
        return None
    keys = {k: data.get(k) for k in ("agency_id", "signing_key", "recipient")}
    if not all(isinstance(v, str) for v in keys.values()):
        return None
    return str(keys["agency_id"]), {k: str(v) for k, v in keys.items()}


class Scan:
    """One pass over the segments at load, trusting a checkpoint if it fits."""

    def __init__(self, directory: Path, keep: int, cp: Checkpoint | None) -> None:
        self.directory = directory
        self.cp = cp
        self.verifier = ChainVerifier()
        self.position = 0
        self.recent: deque[tuple[int, bytes]] = deque(maxlen=keep)
        self.request_ids: set[str] = set()
        self.pins: dict[str, dict[str, str]] = {}
        self.hashed = 0
        self.segments: list[Segment] = []
        self.broken: Checkpoint | None = None  # the verified prefix of a break

    def run(self, names: Sequence[str]) -> None:
        """Go through the named segments, in order, reading each once."""
        covered = self.cp.segments if self.cp is not None else ()
        if [name for name, _, _ in covered] != list(names[: len(covered)]):
            raise CheckpointMismatch
        for i, name in enumerate(names):
            data = (self.directory / name).read_bytes()
            segment = Segment(name, self.position + 1, size=len(data))
            self.segments.append(segment)
            start = self._trusted(data, covered[i], segment) if i < len(covered) else 0
            segment.sha.update(memoryview(data)[start:])
            if start:
                self._index(data[:start], segment)
            if self.cp is not None and i == len(covered) - 1:
                self._join_checkpoint(self.cp)
            self._check(data, start, segment)

    @staticmethod
    def _trusted(data: bytes, covered: tuple[str, int, str], segment: Segment) -> int:
        """How much of ``data`` the checkpoint vouches for; raises if it lies."""
        _, size, digest = covered
        if len(data) < size or (size and data[size - 1] != 0x0A):
            raise CheckpointMismatch
        segment.sha.update(memoryview(data)[:size])
        if segment.sha.hexdigest() != digest:
            raise CheckpointMismatch
        return size

    def _join_checkpoint(self, cp: Checkpoint) -> None:
        """Continue the chain from the checkpoint, if the files agree with it."""
        last = parse_line(self.recent[-1][1])[0] if self.recent else None
        if self.position != cp.seq or tail_of(last, 0) != (cp.seq, cp.hash):
            raise CheckpointMismatch
        self.verifier = ChainVerifier(cp.seq, cp.hash)

    def _index(self, part: bytes, segment: Segment) -> None:
        """Count lines that need no check; note request ids and recent lines."""
        lines = part.count(b"\n")
        if part and not part.endswith(b"\n"):
            lines += 1
        start = part.find(_REQUEST_MARK)
        while start != -1:
            begin = part.rfind(b"\n", 0, start) + 1
            end = part.find(b"\n", start)
            end = len(part) if end == -1 else end
            request_id = request_id_of(parse_line(part[begin:end])[0])
            if request_id is not None:
                self.request_ids.add(request_id)
            start = part.find(_REQUEST_MARK, end)
        start = part.find(_PIN_MARK)
        while start != -1:
            begin = part.rfind(b"\n", 0, start) + 1
            end = part.find(b"\n", start)
            end = len(part) if end == -1 else end
            if (pin := pin_of(parse_line(part[begin:end])[0])) is not None:
                self.pins[pin[0]] = pin[1]
            start = part.find(_PIN_MARK, end)
        keep = self.recent.maxlen or 0
        # The last ``keep`` lines without splitting the whole part.
        pieces = part.rsplit(b"\n", keep + 1)
        if len(pieces) == keep + 2:
            pieces = pieces[1:]
        if pieces[-1] == b"":
            pieces.pop()
        tail = pieces[-keep:]
        first = self.position + lines - len(tail) + 1
        self.recent.extend(zip(range(first, first + len(tail)), tail, strict=True))
        self.position += lines
        segment.lines += lines

    def _check(self, data: bytes, start: int, segment: Segment) -> None:
        """Verify the lines after ``start``, until the chain breaks."""
        if start >= len(data):
            return
        if not self.verifier.ok:
            self.verifier.skip(self._index_count(data[start:], segment))
            return
        offset = start
        for line in split_lines(data[start:]):
            value, exact = parse_line(line)
            self.position += 1
            segment.lines += 1
            self.recent.append((self.position, line))
            request_id = request_id_of(value)
            if request_id is not None:
                self.request_ids.add(request_id)
            if (pin := pin_of(value)) is not None:
                self.pins[pin[0]] = pin[1]
            checking, prev = self.verifier.ok, self.verifier.prev
            held = self.verifier.feed(value, exact)
            if checking:
                self.hashed += 1
                if not held and self.position > 1:
                    self.broken = self._prefix_checkpoint(data, offset, prev)
            offset += len(line) + 1

    def _index_count(self, part: bytes, segment: Segment) -> int:
        before = self.position
        self._index(part, segment)
        return self.position - before

    def _prefix_checkpoint(self, data: bytes, offset: int, prev: str) -> Checkpoint:
        """A checkpoint for everything before the entry that broke the chain."""
        done = tuple((s.name, s.size, s.sha.hexdigest()) for s in self.segments[:-1])
        here = (
            self.segments[-1].name,
            offset,
            hashlib.sha256(data[:offset]).hexdigest(),
        )
        return Checkpoint(self.position - 1, prev, (*done, here))


@contextmanager
def collections_paused() -> Iterator[None]:
    """Let an export create its entries without the collector running.

    Exporting 100,000 entries creates a few hundred thousand containers that
    live on (they are the export). Collected as they are made, they cost the
    read about a sixth of its time in young collections, each holding the
    GIL, and their count of survivors brings on a full collection: a walk
    over every object of Home Assistant, stalling the event loop. With the
    collector off during the read, then a freeze and an unfreeze, what the
    read made moves straight to the oldest generation without that count,
    to be examined at the next full collection whenever it comes anyway.
    The collector's state is restored; another's freeze is left alone.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if not gc.get_freeze_count():
            gc.freeze()
            gc.unfreeze()
        if enabled:
            gc.enable()


def read_chain(
    views: Sequence[SegmentView], collect: bool, since: datetime | None = None
) -> ChainRead:
    """Read and verify a snapshot; with ``collect``, keep its entries from ``since``."""
    if collect:
        with collections_paused():
            return _read_chain(views, collect, since)
    return _read_chain(views, collect, since)


def _read_chain(
    views: Sequence[SegmentView], collect: bool, since: datetime | None
) -> ChainRead:
    verifier = ChainVerifier()
    entries: list[Any] = []
    done: list[tuple[str, int, str]] = []
    broken: Checkpoint | None = None
    for view in views:
        data = read_prefix(view.path, view.size)
        lines = split_lines(data)
        if not collect and not verifier.ok:
            verifier.skip(len(lines))
            lines = []
        offset = 0
        for line in lines:
            value, exact = parse_line(line)
            checking, prev = verifier.ok, verifier.prev
            if not verifier.feed(value, exact) and checking and verifier.count > 1:
                here = (view.path.name, offset, _sha(data[:offset]))
                broken = Checkpoint(verifier.count - 1, prev, (*done, here))
            if collect and (since is None or at_or_after(value, since)):
                entries.append(value)
            offset += len(line) + 1
        done.append((view.path.name, len(data), _sha(data)))
    result = verifier.result()
    if result.ok and result.count:
        broken = Checkpoint(result.count, verifier.prev, tuple(done))
    return ChainRead(entries, result, broken)


def at_or_after(entry: Any, threshold: datetime) -> bool:
    """Whether an entry is from ``threshold`` on; unreadable times are kept."""
    try:
        when = datetime.fromisoformat(entry["ts"])
    except (TypeError, KeyError, ValueError):
        return True
    if when.tzinfo is None:
        return True
    return when >= threshold


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_lines(views: Sequence[SegmentView], first: int, last: int) -> list[Any]:
    """The entries at positions ``first``…``last`` (1-based, inclusive)."""
    out: list[Any] = []
    for view in views:
        end = view.first + view.lines - 1
        if end < first or view.first > last:
            continue
        lines = split_lines(read_prefix(view.path, view.size))
        low = max(first, view.first) - view.first
        high = min(last, end) - view.first
        out.extend(parse_line(line)[0] for line in lines[low : high + 1])
    return out
