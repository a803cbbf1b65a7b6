"""Uploads of shared clips: in a task and under a lock of their own.

A share's footage can be hundreds of megabytes; the household's next
decision must not wait for it. So uploads never hold the decisions' lock,
each clip has a deadline scaled to its size (a hub that takes bytes at a
trickle cannot hold the line forever), and each share backs off on its own.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from .api import (
    PorchlightClient,
    PorchlightClipFileError,
    PorchlightError,
    PorchlightGone,
)
from .clips import Clip, ClipLibrary
from .const import LOGGER
from .ledger import ConsentLedger
from .ledger_chain import KIND_CLIP_UPLOADED, KIND_SHARE_COMPLETED
from .outbox_delivery import Retry, is_final, retry_for
from .outbox_item import (
    UPLOAD_DONE,
    UPLOAD_FAILED,
    UPLOAD_PENDING,
    OutboxItem,
    seal_of,
)
from .sealing import SEALED_CONTENT_TYPE, Seal, fingerprint

KIND_CLIP_UPLOAD_FAILED: Final = "clip_upload_failed"
KIND_SHARE_ABANDONED: Final = "share_abandoned"
# A clip may take this long plus its size at the slowest rate still useful.
UPLOAD_TIMEOUT_BASE: Final = 60.0
UPLOAD_MIN_RATE: Final = 128 * 1024  # bytes per second


def upload_timeout(size: int) -> float:
    """The deadline of one clip's upload, in seconds."""
    return UPLOAD_TIMEOUT_BASE + max(size, 0) / UPLOAD_MIN_RATE


@dataclass(frozen=True, slots=True)
class UploadPayload:
    """What actually leaves the home for one clip.

    ``size`` is the file's on disk; with a ``seal`` the client seals it to
    the agency chunk by chunk on its way out, and the ciphertext is sent.
    """

    path: Path
    content_type: str
    size: int
    seal: Seal | None = None


async def upload_payload(
    clips: ClipLibrary, clip: Clip, seal: Seal | None
) -> UploadPayload:
    """Where a recorded clip becomes the bytes that are uploaded.

    The one seam between the clip library and the wire: a clip with a seal
    (every clip shared since sealing) goes as ``application/age``; one queued
    before sealing existed goes as recorded.
    """
    if seal is None:
        return UploadPayload(clips.file_path(clip), clip.content_type, clip.size)
    return UploadPayload(clips.file_path(clip), SEALED_CONTENT_TYPE, clip.size, seal)


class UploadHost(Protocol):
    """What uploads need from the outbox that owns the items."""

    def uploads_due(self) -> list[OutboxItem]:
        """Shares whose clips are to be uploaded now."""

    def retry_later(self, item: OutboxItem, retry: Retry) -> bool:
        """Back the item off; True when it should be given up instead."""

    async def async_save(self) -> None:
        """Write the items now."""

    async def async_remove(self, item: OutboxItem) -> None:
        """Drop a settled item, durably."""

    def clip_failed(self, item: OutboxItem, clip_id: str, reason: str) -> None:
        """Tell the household a clip of a share was not uploaded."""


