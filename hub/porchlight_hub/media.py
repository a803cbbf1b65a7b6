"""Clip files on disk: streamed in, verified, and removed without a trace.

An upload is written to a temporary file while its SHA-256 is computed, in
the default executor so the event loop never waits on the disk or the hash;
only a file whose size and digest match the manifest is moved into place.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import BinaryIO

from .agecrypt import MAGIC
from .errors import ApiError

_LOGGER = logging.getLogger(__name__)
FLUSH_BYTES = 1024 * 1024


class _Sink:
    """A temporary file and a running hash, fed from the executor."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        self.size = 0
        self._file: BinaryIO | None = None

    def open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = self.path.open("wb")

    def write(self, data: bytes) -> None:
        if self._file is None:  # pragma: no cover - open() always runs first
            raise RuntimeError("sink not open")
        self.digest.update(data)
        self._file.write(data)

    def close(self, sync: bool) -> None:
        if self._file is None:
            return
        if sync:
            self._file.flush()
            os.fsync(self._file.fileno())
        self._file.close()
        self._file = None


async def receive_clip(
    chunks: AsyncIterator[bytes],
    tmp_dir: Path,
    final_path: Path,
    *,
    expected_size: int,
    expected_sha256: str,
    max_bytes: int,
    sealed: bool = False,
) -> None:
    """Stream an upload to ``final_path`` if it is exactly the promised clip.

    Raises 413 past the hub's limit and 422 on a size or digest mismatch, or
    (``sealed``) when the bytes do not start as an age file; nothing is left
    on disk unless the clip verified.
    """
    loop = asyncio.get_running_loop()
    sink = _Sink(tmp_dir / f"{uuid.uuid4().hex}.part")
    buffer = bytearray()
    head = bytearray()
    ok = False
    try:
        await loop.run_in_executor(None, sink.open)
        async for chunk in chunks:
            sink.size += len(chunk)
            if sink.size > max_bytes:
                raise ApiError(
                    413,
                    "payload_too_large",
                    f"A clip may be at most {max_bytes} bytes.",
                )
            if sink.size > expected_size:
                raise ApiError(
                    422,
                    "size_mismatch",
                    f"The upload is larger than the {expected_size} bytes promised.",
                )
            buffer += chunk
            if sealed and len(head) < len(MAGIC):
                head += chunk[: len(MAGIC) - len(head)]
                if not MAGIC.startswith(head):
                    raise _unsealed()
            if len(buffer) >= FLUSH_BYTES:
                data = bytes(buffer)
                buffer.clear()
                await loop.run_in_executor(None, sink.write, data)
        if buffer:
            await loop.run_in_executor(None, sink.write, bytes(buffer))
            buffer.clear()
        if sealed and head != MAGIC:
            raise _unsealed()
        if sink.size != expected_size:
            raise ApiError(
                422,
                "size_mismatch",
                f"The upload has {sink.size} bytes; the manifest says {expected_size}.",
            )
        if sink.digest.hexdigest() != expected_sha256:
            raise ApiError(
                422, "sha256_mismatch", "The upload does not match its sha256."
            )
        await loop.run_in_executor(None, sink.close, True)
        await loop.run_in_executor(None, _move, sink.path, final_path)
        ok = True
    finally:
        if not ok:
            await loop.run_in_executor(None, _discard, sink)


def _unsealed() -> ApiError:
    """Whom a clip is sealed to is unknowable here; not being age is not."""
    return ApiError(
        422,
        "unsealed_clip",
        "A clip announced as application/age must be an age file"
        " (age-encryption.org/v1): seal it to the agency before uploading.",
    )


def _move(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    src.replace(dst)


def _discard(sink: _Sink) -> None:
    sink.close(sync=False)
    sink.path.unlink(missing_ok=True)


async def remove_share_files(share_dir: Path) -> bool:
    """Delete a share's folder; False (logged) if the disk refused."""
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, _rmtree, share_dir)
    except OSError:
        _LOGGER.exception("Could not delete %s; will retry", share_dir)
        return False
    return True


def _rmtree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


def clean_tmp(tmp_dir: Path) -> None:
    """Drop uploads interrupted by a restart."""
    if tmp_dir.is_dir():
        for part in tmp_dir.glob("*.part"):
            part.unlink(missing_ok=True)
