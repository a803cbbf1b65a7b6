"""The outbox: a household's decisions survive hub outages and restarts.

A decision is stored on disk (and in the consent ledger) *before* anything is
sent, then delivered in the background until the hub acknowledges it. Every
item carries an idempotency key, so sending it again after a timeout or a
restart gets the hub's first answer instead of a second decision (DESIGN §3.5:
nothing the user decided is ever lost).

Items are deliberately generic (``kind``, ``body``, ``share_id``, ``uploads``)
so later steps of a share hang off the same item: once the hub acknowledged a
share (``share_id`` known, stored durably), the item stays queued until each
clip in ``uploads`` was uploaded, skipped as damaged, or the share ended. Each
upload entry remembers its state, so a restart or an outage resumes where it
stopped instead of sending clips again.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Self
from uuid import uuid4

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .api import (
    PorchlightAuthError,
    PorchlightClient,
    PorchlightClipFileError,
    PorchlightError,
    PorchlightGone,
    PorchlightRateLimited,
    PorchlightRequestError,
)
from .clips import ClipLibrary
from .compat import STORE_KWARGS
from .const import DOMAIN, LOGGER
from .ledger import (
    KIND_CLIP_UPLOADED,
    KIND_DECISION,
    KIND_DECISION_DELIVERED,
    KIND_DECISION_FAILED,
    KIND_SHARE_COMPLETED,
    ConsentLedger,
    plain_json,
)
from .sealing import SEALED_CONTENT_TYPE, Seal, fingerprint

STORAGE_VERSION: Final = 1
STORAGE_MINOR_VERSION: Final = 1
SAVE_DELAY: Final = 1.0
ITEM_DECISION: Final = "decision"
BACKOFF_MIN: Final = 5.0
BACKOFF_MAX: Final = 300.0
DECISIONS: Final = ("share", "decline")
_MAX_ERROR_TEXT: Final = 300
KIND_CLIP_UPLOAD_FAILED: Final = "clip_upload_failed"
KIND_SHARE_ABANDONED: Final = "share_abandoned"
UPLOAD_PENDING: Final = "pending"
UPLOAD_DONE: Final = "uploaded"
UPLOAD_FAILED: Final = "failed"

type DeliveredCallback = Callable[[OutboxItem, dict[str, Any]], Awaitable[None] | None]
type FailedCallback = Callable[
    [OutboxItem, PorchlightRequestError], Awaitable[None] | None
]


# What the ledger keeps of each shared clip: enough to prove which bytes.
LEDGERED_CLIP_KEYS: Final = ("clip_id", "plaintext_sha256", "sha256", "size")


def _upload_entry(clip_id: str, seal: Seal | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"clip_id": clip_id, "state": UPLOAD_PENDING}
    if seal is not None:
        entry["seal"] = {"recipient": seal.recipient, "seed": seal.seed}
    return entry


def _seal_of(upload: dict[str, Any]) -> Seal | None:
    """The stored seal of an upload; None for one queued before sealing."""
    stored = upload.get("seal")
    if not isinstance(stored, dict):
        return None
    recipient, seed = stored.get("recipient"), stored.get("seed")
    if not isinstance(recipient, str) or not isinstance(seed, str):
        return None
    return Seal(recipient, seed)


class AlreadyQueued(ValueError):
    """A decision for this request is already waiting to be delivered."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"A decision for request {request_id} is already queued")
        self.request_id = request_id


class DamagedItemError(ValueError):
    """A stored outbox item that cannot be read."""


