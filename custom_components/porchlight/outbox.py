"""The outbox: a household's decisions survive hub outages and restarts.

A decision is stored on disk (and in the consent ledger) *before* anything is
sent, then delivered in the background until the hub acknowledges it. Every
item carries an idempotency key, so sending it again after a timeout or a
restart gets the hub's first answer instead of a second decision (DESIGN §3.5:
nothing the user decided is ever lost). Revocations take the same path, so a
revoke made while the hub is away is kept like a decision.

This module schedules; the item model, its storage, the delivery of
decisions and the uploads of clips live in the ``outbox_*`` modules. Two
paths run independently: decisions and revocations (small, never waiting on
footage) and uploads (in their own task and lock). Each item backs off on its
own, so one the hub keeps failing never holds back another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Final, Literal

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .api import PorchlightClient, PorchlightError
from .clips import ClipLibrary
from .const import DOMAIN, LOGGER
from .ledger import ConsentLedger
from .ledger_chain import KIND_DECISION, KIND_SHARE_REVOKED
from .outbox_delivery import (
    DeliveredCallback,
    Delivery,
    FailedCallback,
    Retry,
)
from .outbox_item import (
    ITEM_DECISION,
    ITEM_REVOCATION,
    AlreadyQueued,
    Backoff,
    OutboxItem,
    new_decision,
    new_revocation,
)
from .outbox_repairs import raise_clip_issue, raise_delivery_issue
from .outbox_store import OutboxStore
from .outbox_uploads import Uploader
from .outbox_waiters import ItemOutcome, Waiters
from .sealing import Seal

_MAX_ERROR_TEXT: Final = 300


class Outbox:
    """Queued decisions of one config entry and their delivery to the hub.

    ``on_delivered(item, response)`` runs once the hub has the decision;
    ``response`` is the hub's answer (``share_id`` for a share), or, when the
    hub already held the same decision (409 ``already_decided``), a summary
    with ``request_id``, ``decision``, ``share_id`` and ``status``.
    ``on_failed(item, error)`` runs when the hub will never take it.
    ``on_revoked(item, share)`` runs once the hub revoked a share. Each may
    be a coroutine function; errors in them are logged.

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
        on_revoked: DeliveredCallback | None = None,
        clips: ClipLibrary | None = None,
    ) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self.client = client
        self.ledger = ledger
        self.clips = clips
        self._store = OutboxStore(hass, entry_id)
        # Public: its callbacks are where the panel feed chains on.
        self.delivery = Delivery(
            self,
            client,
            ledger,
            on_delivered=on_delivered,
            on_failed=on_failed,
            on_revoked=on_revoked,
        )
        self._uploader = Uploader(self, client, ledger, clips)
        self._waiters = Waiters(hass)
        self._items: list[OutboxItem] = []
        self._backoff: dict[str, Backoff] = {}
        self._loaded = False
        self._stopped = False
        self._flush_lock = asyncio.Lock()
        self._flush_requested = False
        self._unsub_retry: CALLBACK_TYPE | None = None
        self._retry_due = 0.0
        self._tasks: set[asyncio.Task[None]] = set()
        self._retry_job = HassJob(
            self._async_retry, f"{DOMAIN} outbox retry", cancel_on_shutdown=True
        )

    @classmethod
    async def async_remove_store(cls, hass: HomeAssistant, entry_id: str) -> None:
        """Delete the stored outbox of a removed config entry."""
        await OutboxStore.async_remove(hass, entry_id)

    @property
    def retry_scheduled(self) -> bool:
        """Whether a retry is waiting for its backoff to pass."""
        return self._unsub_retry is not None

    async def async_load(self) -> None:
        """Read the queued items (a damaged one is logged and skipped)."""
        self._items = await self._store.async_load()
        self._loaded = True

    def items(self) -> list[OutboxItem]:
        """Queued items, oldest first."""
        return list(self._items)

    # ---------------------------------------------------------------- waiting
    async def async_wait(self, item: OutboxItem, within: float) -> ItemOutcome | None:
        """What became of ``item``; ``None`` while it is still queued.

        Returns early when the first attempt had to be retried (the hub is
        away), so a caller never waits out the whole of ``within`` for a hub
        that is down.
        """
        if item not in self._items:
            return None
        return await self._waiters.async_wait(item.id, within)

    async def async_wait_delivered(self, item: OutboxItem, within: float) -> str | None:
        """The share id once the hub acknowledged ``item``, else ``None``."""
        if item.share_id is not None:
            return item.share_id
        outcome = await self.async_wait(item, within)
        return None if outcome is None else outcome.share_id

    # --------------------------------------------------------------- enqueue
    def pending_decision(self, request_id: str) -> OutboxItem | None:
        """The queued decision for a request, if one waits for delivery."""
        for item in self._items:
            if item.kind == ITEM_DECISION and item.request_id == request_id:
                return item
        return None

    def pending_revocation(self, share_id: str) -> OutboxItem | None:
        """The queued revocation of a share, if one waits for delivery."""
        for item in self._items:
            if item.kind == ITEM_REVOCATION and item.share_id == share_id:
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
        sealed again when it is uploaded (see ``outbox_item.new_decision``).

        Raises:
            AlreadyQueued: A decision for this request is still queued.
            ValueError: The decision is not ``share``/``decline``, or a decline
                carries clips or a retention.
            RuntimeError: The outbox was not loaded.
        """
        self._check_loaded()
        item, entry = new_decision(
            request_id,
            decision,
            retention_days=retention_days,
            clips=clips,
            with_uploads=self.clips is not None,
            seals=seals,
            recipient_fingerprint=recipient_fingerprint,
        )
        if self.pending_decision(request_id) is not None:
            raise AlreadyQueued(request_id)
        await self._async_queue(item, KIND_DECISION, entry)
        return item

    async def async_enqueue_revocation(
        self, share_id: str, request_id: str
    ) -> OutboxItem:
        """Store a revocation durably, ledger it, then deliver it.

        A second revoke of a share already queued returns the queued item.
        """
        self._check_loaded()
        if (queued := self.pending_revocation(share_id)) is not None:
            return queued
        item = new_revocation(share_id, request_id)
        await self._async_queue(
            item, KIND_SHARE_REVOKED, {"share_id": share_id, "request_id": request_id}
        )
        return item

    def _check_loaded(self) -> None:
        if not self._loaded:
            raise RuntimeError("The outbox must be loaded before enqueueing")

    async def _async_queue(
        self, item: OutboxItem, kind: str, entry: dict[str, Any]
    ) -> None:
        # Queued before the first await, so a concurrent enqueue for the same
        # request sees it and is refused.
        self._items.append(item)
        await self.async_save()
        await self.ledger.async_append(kind, entry, durable=True)
        self._schedule(self.async_flush(), "flush")

    # ------------------------------------------------------------- lifecycle
    @callback
    def async_start(self) -> None:
        """Deliver whatever was queued before a restart or a reload."""
        self._stopped = False
        self.async_hub_back()

    @callback
    def async_hub_back(self) -> None:
        """The hub is reachable again: every item is due now.

        Scheduled, never awaited, so whoever noticed (the stream listener)
        goes straight back to its own work.
        """
        for backoff in self._backoff.values():
            backoff.due = 0.0
        self._schedule(self.async_flush(), "flush")
        self._schedule(self._async_uploads(), "uploads")

    async def async_stop(self) -> None:
        """Cancel retries, deliveries and uploads in flight; items stay stored.

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
        if self._store.unsaved:
            await self.async_save()
        await self.ledger.async_flush()

    # -------------------------------------------------------------- delivery
    async def async_flush(self) -> None:
        """Send every queued decision and revocation that is due.

        Only one flush runs at a time. A flush asked for while another runs
        runs after it, so an item queued meanwhile is not left behind. An
        item that has to wait never stops the ones after it.
        """
        if self._stopped:
            return
        self._flush_requested = True
        async with self._flush_lock:
            if not self._flush_requested or self._stopped:
                return
            self._flush_requested = False
            for item in self._due(_is_message):
                try:
                    retry = await self.delivery.async_deliver(item)
                except Exception:
                    LOGGER.exception(
                        "Unexpected error delivering the decision on %s",
                        item.request_id,
                    )
                    retry = Retry(answered=True, error="unexpected error")
                if retry is not None and self.retry_later(item, retry):
                    await self.delivery.async_failed(
                        item, PorchlightError(item.last_error or retry.error)
                    )
            if any(i.uploading for i in self._items):
                self._schedule(self._async_uploads(), "uploads")
            self._arm_retry()

    async def _async_uploads(self) -> None:
        await self._uploader.async_run()
        self._arm_retry()

    def _due(self, wanted: Callable[[OutboxItem], bool]) -> list[OutboxItem]:
        now = self.hass.loop.time()
        due: list[OutboxItem] = []
        for item in self._items:
            backoff = self._backoff.get(item.id)
            if wanted(item) and (backoff is None or backoff.due <= now):
                due.append(item)
        return due

    def uploads_due(self) -> list[OutboxItem]:
        """Shares whose clips are to be uploaded now."""
        return self._due(lambda i: i.uploading)

    def retry_later(self, item: OutboxItem, retry: Retry) -> bool:
        """Back the item off; True when it should be given up instead."""
        backoff = self._backoff.setdefault(item.id, Backoff())
        item.last_error = retry.error[:_MAX_ERROR_TEXT]
        LOGGER.debug(
            "The hub did not take the %s on %s yet (%s); will retry",
            item.kind,
            item.request_id,
            item.last_error,
        )
        backoff.fail(self.hass.loop.time(), retry.minimum, answered=retry.answered)
        if backoff.exhausted:
            self._backoff.pop(item.id, None)
            return True
        self._store.delay_save(self._items)
        self._waiters.wake(item.id, None)
        return False

    def settled(self, item: OutboxItem, error: PorchlightError | None) -> None:
        """Wake whoever waits for the item, and raise a repair on failure."""
        self._backoff.pop(item.id, None)
        self._waiters.wake(item.id, ItemOutcome(error is None, item.share_id, error))
        if error is not None:
            raise_delivery_issue(self.hass, self.entry_id, item, error)

    def clip_failed(self, item: OutboxItem, clip_id: str, reason: str) -> None:
        """Tell the household a clip of a share was not uploaded."""
        raise_clip_issue(self.hass, self.entry_id, item, clip_id, reason)

    async def async_remove(self, item: OutboxItem) -> None:
        """Drop a settled item, durably."""
        if item in self._items:
            self._items.remove(item)
        self._backoff.pop(item.id, None)
        await self.async_save()

    async def async_save(self) -> None:
        """Write the items now."""
        await self._store.async_save(self._items)

    # ------------------------------------------------------------ scheduling
    @callback
    def _schedule(self, job: Coroutine[Any, Any, None], what: str) -> None:
        if self._stopped:
            job.close()
            return
        task = self.hass.async_create_background_task(
            job, f"{DOMAIN} outbox {what} {self.entry_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    @callback
    def _arm_retry(self) -> None:
        """One timer, for the item whose backoff ends first."""
        now = self.hass.loop.time()
        waiting = [
            b.due
            for item in self._items
            if (b := self._backoff.get(item.id)) is not None and b.due > now
        ]
        due = min(waiting) if waiting and not self._stopped else None
        if due is not None and due == self._retry_due and self.retry_scheduled:
            return
        self._cancel_retry()
        if due is not None:
            self._retry_due = due
            self._unsub_retry = async_call_later(self.hass, due - now, self._retry_job)

    @callback
    def _cancel_retry(self) -> None:
        if self._unsub_retry is not None:
            self._unsub_retry()
            self._unsub_retry = None

    @callback
    def _async_retry(self, _now: Any) -> None:
        # The timer firing is what makes its items due, whatever the clock
        # says (a suspended host may wake a timer before the loop's time).
        self._unsub_retry = None
        for backoff in self._backoff.values():
            if backoff.due <= self._retry_due:
                backoff.due = 0.0
        self._schedule(self.async_flush(), "flush")
        self._schedule(self._async_uploads(), "uploads")


def _is_message(item: OutboxItem) -> bool:
    """Decisions not yet acknowledged and revocations: the small requests."""
    return item.kind == ITEM_REVOCATION or (
        item.kind == ITEM_DECISION and not item.uploading
    )
