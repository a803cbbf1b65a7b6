"""Reading and damaging a consent ledger's files, as a restart or an editor would."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.porchlight.ledger_issue import ledger_dir


def segment_files(hass: HomeAssistant, entry_id: str) -> list[Path]:
    """The ledger's segment files, in order."""
    return sorted(ledger_dir(hass, entry_id).glob("*.jsonl"))


def ledger_file_entries(hass: HomeAssistant, entry_id: str) -> list[Any]:
    """Every entry on disk, in order, read with nothing but the json module."""
    return [
        json.loads(line)
        for path in segment_files(hass, entry_id)
        for line in path.read_bytes().splitlines()
    ]


def edit_ledger_entry(
    hass: HomeAssistant, entry_id: str, index: int, change: Callable[[Any], Any]
) -> Any:
    """Rewrite the ``index``-th entry on disk (0-based); returns the new value.

    ``change`` edits the entry in place, or returns a replacement.
    """
    seen = 0
    for path in segment_files(hass, entry_id):
        lines = path.read_bytes().splitlines(keepends=True)
        if index < seen + len(lines):
            value = json.loads(lines[index - seen])
            replaced = change(value)
            value = value if replaced is None else replaced
            lines[index - seen] = json.dumps(value, ensure_ascii=False).encode() + b"\n"
            path.write_bytes(b"".join(lines))
            return value
        seen += len(lines)
    raise IndexError(index)
