"""Base entities: one device per paired home, one per adopted doorbell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .compat import via_device
from .const import CONF_HOME_ID, CONF_HUB_ID, DOMAIN
from .coordinator import PorchlightCoordinator
from .data import PorchlightConfigEntry

if TYPE_CHECKING:
    from .doorbell import Doorbell


def entry_home_id(entry: ConfigEntry) -> str:
    """The home device's identifier: the entry's unique id."""
    return f"{entry.data[CONF_HUB_ID]}:{entry.data[CONF_HOME_ID]}"


def home_device_id(coordinator: PorchlightCoordinator) -> str:
    """The home device's identifier, from its coordinator."""
    return entry_home_id(coordinator.config_entry)


def home_device_info(coordinator: PorchlightCoordinator) -> DeviceInfo:
    """The home as a device in Home Assistant."""
    data = coordinator.config_entry.runtime_data
    return DeviceInfo(
        identifiers={(DOMAIN, home_device_id(coordinator))},
        name=coordinator.config_entry.title,
        manufacturer="Porchlight",
        model="Neighbourhood hub membership",
        sw_version=data.health.version,
        configuration_url=coordinator.client.url,
        entry_type=DeviceEntryType.SERVICE,
    )


def doorbell_device_id(home_id: str, subentry_id: str) -> str:
    """A doorbell device's identifier, under its home's."""
    return f"{home_id}:doorbell:{subentry_id}"


class PorchlightEntity(CoordinatorEntity[PorchlightCoordinator]):
    """An entity of the home device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: PorchlightCoordinator, key: str) -> None:
        super().__init__(coordinator)
        self._attr_translation_key = key
        self._attr_unique_id = f"{home_device_id(coordinator)}_{key}"
        self._attr_device_info = home_device_info(coordinator)

    @property
    def available(self) -> bool:
        """While the last REST resync is fresh; the stream does not decide it.

        A dropped WebSocket is what ``hub_connection`` reports; the counts and
        switches shown from a resync minutes ago are still true.
        """
        return super().available and self.coordinator.fresh


class DoorbellEntity(Entity):
    """An entity of a doorbell's device.

    Doorbell entities do not follow the hub connection: rings, recordings and
    the local clip library keep working while the hub is unreachable.
    """

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: PorchlightConfigEntry, doorbell: Doorbell, key: str
    ) -> None:
        self.doorbell = doorbell
        home = entry_home_id(entry)
        device = doorbell_device_id(home, doorbell.config.subentry_id)
        self._attr_translation_key = key
        self._attr_unique_id = f"{device}_{key}"
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, device)},
            name=doorbell.config.name,
            manufacturer="Porchlight",
            model="Doorbell",
            **via_device((DOMAIN, home), entry.runtime_data.home_device_id),
        )

    async def async_added_to_hass(self) -> None:
        """Hear this doorbell's rings, motion and snapshots."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(self.hass, self.doorbell.signal, self._on_news)
        )

    @callback
    def _on_news(self, news: str) -> None:
        """React to the doorbell's news; each entity picks what concerns it."""
