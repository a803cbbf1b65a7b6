"""Base entity: one device per paired home, named after the entry."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import CONF_HOME_ID, CONF_HUB_ID, DOMAIN
from .coordinator import PorchlightCoordinator


def home_device_id(coordinator: PorchlightCoordinator) -> str:
    """The home device's identifier: the entry's unique id."""
    data = coordinator.config_entry.data
    return f"{data[CONF_HUB_ID]}:{data[CONF_HOME_ID]}"


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


class PorchlightEntity(CoordinatorEntity[PorchlightCoordinator]):
    """An entity of the home device."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: PorchlightCoordinator, key: str) -> None:
        super().__init__(coordinator)
        self._attr_translation_key = key
        self._attr_unique_id = f"{home_device_id(coordinator)}_{key}"
        self._attr_device_info = home_device_info(coordinator)
