"""Event entities: each video request's life, each nearby alert, each ring."""

from __future__ import annotations

from typing import Any, Final

from homeassistant.components.event import (
    EventDeviceClass,
    EventEntity,
    EventEntityDescription,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .coordinator import PorchlightCoordinator
from .coordinator_state import request_summary, signal_alert, signal_request
from .data import PorchlightConfigEntry
from .doorbell import MOTION, RING, Doorbell
from .entity import DoorbellEntity, PorchlightEntity
from .models import ALERT_CATEGORIES, Alert, VideoRequest

PARALLEL_UPDATES = 0

REQUEST_EVENT_TYPES: Final = ["received", "updated", "shared", "declined"]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PorchlightConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the home's two event entities and each doorbell's."""
    coordinator = entry.runtime_data.coordinator
    async_add_entities(
        [VideoRequestsEvent(coordinator), NeighbourhoodAlertsEvent(coordinator)]
    )
    for subentry_id, doorbell in entry.runtime_data.doorbells.items():
        ring, motion = DOORBELL_EVENTS
        entities = [DoorbellEvent(entry, doorbell, ring)]
        if doorbell.config.motion_entity is not None:
            entities.append(DoorbellEvent(entry, doorbell, motion))
        async_add_entities(entities, config_subentry_id=subentry_id)


class VideoRequestsEvent(PorchlightEntity, EventEntity):
    """Fires on every request received, updated, shared or declined."""

    def __init__(self, coordinator: PorchlightCoordinator) -> None:
        super().__init__(coordinator, "video_requests")
        self._attr_event_types = list(REQUEST_EVENT_TYPES)

    async def async_added_to_hass(self) -> None:
        """Listen for request news of this entry."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_request(self.coordinator.config_entry.entry_id),
                self._on_request,
            )
        )

    @callback
    def _on_request(self, event_type: str, request: VideoRequest) -> None:
        if event_type not in REQUEST_EVENT_TYPES:
            return
        attributes: dict[str, Any] = request_summary(request)
        attributes["matching_clips"] = self.coordinator.matching_clips(request)
        self._trigger_event(event_type, attributes)
        self.async_write_ha_state()


class NeighbourhoodAlertsEvent(PorchlightEntity, EventEntity):
    """Fires on each new alert within the chosen radius and categories."""

    def __init__(self, coordinator: PorchlightCoordinator) -> None:
        super().__init__(coordinator, "neighbourhood_alerts")
        self._attr_event_types = list(ALERT_CATEGORIES)

    async def async_added_to_hass(self) -> None:
        """Listen for nearby alerts of this entry."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_dispatcher_connect(
                self.hass,
                signal_alert(self.coordinator.config_entry.entry_id),
                self._on_alert,
            )
        )

    @callback
    def _on_alert(self, alert: Alert) -> None:
        self._trigger_event(
            alert.category,
            {
                "alert_id": alert.id,
                "title": alert.title,
                "description": alert.description,
                "distance_m": alert.distance_m,
                "source": alert.source,
                "agency": alert.agency,
                "mine": alert.mine,
                "latitude": alert.latitude,
                "longitude": alert.longitude,
            },
        )
        self.async_write_ha_state()


DOORBELL_EVENTS: Final = (
    EventEntityDescription(
        key="doorbell",
        translation_key="doorbell",
        device_class=EventDeviceClass.DOORBELL,
        event_types=[RING],
    ),
    EventEntityDescription(
        key="motion",
        translation_key="motion",
        device_class=EventDeviceClass.MOTION,
        event_types=[MOTION],
    ),
)


class DoorbellEvent(DoorbellEntity, EventEntity):
    """Fires ``ring`` (or ``motion``) the moment the doorbell's entity fires.

    It fires whatever becomes of the recording, so automations keep working
    with the camera offline.
    """

    def __init__(
        self,
        entry: PorchlightConfigEntry,
        doorbell: Doorbell,
        description: EventEntityDescription,
    ) -> None:
        super().__init__(entry, doorbell, description.key)
        self.entity_description = description

    @callback
    def _on_news(self, news: str) -> None:
        if news in self.event_types:
            self._trigger_event(news)
            self.async_write_ha_state()
