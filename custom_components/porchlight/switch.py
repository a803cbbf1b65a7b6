"""The one opt-out switch: on receives requests, off is opted out at the hub."""

from __future__ import annotations

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .api import PorchlightError
from .const import DOMAIN
from .coordinator import PorchlightCoordinator
from .data import PorchlightConfigEntry
from .entity import PorchlightEntity
from .ledger_chain import KIND_OPT_IN, KIND_OPT_OUT

PARALLEL_UPDATES = 1


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PorchlightConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the video-requests switch."""
    async_add_entities([VideoRequestsSwitch(entry.runtime_data.coordinator)])


class VideoRequestsSwitch(PorchlightEntity, SwitchEntity):
    """Whether this home receives video requests at all."""

    def __init__(self, coordinator: PorchlightCoordinator) -> None:
        super().__init__(coordinator, "video_requests")

    @property
    def is_on(self) -> bool:
        """On while the home is not opted out."""
        return not self.coordinator.data.home.opted_out

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Receive requests again."""
        await self._set_opted_out(False)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Opt out: the hub delivers no requests to this home."""
        await self._set_opted_out(True)

    async def _set_opted_out(self, opted_out: bool) -> None:
        try:
            home = await self.coordinator.client.set_opted_out(opted_out)
        except PorchlightError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="opt_out_failed",
                translation_placeholders={"error": str(err)},
            ) from err
        changed = home.opted_out != self.coordinator.data.home.opted_out
        self.coordinator.data.home = home
        if changed:
            await self.coordinator.ledger.async_append(
                KIND_OPT_OUT if opted_out else KIND_OPT_IN,
                {"source": "home_assistant"},
                durable=True,
            )
        self.coordinator.async_update_listeners()
