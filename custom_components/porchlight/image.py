"""The last visitor: the snapshot a doorbell took at its last ring."""

from __future__ import annotations

from pathlib import Path

from homeassistant.components.image import ImageEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .data import PorchlightConfigEntry
from .doorbell import LAST_VISITOR, Doorbell
from .entity import DoorbellEntity

PARALLEL_UPDATES = 0
JPEG = "image/jpeg"


async def async_setup_entry(
    hass: HomeAssistant,
    entry: PorchlightConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each doorbell's last-visitor image."""
    for subentry_id, doorbell in entry.runtime_data.doorbells.items():
        async_add_entities(
            [LastVisitorImage(hass, entry, doorbell)], config_subentry_id=subentry_id
        )


class LastVisitorImage(DoorbellEntity, ImageEntity):
    """The last visitor's snapshot, kept in memory only.

    After a restart it falls back to the doorbell's newest snapshot clip, so
    the picture survives as long as local retention keeps that clip, and no
    longer: the image never outlives the household's retention choice.
    """

    _attr_content_type = JPEG

    def __init__(
        self, hass: HomeAssistant, entry: PorchlightConfigEntry, doorbell: Doorbell
    ) -> None:
        ImageEntity.__init__(self, hass)
        DoorbellEntity.__init__(self, entry, doorbell, "last_visitor")
        if doorbell.last_visitor is not None:
            self._attr_image_last_updated = doorbell.last_visitor[1]
        elif (
            clip := doorbell.clips.latest(doorbell.config.subentry_id, JPEG)
        ) is not None:
            self._attr_image_last_updated = clip.start

    @callback
    def _on_news(self, news: str) -> None:
        if news == LAST_VISITOR and self.doorbell.last_visitor is not None:
            self._attr_image_last_updated = self.doorbell.last_visitor[1]
            self.async_write_ha_state()

    async def async_image(self) -> bytes | None:
        """The snapshot of the last ring, or the newest snapshot clip."""
        if self.doorbell.last_visitor is not None:
            return self.doorbell.last_visitor[0]
        clips = self.doorbell.clips
        clip = clips.latest(self.doorbell.config.subentry_id, JPEG)
        if clip is None:
            return None
        return await self.hass.async_add_executor_job(_read, clips.file_path(clip))


def _read(path: Path) -> bytes | None:
    """A clip file's bytes; None if retention or a person removed it."""
    try:
        return path.read_bytes()
    except OSError:
        return None
