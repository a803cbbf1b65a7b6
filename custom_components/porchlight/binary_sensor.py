"""Whether the live stream from the hub is up."""

from __future__ import annotations

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PorchlightCoordinator
from .data import PorchlightConfigEntry
from .entity import PorchlightEntity
from .listener import StreamListener, signal_connection

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PorchlightConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the connection sensor."""
    data = entry.runtime_data
    async_add_entities([HubConnectionSensor(data.coordinator, data.listener)])


class HubConnectionSensor(PorchlightEntity, BinarySensorEntity):
    """Connectivity of the stream; available even when the hub is not."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(
        self, coordinator: PorchlightCoordinator, listener: StreamListener
    ) -> None:
        super().__init__(coordinator, "hub_connection")
        self._listener = listener

    @property
    def available(self) -> bool:
        """Always: reporting the outage is this sensor's job."""
        return True

    @property
    def is_on(self) -> bool:
        """Connected to the hub's stream."""
        return self._listener.connected

    async def async_added_to_hass(self) -> None:
        """Follow the listener's connection changes."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_connection(self.coordinator.config_entry.entry_id),
                self.async_write_ha_state,
            )
        )
