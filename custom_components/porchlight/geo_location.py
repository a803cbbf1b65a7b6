"""One map marker per nearby alert, at most a hundred, newest first.

Entities come and go with the alerts: an alert that ages out, leaves the
radius or stops being chosen is removed from the entity registry too, so the
registry does not fill with dead markers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Final

from homeassistant.components.geo_location import GeolocationEvent
from homeassistant.const import UnitOfLength
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_track_time_interval

from .coordinator import MAX_GEO_ALERTS, PorchlightCoordinator
from .data import PorchlightConfigEntry
from .entity import home_device_id
from .models import Alert

PARALLEL_UPDATES = 0
SOURCE: Final = "porchlight"
AGE_CHECK_INTERVAL: Final = timedelta(minutes=1)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PorchlightConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Keep the set of alert markers in step with the nearby alerts."""
    coordinator = entry.runtime_data.coordinator
    shown: dict[str, AlertLocation] = {}
    registry = er.async_get(hass)

    @callback
    def sync(*_: object) -> None:
        wanted = {a.id: a for a in coordinator.nearby_alerts()[:MAX_GEO_ALERTS]}
        for alert_id in list(shown):
            if alert_id not in wanted:
                entity = shown.pop(alert_id)
                if entity.registry_entry is not None:
                    registry.async_remove(entity.entity_id)
                else:  # pragma: no cover - entities always have a unique id
                    entity.hass.async_create_task(entity.async_remove())
        new = []
        for alert_id, alert in wanted.items():
            if alert_id in shown:
                shown[alert_id].update_alert(alert)
            else:
                shown[alert_id] = AlertLocation(coordinator, alert)
                new.append(shown[alert_id])
        if new:
            async_add_entities(new)

    # Markers of a previous run are stale until the alerts are known again.
    prefix = f"{home_device_id(coordinator)}_alert_"
    for reg_entry in er.async_entries_for_config_entry(registry, entry.entry_id):
        if reg_entry.domain == "geo_location" and reg_entry.unique_id.startswith(
            prefix
        ):
            registry.async_remove(reg_entry.entity_id)

    @callback
    def age_check(*_: object) -> None:
        # Alerts age without news from the hub. When one has aged out, every
        # listener must hear of it: the markers and the nearby_alerts count.
        wanted = {a.id for a in coordinator.nearby_alerts()[:MAX_GEO_ALERTS]}
        if wanted != set(shown):
            coordinator.async_update_listeners()

    sync()
    entry.async_on_unload(coordinator.async_add_listener(sync))
    entry.async_on_unload(
        async_track_time_interval(hass, age_check, AGE_CHECK_INTERVAL)
    )


class AlertLocation(GeolocationEvent):
    """A nearby alert on the map."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_source = SOURCE
    _attr_unit_of_measurement = UnitOfLength.KILOMETERS
    _attr_translation_key = "alert"

    def __init__(self, coordinator: PorchlightCoordinator, alert: Alert) -> None:
        self._attr_unique_id = f"{home_device_id(coordinator)}_alert_{alert.id}"
        self._set(alert)

    def _set(self, alert: Alert) -> None:
        self._alert = alert
        self._attr_name = alert.title
        self._attr_latitude = alert.latitude
        self._attr_longitude = alert.longitude
        self._attr_distance = (
            None if alert.distance_m is None else round(alert.distance_m / 1000, 3)
        )
        self._attr_extra_state_attributes = {
            "alert_id": alert.id,
            "category": alert.category,
            "created_at": alert.created_at.isoformat(),
            "source_kind": alert.source,
            "agency": alert.agency,
        }

    @callback
    def update_alert(self, alert: Alert) -> None:
        """Refresh an existing marker."""
        if alert == self._alert:
            return
        self._set(alert)
        if self.hass is not None:
            self.async_write_ha_state()