class Uploader:
    """Uploads the pending clips of acknowledged shares, one share at a time."""

    def __init__(
        self,
        host: UploadHost,
        client: PorchlightClient,
        ledger: ConsentLedger,
        clips: ClipLibrary | None,
    ) -> None:
        self._host = host
        self._client = client
        self._ledger = ledger
        self._clips = clips
        self._lock = asyncio.Lock()
        self._requested = False

    async def async_run(self) -> None:
        """Upload whatever is due; a run asked for meanwhile runs after."""
        self._requested = True
        async with self._lock:
            if not self._requested:
                return
            self._requested = False
            for item in self._host.uploads_due():
                try:
                    retry = await self._async_upload(item)
                except Exception:
                    LOGGER.exception(
                        "Unexpected error uploading the clips of share %s",
                        item.share_id,
                    )
                    retry = Retry(answered=True, error="unexpected error")
                if retry is not None:
                    await self._async_retry(item, retry)

    async def _async_retry(self, item: OutboxItem, retry: Retry) -> None:
        if not self._host.retry_later(item, retry):
            return
        # The hub kept failing this share: the clip it stuck on is given up,
        # the rest get their chance at the next run.
        for upload in item.uploads:
            if upload.get("state") == UPLOAD_PENDING:
                await self._async_clip_failed(item, upload, "hub_kept_failing")
                break

    async def _async_upload(self, item: OutboxItem) -> Retry | None:
        """Upload the clips still pending; ``None`` once the share is settled.

        Each clip is verified against its recorded hash right before it is
        sent: a file changed since the household decided is never uploaded.
        """
        share_id = str(item.share_id)
        for upload in item.uploads:
            if upload.get("state") != UPLOAD_PENDING:
                continue
            clip_id = str(upload.get("clip_id"))
            clip = self._clips.get(clip_id) if self._clips is not None else None
            if clip is None or self._clips is None:
                await self._async_clip_failed(item, upload, "clip_missing")
                continue
            if not await self._clips.async_verify(clip):
                await self._async_clip_failed(item, upload, "file_missing_or_changed")
                continue
            try:
                payload = await upload_payload(self._clips, clip, seal_of(upload))
                async with asyncio.timeout(upload_timeout(payload.size)):
                    await self._client.upload_clip(
                        share_id,
                        clip_id,
                        payload.path,
                        payload.content_type,
                        payload.size,
                        seal=payload.seal,
                    )
            except TimeoutError:
                return Retry(answered=True, error="the upload took too long")
            except PorchlightClipFileError:
                await self._async_clip_failed(item, upload, "file_unreadable")
                continue
            except PorchlightGone as err:
                await self._async_abandon(item, err)
                return None
            except PorchlightError as err:
                if not is_final(err):
                    return retry_for(err)
                code = getattr(err, "code", None) or getattr(err, "status", "")
                await self._async_clip_failed(item, upload, f"refused_by_hub: {code}")
                continue
            upload["state"] = UPLOAD_DONE
            # The seed opens nothing once uploaded, but it is key material.
            upload.pop("seal", None)
            uploaded: dict[str, Any] = {
                "share_id": share_id,
                "request_id": item.request_id,
                "clip_id": clip_id,
                "sha256": clip.sha256,
            }
            if payload.seal is not None:
                uploaded["plaintext_sha256"] = clip.sha256
                uploaded["agency_recipient_fingerprint"] = fingerprint(
                    payload.seal.recipient
                )
            await self._ledger.async_append(KIND_CLIP_UPLOADED, uploaded, durable=True)
            await self._host.async_save()
        await self._ledger.async_append(
            KIND_SHARE_COMPLETED,
            {
                "share_id": share_id,
                "request_id": item.request_id,
                "uploaded": _clip_ids(item, UPLOAD_DONE),
                "failed": _clip_ids(item, UPLOAD_FAILED),
            },
            durable=True,
        )
        await self._host.async_remove(item)
        LOGGER.debug("Every clip of share %s is settled", share_id)
        return None

    async def _async_clip_failed(
        self, item: OutboxItem, upload: dict[str, Any], reason: str
    ) -> None:
        """Skip one clip for good; the others of the share still go."""
        upload["state"] = UPLOAD_FAILED
        upload["reason"] = reason
        # Never uploaded now: its seed need not be kept.
        upload.pop("seal", None)
        clip_id = str(upload.get("clip_id"))
        LOGGER.warning(
            "Clip %s of share %s was not uploaded: %s", clip_id, item.share_id, reason
        )
        await self._ledger.async_append(
            KIND_CLIP_UPLOAD_FAILED,
            {
                "share_id": item.share_id,
                "request_id": item.request_id,
                "clip_id": clip_id,
                "reason": reason,
            },
            durable=True,
        )
        await self._host.async_save()
        self._host.clip_failed(item, clip_id, reason)

    async def _async_abandon(self, item: OutboxItem, err: PorchlightGone) -> None:
        """The share was revoked or expired: nothing more may be sent."""
        LOGGER.info("Share %s ended before its uploads finished", item.share_id)
        await self._ledger.async_append(
            KIND_SHARE_ABANDONED,
            {
                "share_id": item.share_id,
                "request_id": item.request_id,
                "code": err.code,
                "pending": _clip_ids(item, UPLOAD_PENDING),
            },
            durable=True,
        )
        await self._host.async_remove(item)


def _clip_ids(item: OutboxItem, state: str) -> list[str]:
    return [str(u.get("clip_id")) for u in item.uploads if u.get("state") == state]
