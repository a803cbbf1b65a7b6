"""The demo doorbell camera: a still picture of a porch, served as snapshots."""

from __future__ import annotations

from pathlib import Path

import voluptuous as vol
from homeassistant.components.camera import (
    PLATFORM_SCHEMA as CAMERA_PLATFORM_SCHEMA,
)
from homeassistant.components.camera import Camera
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType

CONF_FILE_PATH = "file_path"

PLATFORM_SCHEMA = CAMERA_PLATFORM_SCHEMA.extend(
    {
        vol.Required(CONF_NAME): cv.string,
        vol.Required(CONF_FILE_PATH): cv.string,
    }
)


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    """One camera per YAML entry; the file is read at each snapshot."""
    path = Path(hass.config.path(config[CONF_FILE_PATH]))
    async_add_entities([DemoDoorbellCamera(config[CONF_NAME], path)])


class DemoDoorbellCamera(Camera):
    """A camera whose every snapshot is the picture on disk."""

    def __init__(self, name: str, path: Path) -> None:
        super().__init__()
        self._attr_name = name
        self._attr_unique_id = f"porchlight_demo_{path.name}"
        self._path = path

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """The picture, read in the executor (never in the event loop)."""
        return await self.hass.async_add_executor_job(self._path.read_bytes)
