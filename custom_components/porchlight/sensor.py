"""Counts: pending requests, nearby alerts, active shares, recorded clips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PorchlightCoordinator
from .coordinator_state import request_summary
from .data import PorchlightConfigEntry
from .doorbell import Doorbell
from .entity import DoorbellEntity, PorchlightEntity

PARALLEL_UPDATES = 0
MAX_LISTED_REQUESTS: Final = 20


def _pending_attributes(coordinator: PorchlightCoordinator) -> dict[str, Any]:
    listed = []
    for request in coordinator.pending_requests()[:MAX_LISTED_REQUESTS]:
        summary = request_summary(request)
        summary["matching_clips"] = coordinator.matching_clips(request)
        listed.append(summary)
    return {"requests": listed}


@dataclass(frozen=True, kw_only=True)
class PorchlightSensorDescription(SensorEntityDescription):
    """A count derived from the coordinator's state."""

    value_fn: Callable[[PorchlightCoordinator], int]
    attributes_fn: Callable[[PorchlightCoordinator], dict[str, Any]] | None = None


SENSORS: Final = (
    PorchlightSensorDescription(
        key="pending_video_requests",
        translation_key="pending_video_requests",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: len(c.pending_requests()),
        attributes_fn=_pending_attributes,
    ),
    PorchlightSensorDescription(
        key="nearby_alerts",
        translation_key="nearby_alerts",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: len(c.nearby_alerts()),
    ),
    PorchlightSensorDescription(
        key="active_shares",
        translation_key="active_shares",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda c: len(c.active_shares()),
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PorchlightConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the home's count sensors and each doorbell's clip count."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(PorchlightSensor(coordinator, d) for d in SENSORS)
    for subentry_id, doorbell in entry.runtime_data.doorbells.items():
        async_add_entities(
            [RecordedClipsSensor(entry, doorbell)], config_subentry_id=subentry_id
        )


class PorchlightSensor(PorchlightEntity, SensorEntity):
    """A count sensor."""

    entity_description: PorchlightSensorDescription

    def __init__(
        self,
        coordinator: PorchlightCoordinator,
        description: PorchlightSensorDescription,
    ) -> None:
        super().__init__(coordinator, description.key)
        self.entity_description = description

    @property
    def native_value(self) -> int:
        """The count."""
        return self.entity_description.value_fn(self.coordinator)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details, where the description has them."""
        if self.entity_description.attributes_fn is None:
            return None
        return self.entity_description.attributes_fn(self.coordinator)


class RecordedClipsSensor(DoorbellEntity, SensorEntity):
    """Clips of one doorbell held in this home, until retention removes them."""

    _attr_state_class = SensorStateClass.MEASUREMENT

    def __init__(self, entry: PorchlightConfigEntry, doorbell: Doorbell) -> None:
        super().__init__(entry, doorbell, "recorded_clips")
        self._read_library()

    async def async_added_to_hass(self) -> None:
        """Follow the library: recordings add clips, retention removes them."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self.doorbell.clips.async_add_listener(self._on_clips_changed)
        )

    @callback
    def _on_clips_changed(self) -> None:
        # The library tells every doorbell about every change; only a change
        # to this doorbell's clips changes its count (and newest clip).
        doorbell = self.doorbell.config.subentry_id
        if self.doorbell.clips.count_for(doorbell) != self._attr_native_value:
            self._read_library()
            self.async_write_ha_state()

    def _read_library(self) -> None:
        """How many clips of this doorbell are held, and when the newest began."""
        doorbell = self.doorbell.config.subentry_id
        latest = self.doorbell.clips.latest(doorbell)
        self._attr_native_value = self.doorbell.clips.count_for(doorbell)
        self._attr_extra_state_attributes = {
            "last_recorded": latest.start.isoformat() if latest else None
        }
