"""Where the outbox lives on disk: one private Store per config entry.

Kept apart from delivery so that what is durable (and in which order it is
written) is decided in one place: an item is saved before it is sent, and a
delayed save is flushed before a reload lets a new instance read the file.
"""

from __future__ import annotations

import copy
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from .compat import STORE_KWARGS
from .const import DOMAIN, LOGGER
from .outbox_item import DamagedItemError, OutboxItem

STORAGE_VERSION: Final = 1
STORAGE_MINOR_VERSION: Final = 1
SAVE_DELAY: Final = 1.0


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


class OutboxStore:
    """Reads and writes the queued items of one entry."""

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self.entry_id = entry_id
        self._store = _make_store(hass, entry_id)
        self.unsaved = False

    @staticmethod
    async def async_remove(hass: HomeAssistant, entry_id: str) -> None:
        """Delete the stored outbox of a removed config entry."""
        await _make_store(hass, entry_id).async_remove()

    async def async_load(self) -> list[OutboxItem]:
        """The stored items; a damaged item is logged and skipped.

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
        return items

    async def async_save(self, items: list[OutboxItem]) -> None:
        """Write now: the caller's next step depends on this being on disk."""
        self.unsaved = False
        await self._store.async_save(_snapshot(items))

    def delay_save(self, items: list[OutboxItem]) -> None:
        """Write soon: only bookkeeping (attempts, last error) changed."""
        self.unsaved = True
        # The Store may call the function in an executor thread; hand it a
        # snapshot taken in the event loop, not live objects.
        snapshot = copy.deepcopy(_snapshot(items))
        self._store.async_delay_save(lambda: snapshot, SAVE_DELAY)


def _snapshot(items: list[OutboxItem]) -> dict[str, Any]:
    return {"items": [item.to_dict() for item in items]}
