"""File transfer to the hub: a clip streamed from disk, never held in memory."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import IO, Any, Final

import aiohttp

from .api_errors import (
    PorchlightClipFileError,
    PorchlightConnectionError,
    PorchlightInvalidResponse,
)
from .sealing import Seal, SealedReader, sealed_size

UPLOAD_CHUNK_SIZE: Final = 256 * 1024

type Send = Callable[[Any, dict[str, str], aiohttp.ClientTimeout], Awaitable[Any]]


async def upload_file(
    send: Send,
    path: Path,
    content_type: str,
    size: int,
    *,
    what: str,
    idle: float,
    sock_connect: float | None,
    seal: Seal | None = None,
) -> dict[str, Any]:
    """Send exactly ``size`` bytes of ``path`` through ``send``.

    ``send(body, headers, timeout)`` does the PUT. The file is read in chunks
    in a worker thread with a matching ``Content-Length``, so the hub can
    refuse a wrong size before reading anything; the upload fails only when
    no progress is made for ``idle`` seconds. With a ``seal`` the file
    (``size`` bytes on disk) is sealed chunk by chunk on its way out, and its
    ciphertext (``sealed_size(size)`` bytes) is what is sent.

    Raises:
        PorchlightClipFileError: The file cannot be read or is not ``size``
            bytes long (nothing, or an incomplete body, was sent).
        PorchlightConnectionError: The upload made no progress for ``idle``.
    """
    plain = await asyncio.to_thread(open_clip, path, size)
    handle: IO[bytes] | SealedReader = plain
    if seal is not None:
        try:
            handle = await asyncio.to_thread(seal.open, plain)
        except BaseException:
            await asyncio.to_thread(plain.close)
            raise
        size = sealed_size(size)
    timeout = aiohttp.ClientTimeout(
        total=None, sock_connect=sock_connect, sock_read=idle
    )
    loop = asyncio.get_running_loop()
    errors: list[PorchlightClipFileError] = []
    try:
        async with asyncio.timeout_at(loop.time() + idle) as watchdog:

            def progressed() -> None:
                watchdog.reschedule(loop.time() + idle)

            chunks = read_chunks(handle, path, size, progressed, errors)
            payload = await send(
                chunks,
                {"Content-Type": content_type, "Content-Length": str(size)},
                timeout,
            )
    except (PorchlightConnectionError, TimeoutError) as err:
        if errors:
            raise errors[0] from None
        if isinstance(err, TimeoutError):
            raise PorchlightConnectionError(
                f"The upload of {what} stalled for {idle:g} s"
            ) from err
        raise
    finally:
        await asyncio.to_thread(plain.close)
    if not isinstance(payload, dict):
        raise PorchlightInvalidResponse("The upload answer is not an object")
    return payload


def open_clip(path: Path, size: int) -> IO[bytes]:
    """Open a clip for reading and check its size (runs in a worker thread)."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise PorchlightClipFileError(f"Cannot read {path.name}: {err}") from err
    actual = os.fstat(handle.fileno()).st_size
    if actual != size:
        handle.close()
        raise PorchlightClipFileError(
            f"{path.name} has {actual} bytes, the manifest says {size}"
        )
    return handle


async def read_chunks(
    handle: IO[bytes] | SealedReader,
    path: Path,
    size: int,
    progressed: Callable[[], None],
    errors: list[PorchlightClipFileError],
) -> AsyncIterator[bytes]:
    """Yield exactly ``size`` bytes of ``handle``, read off the event loop.

    A file that shrinks while being sent is recorded in ``errors`` so the
    caller can report it instead of the connection error it causes.
    """
    remaining = size
    while remaining > 0:
        chunk = await asyncio.to_thread(handle.read, min(UPLOAD_CHUNK_SIZE, remaining))
        if not chunk:
            errors.append(
                PorchlightClipFileError(
                    f"{path.name} ended {remaining} bytes short of {size}"
                )
            )
            raise errors[-1]
        remaining -= len(chunk)
        progressed()
        yield chunk
