"""Counts: pending requests, nearby alerts, active shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.components.sensor import (
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PorchlightCoordinator, request_summary
from .data import PorchlightConfigEntry
from .entity import PorchlightEntity

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
    """Add the home's count sensors."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(PorchlightSensor(coordinator, d) for d in SENSORS)


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
