"""Delivery of decisions and revocations: small requests that must never wait.

Each item is tried on its own: the answer decides whether it is settled
(delivered, or refused for good) or has to be retried, and a retry never
stops the items queued after it. Uploads are not done here (see
``outbox_uploads``), so nothing this module sends waits behind footage.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, Protocol

from .api import (
    PorchlightAuthError,
    PorchlightClient,
    PorchlightConnectionError,
    PorchlightError,
    PorchlightHubFailed,
    PorchlightInvalidResponse,
    PorchlightRateLimited,
    PorchlightRequestError,
)
from .const import LOGGER
from .ledger import ConsentLedger
from .ledger_chain import KIND_DECISION_DELIVERED, KIND_DECISION_FAILED
from .outbox_item import ITEM_REVOCATION, OutboxItem

KIND_REVOCATION_DELIVERED: Final = "revocation_delivered"
KIND_REVOCATION_FAILED: Final = "revocation_failed"
# 408 and 429 say "not now", not "never".
RETRYABLE_STATUSES: Final = frozenset({408, 429})

type DeliveredCallback = Callable[[OutboxItem, Any], Awaitable[None] | None]
type FailedCallback = Callable[[OutboxItem, PorchlightError], Awaitable[None] | None]


@dataclass(frozen=True, slots=True)
class Retry:
    """The item stays queued; try again after at least ``minimum`` seconds.

    ``answered`` is true when the hub was reached and answered with a
    failure (5xx, 408, garbage): only those count towards giving up.
    """

    minimum: float = 0.0
    answered: bool = False
    error: str = ""


class OutboxHost(Protocol):
    """What delivery needs from the outbox that owns the items."""

    async def async_remove(self, item: OutboxItem) -> None:
        """Drop a settled item, durably."""

    async def async_save(self) -> None:
        """Write the items now."""

    def settled(self, item: OutboxItem, error: PorchlightError | None) -> None:
        """Wake whoever waits for the item, and raise a repair on failure."""


def retry_for(err: PorchlightError) -> Retry:
    """How an error that leaves the item queued is retried."""
    text = str(err)
    if isinstance(err, PorchlightRateLimited):
        return Retry(err.retry_after or 0.0, answered=False, error=text)
    if isinstance(err, PorchlightHubFailed | PorchlightInvalidResponse):
        return Retry(answered=True, error=text)
    if isinstance(err, PorchlightRequestError) and err.status == 408:
        return Retry(answered=True, error=text)
    # Unreachable (PorchlightConnectionError) or our token refused (which
    # re-pairing fixes): keep trying, for as long as it takes.
    return Retry(answered=False, error=text)


def is_final(err: PorchlightError) -> bool:
    """An answer the hub will not change by being asked again."""
    return (
        isinstance(err, PorchlightRequestError)
        and not isinstance(err, PorchlightAuthError)
        and err.status not in RETRYABLE_STATUSES
        and not isinstance(err, PorchlightConnectionError)
    )


class Delivery:
    """Sends one decision or revocation and records what became of it."""

    def __init__(
        self,
        host: OutboxHost,
        client: PorchlightClient,
        ledger: ConsentLedger,
        *,
        on_delivered: DeliveredCallback | None,
        on_failed: FailedCallback | None,
        on_revoked: DeliveredCallback | None,
    ) -> None:
        self._host = host
        self._client = client
        self._ledger = ledger
        self.on_delivered = on_delivered
        self.on_failed = on_failed
        self.on_revoked = on_revoked

    async def async_deliver(self, item: OutboxItem) -> Retry | None:
        """Try one item; ``None`` once it is settled."""
        item.attempts += 1
        if item.kind == ITEM_REVOCATION:
            return await self._async_revoke(item)
        try:
            response = await self._client.decide(item.request_id, item.body)
        except PorchlightError as err:
            if not is_final(err) or not isinstance(err, PorchlightRequestError):
                return retry_for(err)
            if err.status == 409 and err.code == "already_decided":
                return await self._async_already_decided(item, err)
            await self.async_failed(item, err)
            return None
        await self._async_delivered(item, response)
        return None

    async def _async_revoke(self, item: OutboxItem) -> Retry | None:
        share_id = str(item.share_id)
        try:
            share = await self._client.revoke_share(share_id)
        except PorchlightError as err:
            if not is_final(err):
                return retry_for(err)
            await self.async_failed(item, err)
            return None
        await self._ledger.async_append(
            KIND_REVOCATION_DELIVERED,
            {"share_id": share_id, "request_id": item.request_id},
            durable=True,
        )
        await self._host.async_remove(item)
        LOGGER.debug("The hub revoked share %s", share_id)
        self._host.settled(item, None)
        await notify(self.on_revoked, item, share)
        return None

    async def _async_already_decided(
        self, item: OutboxItem, err: PorchlightRequestError
    ) -> Retry | None:
        """A 409 is success when the hub holds this very decision.

        That happens when our first attempt reached the hub but its answer did
        not reach us, and the idempotency record is gone or the key differs
        (for example a decision sent again after restoring a backup).
        """
        try:
            current = await self._client.get_request(item.request_id)
        except PorchlightError as lookup_err:
            if not is_final(lookup_err):
                return retry_for(lookup_err)
            await self.async_failed(item, err)
            return None
        if current.decision != item.decision:
            await self.async_failed(item, err)
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
        await self._ledger.async_append(KIND_DECISION_DELIVERED, entry, durable=True)
        if item.share_id is not None and item.uploads:
            # Kept, with its share id on disk, until every clip is settled.
            item.attempts = 0
            item.last_error = None
            await self._host.async_save()
        else:
            await self._host.async_remove(item)
        LOGGER.debug("The hub acknowledged the decision on %s", item.request_id)
        self._host.settled(item, None)
        await notify(self.on_delivered, item, response)

    async def async_failed(self, item: OutboxItem, err: PorchlightError) -> None:
        """The hub will never take this item: ledger why and drop it."""
        status = err.status if isinstance(err, PorchlightRequestError) else None
        code = err.code if isinstance(err, PorchlightRequestError) else "gave_up"
        message = err.message if isinstance(err, PorchlightRequestError) else str(err)
        LOGGER.warning(
            "The hub did not take the %s on request %s: %s",
            "revocation" if item.kind == ITEM_REVOCATION else "decision",
            item.request_id,
            message or code or status,
        )
        if item.kind == ITEM_REVOCATION:
            kind = KIND_REVOCATION_FAILED
            entry: dict[str, Any] = {"share_id": item.share_id}
        else:
            kind = KIND_DECISION_FAILED
            entry = {
                "decision": item.decision,
                "idempotency_key": item.idempotency_key,
            }
        await self._ledger.async_append(
            kind,
            {
                "request_id": item.request_id,
                **entry,
                "status": status,
                "code": code,
                "message": message,
            },
            durable=True,
        )
        await self._host.async_remove(item)
        self._host.settled(item, err)
        await notify(self.on_failed, item, err)


async def notify(
    func: Callable[[OutboxItem, Any], Awaitable[None] | None] | None, *args: Any
) -> None:
    """Run a callback; its bug is logged and never undoes the delivery."""
    if func is None:
        return
    try:
        result = func(*args)
        if inspect.isawaitable(result):
            await result
    except Exception:
        LOGGER.exception("Error in a Porchlight outbox callback")
