"""The staging folder: where a stream recording is written while it runs.

Stream recording only writes inside allowlisted folders, so recordings in
progress sit in one folder of their own (allowlisted while the entry is
loaded) and a finished one is copied into the library and deleted here.
These helpers block on the disk; they run in an executor thread.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Final

from .const import LOGGER

# The folder (in the library's root) holding stream recordings in progress.
STAGING_FOLDER: Final = ".recording"
_SAFE_ID: Final = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STAGED: Final = re.compile(r"^[0-9a-f]{32}\.mp4$")


def staging_prefix(doorbell_id: str) -> str:
    """The start of the doorbell's staging file names; never a path."""
    if not _SAFE_ID.match(doorbell_id):
        doorbell_id = (
            "doorbell_" + hashlib.sha256(doorbell_id.encode()).hexdigest()[:16]
        )
    return doorbell_id + "-"


def prepare_staging(folder: Path, prefix: str) -> Path:
    """Create the staging folder and drop this doorbell's leftovers from it.

    A doorbell records once at a time, so any file of its own found here
    belongs to a recording that a crash or restart interrupted.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for leftover in folder.iterdir():
        name = leftover.name
        # Only exactly "<prefix><uuid>.mp4": doorbell "a" must not take
        # doorbell "a-b"'s recording for its own.
        if name.startswith(prefix) and _STAGED.match(name[len(prefix) :]):
            unlink(leftover)
    # Stream recording compares resolved paths with the allowlist.
    return folder.resolve()


def file_size(path: Path) -> int:
    """The recording's size; 0 when the camera left no file at all."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def unlink(path: Path) -> None:
    """Delete a recording file; a failure is logged, never fatal to a ring."""
    try:
        path.unlink(missing_ok=True)
    except OSError as err:
        LOGGER.warning("Could not delete the recording file %s: %s", path, err)
