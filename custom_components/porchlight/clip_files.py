"""The clip folder's file work: written safely, checked, purged.

Everything here runs in an executor thread (it blocks on the disk), and is
kept apart from the index so the library's bookkeeping reads on its own.
Files are written to a temporary name and renamed into place, so a crash or a
full disk never leaves a half-written clip under a clip's name.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path
from typing import BinaryIO, Final

from .const import LOGGER

CHUNK_SIZE: Final = 1 << 18
TEMP_SUFFIX: Final = ".tmp"
_SAFE_NAME: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def folder_name(doorbell: str) -> str:
    """A folder name for the doorbell that cannot escape the clip folder."""
    if _SAFE_NAME.match(doorbell) and doorbell.strip(".") == doorbell:
        return doorbell
    return "doorbell-" + hashlib.sha256(doorbell.encode()).hexdigest()[:16]


def write_chunks(out: BinaryIO, data: bytes | Path) -> tuple[int, str]:
    """Write the footage to ``out``, hashing it on the way."""
    digest = hashlib.sha256()
    size = 0
    if isinstance(data, Path):
        with data.open("rb") as source:
            while chunk := source.read(CHUNK_SIZE):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
    else:
        view = memoryview(data)
        for offset in range(0, len(view), CHUNK_SIZE):
            part = view[offset : offset + CHUNK_SIZE]
            digest.update(part)
            out.write(part)
            size += len(part)
    return size, digest.hexdigest()


def write_file(target: Path, data: bytes | Path) -> tuple[int, str]:
    """Write a clip under a temporary name and rename it into place."""
    temp = target.with_name(f".{target.name}{TEMP_SUFFIX}")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with temp.open("wb") as out:
            result = write_chunks(out, data)
            out.flush()
            os.fsync(out.fileno())
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        remove_empty_dirs(target.parent, stop=target.parent.parent.parent)
        raise
    return result


def file_matches(path: Path, size: int, sha256: str) -> bool:
    """Whether the file is still exactly what was recorded (never uploads else)."""
    try:
        if path.stat().st_size != size:
            return False
        with path.open("rb") as source:
            return hashlib.file_digest(source, "sha256").hexdigest() == sha256
    except OSError:
        return False


def purge_files(
    root: Path, expired: list[str], kept: dict[str, str], orphan_cutoff: float
) -> list[str]:
    """Delete expired and stale unknown files; return ids of kept clips now gone."""
    for relative in expired:
        try:
            (root / relative).unlink(missing_ok=True)
        except OSError as err:
            LOGGER.warning("Could not delete clip file %s: %s", relative, err)
    missing = [
        clip_id for clip_id, relative in kept.items() if not (root / relative).exists()
    ]
    if not root.is_dir():
        return missing
    known = {root / relative for relative in kept.values()}
    for dirpath, _dirnames, filenames in os.walk(root, topdown=False):
        folder = Path(dirpath)
        for name in filenames:
            path = folder / name
            if path in known:
                continue
            try:
                if path.stat().st_mtime < orphan_cutoff:
                    path.unlink()
            except OSError as err:
                LOGGER.warning("Could not delete stale clip file %s: %s", path, err)
        if folder != root:
            remove_empty_dirs(folder, stop=root)
    return missing


def remove_empty_dirs(folder: Path, stop: Path) -> None:
    """Remove ``folder`` and its parents below ``stop`` while they are empty."""
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def remove_tree(root: Path) -> None:
    """Delete a removed home's footage; what cannot go stays for the user."""
    shutil.rmtree(root, ignore_errors=True)
