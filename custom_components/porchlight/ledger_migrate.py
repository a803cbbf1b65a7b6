"""Moving a ledger from its old single ``Store`` file to segments, once.

Before issue 12 the ledger was one Home Assistant ``Store`` file,
``.storage/porchlight.ledger.<entry_id>``: ``{"version": 1, "minor_version":
1, "key": …, "data": {"entries": [...], …}}``, rewritten whole at every
append. Its entries become, value for value and in order, the first lines of
the new segments: nothing is re-numbered or re-hashed, so the head and every
hash a household may have exported stay what they were, damaged entries
included. Whatever else the file held (top-level keys of a newer version,
``entries`` that were not a list, a file that is not JSON) is kept in
``legacy.json``, whose presence makes the ledger report itself unreadable,
as the old one did.

The new directory is built under a temporary name, each line checked to read
back as the value it was written from, then renamed into place; only then is
the old file deleted. A crash at any point leaves the old file or the whole
new directory, never a part of one.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from .const import LOGGER
from .ledger_chain import parse_line
from .ledger_io import (
    LEGACY_EXTRA,
    fsync_dir,
    migrating_dir,
    write_private_file,
    write_segments,
)

# The old file may hold anything a JSON file can, NaN included.
_LINE = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False
).encode
_LINE_ASCII = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def legacy_line(value: Any) -> bytes:
    """One old entry as a segment line, whatever it holds."""
    try:
        return _LINE(value).encode() + b"\n"
    except UnicodeEncodeError:  # a lone surrogate: escape it rather than lose it
        return _LINE_ASCII(value).encode() + b"\n"


def legacy_layout(raw: bytes) -> tuple[list[Any], dict[str, Any]]:
    """The old file's entries, and what else it held (as the old loader saw it)."""
    try:
        wrapper = json.loads(raw)
    except (ValueError, RecursionError):
        return [], {"unreadable_entries": raw.decode(errors="replace")}
    if wrapper == {}:
        return [], {}  # what Home Assistant's Store read as "no data"
    if not isinstance(wrapper, dict) or "data" not in wrapper:
        return [], {"unreadable_entries": wrapper}
    stored = wrapper["data"]
    if isinstance(stored, dict):
        extra = {k: v for k, v in stored.items() if k != "entries"}
        entries = stored.get("entries", [])
        if isinstance(entries, list):
            return entries, extra
        return [], {**extra, "unreadable_entries": entries}
    if stored is None:
        return [], {}
    return [], {"unreadable_entries": stored}


def migrate(legacy: Path, directory: Path) -> int | None:
    """Move an old-format ledger into ``directory``; the number of entries moved.

    None when there was nothing to move. Blocks; run it in an executor.

    Raises:
        OSError: The new ledger could not be written; the old file is untouched.
    """
    if directory.exists():
        if legacy.exists():
            LOGGER.warning(
                "Ignoring the old-format consent ledger %s: %s is newer",
                legacy,
                directory,
            )
        return None
    try:
        raw = legacy.read_bytes()
    except FileNotFoundError:
        return None
    entries, extra = legacy_layout(raw)
    lines = [legacy_line(entry) for entry in entries]
    building = migrating_dir(directory)
    shutil.rmtree(building, ignore_errors=True)
    building.mkdir(mode=0o700, parents=True)
    try:
        write_segments(building, lines)
        if extra:
            write_private_file(building / LEGACY_EXTRA, legacy_line(extra))
        _check(building, lines)
        fsync_dir(building)
        building.rename(directory)
        fsync_dir(directory.parent)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    legacy.unlink()
    fsync_dir(legacy.parent)
    LOGGER.info("Moved %s consent ledger entries to %s", len(lines), directory)
    return len(lines)


def _check(building: Path, lines: list[bytes]) -> None:
    """Each written line reads back as the value it was written from."""
    written = b"".join(p.read_bytes() for p in sorted(building.glob("*.jsonl")))
    if written != b"".join(lines):
        raise OSError("the migrated consent ledger does not read back as written")
    for line in lines:
        if legacy_line(parse_line(line[:-1])[0]) != line:
            raise OSError("a migrated consent ledger entry does not read back")