@dataclass(slots=True)
class OutboxItem:
    """One queued piece of work for the hub, kept until it is done.

    ``body`` is sent exactly as stored, so a retry repeats the first attempt
    byte for byte and the hub's idempotency replay applies.
    """

    id: str
    request_id: str
    body: dict[str, Any]
    created_at: str
    kind: str = ITEM_DECISION
    attempts: int = 0
    last_error: str | None = None
    share_id: str | None = None
    uploads: list[dict[str, Any]] = field(default_factory=list)
    # Keys written by a newer version, kept so a downgrade loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def decision(self) -> str:
        """``share`` or ``decline``."""
        return str(self.body.get("decision"))

    @property
    def uploading(self) -> bool:
        """The hub has the decision; clips are still to be uploaded."""
        return self.share_id is not None

    @property
    def idempotency_key(self) -> str:
        """The key the hub uses to recognise a repeat of this decision."""
        return str(self.body.get("idempotency_key"))

    def to_dict(self) -> dict[str, Any]:
        """The item as stored."""
        return {
            **self.extra,
            "id": self.id,
            "kind": self.kind,
            "request_id": self.request_id,
            "body": self.body,
            "created_at": self.created_at,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "share_id": self.share_id,
            "uploads": self.uploads,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Read a stored item; unknown keys are kept, bad values refused.

        Raises:
            DamagedItemError: The stored item is not usable.
        """
        if not isinstance(data, dict):
            raise DamagedItemError("not an object")
        known = {
            "id",
            "kind",
            "request_id",
            "body",
            "created_at",
            "attempts",
            "last_error",
            "share_id",
            "uploads",
        }
        for key in ("id", "kind", "request_id", "created_at"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise DamagedItemError(f"{key} is missing")
        body = data.get("body")
        if not isinstance(body, dict):
            raise DamagedItemError("body is missing")
        if data["kind"] == ITEM_DECISION and (
            body.get("decision") not in DECISIONS
            or not isinstance(body.get("idempotency_key"), str)
        ):
            raise DamagedItemError("body is not a decision")
        attempts = data.get("attempts", 0)
        last_error = data.get("last_error")
        share_id = data.get("share_id")
        uploads = data.get("uploads", [])
        if isinstance(attempts, bool) or not isinstance(attempts, int):
            raise DamagedItemError("attempts is not a number")
        if last_error is not None and not isinstance(last_error, str):
            raise DamagedItemError("last_error is not text")
        if share_id is not None and not isinstance(share_id, str):
            raise DamagedItemError("share_id is not text")
        if not isinstance(uploads, list) or not all(
            isinstance(u, dict) for u in uploads
        ):
            raise DamagedItemError("uploads is not a list of objects")
        return cls(
            id=data["id"],
            request_id=data["request_id"],
            body=body,
            created_at=data["created_at"],
            kind=data["kind"],
            attempts=attempts,
            last_error=last_error,
            share_id=share_id,
            uploads=uploads,
            extra={k: v for k, v in data.items() if k not in known},
        )


class Outbox:
    """Queued decisions of one config entry and their delivery to the hub.

    ``on_delivered(item, response)`` runs once the hub has the decision;
    ``response`` is the hub's answer (``share_id`` for a share), or, when the
    hub already held the same decision (409 ``already_decided``), a summary
    with ``request_id``, ``decision``, ``share_id`` and ``status``.
    ``on_failed(item, error)`` runs when the hub will never take it (the
    request is gone, closed, decided otherwise, or the decision is invalid).
    Either may be a coroutine function; errors in them are logged.

    With ``clips`` (the entry's clip library) a share also uploads its clips
    after the hub acknowledged it; without it only the decision is sent.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        client: PorchlightClient,
        ledger: ConsentLedger,
        *,
        on_delivered: DeliveredCallback | None = None,
        on_failed: FailedCallback | None = None,
        clips: ClipLibrary | None = None,
    ) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self.client = client
        self.ledger = ledger
        self.on_delivered = on_delivered
        self.on_failed = on_failed
        self.clips = clips
        self._waiters: dict[str, list[asyncio.Future[str | None]]] = {}
        self._store = self._make_store(hass, entry_id)
        self._items: list[OutboxItem] = []
        self._loaded = False
        self._stopped = False
        self._unsaved = False
        self._flush_lock = asyncio.Lock()
        self._flush_requested = False
        self._failures = 0
        self._unsub_retry: CALLBACK_TYPE | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._retry_job = HassJob(
            self._async_retry, f"{DOMAIN} outbox retry", cancel_on_shutdown=True
        )

    @staticmethod
    def _make_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
        return Store(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.outbox.{entry_id}",
            private=True,
            atomic_writes=True,
            minor_version=STORAGE_MINOR_VERSION,
            **STORE_KWARGS,
        )

    @classmethod
    async def async_remove_store(cls, hass: HomeAssistant, entry_id: str) -> None:
        """Delete the stored outbox of a removed config entry."""
        await cls._make_store(hass, entry_id).async_remove()

    @property
    def retry_scheduled(self) -> bool:
        """Whether a retry is waiting for its backoff to pass."""
        return self._unsub_retry is not None

    async def async_load(self) -> None:
        """Read the queued items; a damaged item is logged and skipped.

        A damaged file must never stop the integration from setting up: the
        decisions themselves are also in the consent ledger.
        """
        stored: Any = await self._store.async_load()
        raw: Any = [] if stored is None else stored
        if isinstance(raw, dict):
            raw = raw.get("items", [])
        if not isinstance(raw, list):
            LOGGER.error("The Porchlight outbox of %s is unreadable", self.entry_id)
            raw = []
        items: list[OutboxItem] = []
        for index, data in enumerate(raw):
            try:
                items.append(OutboxItem.from_dict(data))
            except DamagedItemError as err:
                LOGGER.error(
                    "Skipped a damaged Porchlight outbox item (%s of %s): %s",
                    index,
                    self.entry_id,
                    err,
                )
        self._items = items
        self._loaded = True

    def items(self) -> list[OutboxItem]:
        """Queued items, oldest first."""
        return list(self._items)

    async def async_wait_delivered(self, item: OutboxItem, within: float) -> str | None:
        """The share id once the hub acknowledged ``item``, else ``None``.

        Returns early with ``None`` when the first attempt had to be retried
        (the hub is away) or the hub refused the decision, so a caller never
        waits out the whole of ``within`` for a hub that is down.
        """
        if item.share_id is not None:
            return item.share_id
        if item not in self._items:
            return None
        future: asyncio.Future[str | None] = self.hass.loop.create_future()
        self._waiters.setdefault(item.id, []).append(future)
        try:
            async with asyncio.timeout(within):
                return await future
        except TimeoutError:
            return None
        finally:
            waiting = self._waiters.get(item.id, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._waiters.pop(item.id, None)

    @callback
    def _wake(self, item: OutboxItem) -> None:
        for future in self._waiters.pop(item.id, []):
            if not future.done():
                future.set_result(item.share_id)

    def pending_decision(self, request_id: str) -> OutboxItem | None:
        """The queued decision for a request, if one waits for delivery."""
        for item in self._items:
            if item.kind == ITEM_DECISION and item.request_id == request_id:
                return item
        return None

    async def async_enqueue_decision(
        self,
        request_id: str,
        decision: Literal["share", "decline"],
        *,
        retention_days: int | None = None,
        clips: list[dict[str, Any]] | None = None,
        seals: dict[str, Seal] | None = None,
        recipient_fingerprint: str | None = None,
    ) -> OutboxItem:
        """Store a decision durably, ledger it, then deliver it in the background.

        Returns once the decision is on disk and in the ledger; the hub may
        still be unreachable. ``seals`` (by clip id) are how each clip is
        sealed again, byte for byte, when it is uploaded; they are stored
        with the uploads, never in the body sent to the hub or the ledger.

        Raises:
            AlreadyQueued: A decision for this request is still queued.
            ValueError: The decision is not ``share``/``decline``, or a decline
                carries clips or a retention.
            RuntimeError: The outbox was not loaded.
        """
        if not self._loaded:
            raise RuntimeError("The outbox must be loaded before enqueueing")
        if decision not in DECISIONS:
            raise ValueError(f"Unknown decision {decision!r}")
        if decision == "decline" and (retention_days is not None or clips):
            raise ValueError("A decline carries no clips and no retention")
        if self.pending_decision(request_id) is not None:
            raise AlreadyQueued(request_id)
        body: dict[str, Any] = {"decision": decision, "idempotency_key": uuid4().hex}
        if retention_days is not None:
            body["retention_days"] = retention_days
        if clips is not None:
            body["clips"] = plain_json(clips)
        item = OutboxItem(
            id=uuid4().hex,
            request_id=request_id,
            body=body,
            created_at=dt_util.utcnow().isoformat(),
        )
        if decision == "share" and clips and self.clips is not None:
            # Only an outbox that can find the files takes on the uploads.
            item.uploads = [
                _upload_entry(str(c.get("clip_id")), (seals or {}).get(c["clip_id"]))
                for c in body["clips"]
            ]
        # Queued before the first await, so a concurrent enqueue for the same
        # request sees it and is refused.
        self._items.append(item)
        await self._async_save()
        entry: dict[str, Any] = {
            "request_id": request_id,
            "decision": decision,
            "idempotency_key": item.idempotency_key,
        }
        if retention_days is not None:
            entry["retention_days"] = retention_days
        if clips is not None:
            entry["clip_ids"] = [c.get("clip_id") for c in body["clips"]]
            entry["clips"] = [
                {k: c[k] for k in LEDGERED_CLIP_KEYS if k in c} for c in body["clips"]
            ]
        if recipient_fingerprint is not None:
            entry["agency_recipient_fingerprint"] = recipient_fingerprint
        await self.ledger.async_append(KIND_DECISION, entry, durable=True)
        self._schedule_flush()
        return item

    @callback
    def async_start(self) -> None:
        """Deliver whatever was queued before a restart or a reload."""
        self._stopped = False
        self._schedule_flush()

    async def async_stop(self) -> None:
        """Cancel retries and deliveries in flight; queued items stay stored.

        A delivery cut short is safe: the item is still queued, and sending it
        again with its idempotency key gets the hub's first answer. Pending
        delayed writes of the outbox and the ledger are written now.
        """
        self._stopped = True
        self._cancel_retry()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # Pending delayed writes must land now: after a reload, a late write
        # from this instance would overwrite what the new one stored.
        if self._unsaved:
            await self._async_save()
        await self.ledger.async_flush()

    async def async_flush(self) -> None:
        """Send queued decisions, oldest first, until one has to wait.

        Only one flush runs at a time. A flush asked for while another runs
        runs after it, so an item queued meanwhile is not left behind.
        """
        if self._stopped:
            return
        self._flush_requested = True
        async with self._flush_lock:
            if not self._flush_requested or self._stopped:
                return
            self._flush_requested = False
            self._cancel_retry()
            await self._async_flush_items()

    async def _async_flush_items(self) -> None:
        # Decisions first: a large upload must not hold back a new decision.
        for item in list(self._items):
            if item.kind != ITEM_DECISION:
                LOGGER.debug("Outbox item %s of kind %s waits", item.id, item.kind)
                continue
            if item.uploading:
                continue
            try:
                wait = await self._async_deliver(item)
            except Exception:
                LOGGER.exception(
                    "Unexpected error delivering the decision on %s", item.request_id
                )
                wait = 0.0
            if wait is not None:
                self._wake(item)
                self._schedule_retry(wait)
                return
        for item in list(self._items):
            if item.kind != ITEM_DECISION or not item.uploading:
                continue
            try:
                wait = await self._async_upload(item)
            except Exception:
                LOGGER.exception(
                    "Unexpected error uploading the clips of share %s", item.share_id
                )
                wait = 0.0
            if wait is not None:
                self._schedule_retry(wait)
                return
        self._failures = 0

    async def _async_upload(self, item: OutboxItem) -> float | None:
        """Upload the clips still pending; ``None`` once the share is settled.

        Each clip is verified against its recorded hash right before it is
        sent: a file changed since the household decided is never uploaded.
        """
        share_id = str(item.share_id)
        for upload in item.uploads:
            if upload.get("state") != UPLOAD_PENDING:
                continue
            clip_id = str(upload.get("clip_id"))
            clip = self.clips.get(clip_id) if self.clips is not None else None
            if clip is None or self.clips is None:
                await self._async_clip_failed(item, upload, "clip_missing")
                continue
            if not await self.clips.async_verify(clip):
                await self._async_clip_failed(item, upload, "file_missing_or_changed")
                continue
            seal = _seal_of(upload)
            try:
                await self.client.upload_clip(
                    share_id,
                    clip_id,
                    self.clips.file_path(clip),
                    SEALED_CONTENT_TYPE if seal is not None else clip.content_type,
                    clip.size,
                    seal=seal,
                )
            except PorchlightClipFileError:
                await self._async_clip_failed(item, upload, "file_unreadable")
                continue
            except PorchlightGone as err:
                await self._async_abandon(item, err)
                return None
            except PorchlightRateLimited as err:
                return self._note_retry(item, err, err.retry_after or 0.0)
            except PorchlightAuthError as err:
                return self._note_retry(item, err)
            except PorchlightRequestError as err:
                reason = f"refused_by_hub: {err.code or err.status}"
                await self._async_clip_failed(item, upload, reason)
                continue
            except PorchlightError as err:
                return self._note_retry(item, err)
            upload["state"] = UPLOAD_DONE
            # The seed opens nothing once uploaded, but it is key material.
            upload.pop("seal", None)
            uploaded: dict[str, Any] = {
                "share_id": share_id,
                "request_id": item.request_id,
                "clip_id": clip_id,
                "sha256": clip.sha256,
            }
            if seal is not None:
                uploaded["plaintext_sha256"] = clip.sha256
                uploaded["agency_recipient_fingerprint"] = fingerprint(seal.recipient)
            await self.ledger.async_append(KIND_CLIP_UPLOADED, uploaded, durable=True)
            await self._async_save()
        await self.ledger.async_append(
            KIND_SHARE_COMPLETED,
            {
                "share_id": share_id,
                "request_id": item.request_id,
                "uploaded": self._clip_ids(item, UPLOAD_DONE),
                "failed": self._clip_ids(item, UPLOAD_FAILED),
            },
            durable=True,
        )
        await self._async_remove(item)
        LOGGER.debug("Every clip of share %s is settled", share_id)
        return None

    @staticmethod
    def _clip_ids(item: OutboxItem, state: str) -> list[str]:
        return [str(u.get("clip_id")) for u in item.uploads if u.get("state") == state]

    async def _async_clip_failed(
        self, item: OutboxItem, upload: dict[str, Any], reason: str
    ) -> None:
        """Skip one clip for good; the others of the share still go."""
        upload["state"] = UPLOAD_FAILED
        upload["reason"] = reason
        LOGGER.warning(
            "Clip %s of share %s was not uploaded: %s",
            upload.get("clip_id"),
            item.share_id,
            reason,
        )
        await self.ledger.async_append(
            KIND_CLIP_UPLOAD_FAILED,
            {
                "share_id": item.share_id,
                "request_id": item.request_id,
                "clip_id": upload.get("clip_id"),
                "reason": reason,
            },
            durable=True,
        )
        await self._async_save()

    async def _async_abandon(self, item: OutboxItem, err: PorchlightGone) -> None:
        """The share was revoked or expired: nothing more may be sent."""
        LOGGER.info("Share %s ended before its uploads finished", item.share_id)
        await self.ledger.async_append(
            KIND_SHARE_ABANDONED,
            {
                "share_id": item.share_id,
                "request_id": item.request_id,
                "code": err.code,
                "pending": self._clip_ids(item, UPLOAD_PENDING),
            },
            durable=True,
        )
        await self._async_remove(item)

    async def _async_deliver(self, item: OutboxItem) -> float | None:
        """Try one item; ``None`` when it is settled, else a minimum wait."""
        item.attempts += 1
        try:
            response = await self.client.decide(item.request_id, item.body)
        except PorchlightRateLimited as err:
            return self._note_retry(item, err, err.retry_after or 0.0)
        except PorchlightAuthError as err:
            return self._note_retry(item, err)
        except PorchlightRequestError as err:
            if err.status == 409 and err.code == "already_decided":
                return await self._async_already_decided(item, err)
            await self._async_failed(item, err)
            return None
        except PorchlightError as err:
            return self._note_retry(item, err)
        await self._async_delivered(item, response)
        return None

    async def _async_already_decided(
        self, item: OutboxItem, err: PorchlightRequestError
    ) -> float | None:
        """A 409 is success when the hub holds this very decision.

        That happens when our first attempt reached the hub but its answer did
        not reach us, and the idempotency record is gone or the key differs
        (for example a decision sent again after restoring a backup).
        """
        try:
            current = await self.client.get_request(item.request_id)
        except (PorchlightAuthError, PorchlightRateLimited) as lookup_err:
            return self._note_retry(item, lookup_err)
        except PorchlightRequestError:
            await self._async_failed(item, err)
            return None
        except PorchlightError as lookup_err:
            return self._note_retry(item, lookup_err)
        if current.decision != item.decision:
            await self._async_failed(item, err)
            return None
        await self._async_delivered(
            item,
            {
                "request_id": item.request_id,
                "decision": current.decision,
                "share_id": current.share_id,
                "status": current.status,
            },
        )
        return None

    def _note_retry(
        self, item: OutboxItem, err: PorchlightError, minimum: float = 0.0
    ) -> float:
        item.last_error = str(err)[:_MAX_ERROR_TEXT]
        LOGGER.debug(
            "The hub did not take the decision on %s yet (%s); will retry",
            item.request_id,
            item.last_error,
        )
        self._unsaved = True
        self._store.async_delay_save(self._snapshot_func(), SAVE_DELAY)
        return minimum

    async def _async_delivered(
        self, item: OutboxItem, response: dict[str, Any]
    ) -> None:
        share_id = response.get("share_id")
        item.share_id = share_id if isinstance(share_id, str) else None
        entry: dict[str, Any] = {
            "request_id": item.request_id,
            "decision": item.decision,
            "idempotency_key": item.idempotency_key,
        }
        if item.share_id is not None:
            entry["share_id"] = item.share_id
        # Ledger first: if Home Assistant stops in between, the item is sent
        # again (the hub replays its answer) rather than missing from history.
        await self.ledger.async_append(KIND_DECISION_DELIVERED, entry, durable=True)
        if item.share_id is not None and item.uploads:
            # Kept, with its share id on disk, until every clip is settled.
            item.attempts = 0
            item.last_error = None
            await self._async_save()
        else:
            await self._async_remove(item)
        LOGGER.debug("The hub acknowledged the decision on %s", item.request_id)
        self._wake(item)
        await self._async_notify(self.on_delivered, item, response)

    async def _async_failed(
        self, item: OutboxItem, err: PorchlightRequestError
    ) -> None:
        """The hub will never accept this decision: ledger why and drop it."""
        LOGGER.warning(
            "The hub refused the decision on request %s: %s",
            item.request_id,
            err.message or err.code or err.status,
        )
        await self.ledger.async_append(
            KIND_DECISION_FAILED,
            {
                "request_id": item.request_id,
                "decision": item.decision,
                "idempotency_key": item.idempotency_key,
                "status": err.status,
                "code": err.code,
                "message": err.message,
            },
            durable=True,
        )
        await self._async_remove(item)
        self._wake(item)
        await self._async_notify(self.on_failed, item, err)

    async def _async_notify(
        self,
        func: Callable[[OutboxItem, Any], Awaitable[None] | None] | None,
        *args: Any,
    ) -> None:
        if func is None:
            return
        try:
            result = func(*args)
            if inspect.isawaitable(result):
                await result
        except Exception:
            LOGGER.exception("Error in a Porchlight outbox callback")

    async def _async_remove(self, item: OutboxItem) -> None:
        if item in self._items:
            self._items.remove(item)
        await self._async_save()

    async def _async_save(self) -> None:
        self._unsaved = False
        await self._store.async_save(self._snapshot())

    def _snapshot(self) -> dict[str, Any]:
        """The stored form, taken now in the event loop."""
        return {"items": [item.to_dict() for item in self._items]}

    def _snapshot_func(self) -> Callable[[], dict[str, Any]]:
        # The Store may call the function in an executor thread; hand it a
        # snapshot taken in the event loop, not live objects.
        snapshot = copy.deepcopy(self._snapshot())
        return lambda: snapshot

    @callback
    def _schedule_flush(self) -> None:
        if self._stopped:
            return
        task = self.hass.async_create_background_task(
            self.async_flush(), f"{DOMAIN} outbox flush {self.entry_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @callback
    def _schedule_retry(self, minimum: float) -> None:
        if self._stopped:
            return
        self._failures += 1
        ceiling = min(BACKOFF_MAX, BACKOFF_MIN * 2 ** min(self._failures - 1, 16))
        # Jitter spreads the retries of many homes after a hub outage.
        delay = max(minimum, random.uniform(ceiling / 2, ceiling))  # noqa: S311
        self._cancel_retry()
        self._unsub_retry = async_call_later(self.hass, delay, self._retry_job)

    @callback
    def _cancel_retry(self) -> None:
        if self._unsub_retry is not None:
            self._unsub_retry()
            self._unsub_retry = None

    @callback
    def _async_retry(self, _now: Any) -> None:
        self._unsub_retry = None
        self._schedule_flush()
