"""Files of the consent ledger: segment and checkpoint primitives.

Small blocking helpers shared by the writer (:mod:`.ledger_store`), the
readers (:mod:`.ledger_scan`) and the migration (:mod:`.ledger_migrate`).
Every write that must survive a crash is followed by ``fsync`` of the file
and, for a new or renamed name, of its directory.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, NamedTuple

import orjson

from .const import LOGGER

SEGMENT_MAX_BYTES = 4 * 1024 * 1024
CHECKPOINT: Final = "checkpoint.json"
LEGACY_EXTRA: Final = "legacy.json"
SEGMENT_FILE: Final = re.compile(r"^(\d+)\.jsonl$")
FDATASYNC: Final = getattr(os, "fdatasync", os.fsync)


class SegmentView(NamedTuple):
    """A segment as far as it was written when a reader took the snapshot."""

    path: Path
    size: int
    first: int
    lines: int


@dataclass(slots=True)
class Segment:
    """One segment file and what the ledger knows of it."""

    name: str
    first: int
    lines: int = 0
    size: int = 0
    sha: Any = field(default_factory=hashlib.sha256)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A verified prefix: per segment (name, size, sha256), and its last entry."""

    seq: int
    hash: str
    segments: tuple[tuple[str, int, str], ...]


def segment_name(index: int) -> str:
    """The file name of the ``index``-th segment."""
    return f"{index:06d}.jsonl"


def split_lines(data: bytes) -> list[bytes]:
    """A segment's lines; a last line without its newline is still a line."""
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    return lines


def migrating_dir(directory: Path) -> Path:
    """Where a migration builds the ledger before renaming it into place."""
    return directory.with_name(f"{directory.name}.migrating")


def fsync_dir(path: Path) -> None:
    """Make a directory's entries (new, renamed files) durable."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte (a regular file may take a write in parts)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def write_private_file(path: Path, data: bytes) -> None:
    """Write a small file atomically (temporary file, fsync, rename)."""
    tmp = path.with_name(f".{path.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    try:
        write_all(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    tmp.replace(path)
    fsync_dir(path.parent)


def create_segment(path: Path) -> int:
    """Open a new, empty segment for appending, its name made durable."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o600)
    try:
        # An empty file of that name is left by a roll that failed half-way.
        if os.fstat(fd).st_size:
            raise FileExistsError(errno.EEXIST, "segment exists", str(path))
        fsync_dir(path.parent)
    except OSError:
        os.close(fd)
        raise
    return fd


def write_segments(directory: Path, lines: Iterable[bytes]) -> None:
    """Write ``lines`` as the segments of a new ledger in ``directory``."""
    index, fd, size = 0, -1, SEGMENT_MAX_BYTES
    try:
        for line in lines:
            if size >= SEGMENT_MAX_BYTES:
                if fd != -1:
                    os.fsync(fd)
                    os.close(fd)
                    fd = -1
                index, size = index + 1, 0
                fd = create_segment(directory / segment_name(index))
            write_all(fd, line)
            size += len(line)
        if fd != -1:
            os.fsync(fd)
    finally:
        if fd != -1:
            os.close(fd)


def read_checkpoint(path: Path) -> Checkpoint | None:
    """The checkpoint file's content, or None when absent or not one."""
    try:
        raw = orjson.loads(path.read_bytes())
        segments = tuple(
            (str(s["name"]), int(s["size"]), str(s["sha256"])) for s in raw["segments"]
        )
        checkpoint = Checkpoint(int(raw["seq"]), str(raw["hash"]), segments)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError, KeyError) as err:
        LOGGER.warning("Ignoring the unreadable ledger checkpoint %s: %s", path, err)
        return None
    if checkpoint.seq < 1 or not segments or any(s[1] < 0 for s in segments):
        return None
    return checkpoint


def checkpoint_bytes(checkpoint: Checkpoint) -> bytes:
    """The checkpoint file's content."""
    return orjson.dumps(
        {
            "version": 1,
            "seq": checkpoint.seq,
            "hash": checkpoint.hash,
            "segments": [
                {"name": n, "size": s, "sha256": h} for n, s, h in checkpoint.segments
            ],
        }
    )


def read_prefix(path: Path, size: int) -> bytes:
    """The first ``size`` bytes of a file (fewer if it is shorter now)."""
    with path.open("rb") as file:
        return file.read(size)
