"""Callers waiting for what became of a queued item.

A service call waits a few seconds for the hub's answer so an automation
gets a share id at once when the hub is there; the outbox wakes it on any
outcome, including "retrying", so nobody waits out a hub that is down.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from homeassistant.core import HomeAssistant, callback

from .api import PorchlightError


@dataclass(frozen=True, slots=True)
class ItemOutcome:
    """What became of an item a caller waited for."""

    delivered: bool
    share_id: str | None = None
    error: PorchlightError | None = None


class Waiters:
    """The futures of the callers waiting per item id."""

    def __init__(self, hass: HomeAssistant) -> None:
        self._hass = hass
        self._futures: dict[str, list[asyncio.Future[ItemOutcome]]] = {}

    async def async_wait(self, item_id: str, within: float) -> ItemOutcome | None:
        """The next outcome of the item, or ``None`` after ``within`` seconds."""
        future: asyncio.Future[ItemOutcome] = self._hass.loop.create_future()
        self._futures.setdefault(item_id, []).append(future)
        try:
            async with asyncio.timeout(within):
                return await future
        except TimeoutError:
            return None
        finally:
            waiting = self._futures.get(item_id, [])
            if future in waiting:
                waiting.remove(future)
            if not waiting:
                self._futures.pop(item_id, None)

    @callback
    def wake(self, item_id: str, outcome: ItemOutcome | None) -> None:
        """Tell every caller waiting for the item; ``None`` means "still queued"."""
        for future in self._futures.pop(item_id, []):
            if not future.done():
                future.set_result(outcome or ItemOutcome(False))
