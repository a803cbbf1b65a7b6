"""Real camera entities for tests that need a doorbell's camera.

The recorder and everything built on it talk to cameras only through Home
Assistant's camera integration (``async_get_image``, the ``camera.record``
service), so the tests set up that integration for real, with a test platform
whose cameras return what a test tells them to. Only the stream integration's
worker (ffmpeg/PyAV on a real RTSP source) is faked, at the boundary the
camera integration calls: ``Camera.async_create_stream``.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Final
from unittest.mock import patch
from uuid import uuid4

from homeassistant.components.camera import Camera, CameraEntityFeature
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import discovery
from homeassistant.helpers.entity_platform import AddEntitiesCallback
from homeassistant.helpers.typing import ConfigType, DiscoveryInfoType
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockModule,
    MockPlatform,
    mock_integration,
    mock_platform,
)

# An 8x8 JPEG (made with Pillow); embedded so the helpers need no imaging
# library and every run stores byte-identical images.
JPEG: Final = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkz"
    "ODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgD"
    "ASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUF"
    "BAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0"
    "NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKj"
    "pKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QA"
    "HwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEE"
    "BSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZH"
    "SElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0"
    "tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCS"
    "iiivGPWP/9k="
)
# Stands in for an mp4: nothing reads the video's content, only its bytes.
VIDEO: Final = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8

# The test integration that holds the cameras. Its own name, so it cannot
# collide with a test that mocks the harness's usual "test" integration.
TEST_DOMAIN: Final = "porchlight_test_cameras"
FAKE_STREAM_SOURCE: Final = "rtsp://127.0.0.1:8554/fake"
_CAMERAS: Final = f"{TEST_DOMAIN}_entities"


class FakeCamera(Camera):
    """A camera entity whose snapshots a test controls.

    ``image`` is what the next snapshot returns (``None`` makes the camera
    integration raise "Unable to get image"), ``content_type`` what it says it
    is, ``delay`` how long a snapshot takes, and ``snapshots`` counts fetches.
    """

    _attr_should_poll = False

    def __init__(self, name: str, *, image: bytes | None, stream: bool) -> None:
        super().__init__()
        self._attr_name = name
        self.image = image
        self.content_type = "image/jpeg"
        self.snapshots = 0
        self.delay = 0.0
        self._stream = stream
        if stream:
            self._attr_supported_features = CameraEntityFeature.STREAM

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        self.snapshots += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.image

    async def stream_source(self) -> str | None:
        return FAKE_STREAM_SOURCE if self._stream else None


async def _async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: DiscoveryInfoType | None = None,
) -> None:
    assert discovery_info is not None
    async_add_entities([hass.data[_CAMERAS].pop(discovery_info["camera"])])


async def async_setup_camera(
    hass: HomeAssistant,
    name: str = "Front door",
    *,
    image: bytes | None = JPEG,
    stream: bool = False,
) -> FakeCamera:
    """Set up the camera integration with a test platform holding this camera.

    Each call adds one camera (discovered on the test platform, as an
    integration would), so a test can have several; the entity id follows
    the name (``camera.front_door``).
    """
    waiting: dict[str, FakeCamera] | None = hass.data.get(_CAMERAS)
    if waiting is None:
        waiting = hass.data[_CAMERAS] = {}
        mock_integration(hass, MockModule(TEST_DOMAIN))
        mock_platform(
            hass,
            f"{TEST_DOMAIN}.camera",
            MockPlatform(async_setup_platform=_async_setup_platform),
        )
        assert await async_setup_component(hass, "camera", {})
    camera = FakeCamera(name, image=image, stream=stream)
    key = uuid4().hex
    waiting[key] = camera
    await discovery.async_load_platform(
        hass, "camera", TEST_DOMAIN, {"camera": key}, {}
    )
    await hass.async_block_till_done()
    assert camera.entity_id is not None
    assert hass.states.get(camera.entity_id) is not None
    return camera


class FakeStream:
    """The part of ``stream.Stream`` the camera integration's record service uses.

    ``available`` is read by ``Camera.available`` once a stream is attached.
    """

    available = True

    def __init__(
        self,
        hass: HomeAssistant,
        video: bytes,
        fail: Exception | None,
        delay: float,
        recorded: list[tuple[str, int]],
    ) -> None:
        self.hass = hass
        self._video = video
        self._fail = fail
        self._delay = delay
        self._recorded = recorded

    async def async_record(
        self, video_path: str, duration: int = 30, lookback: int = 5
    ) -> None:
        """Refuse paths outside the allowlist, like the real one, then write.

        The real recorder writes the file while it records, so the file exists
        during the ``delay`` too.
        """
        allowed = await self.hass.async_add_executor_job(
            self.hass.config.is_allowed_path, video_path
        )
        if not allowed:
            raise HomeAssistantError(f"Can't write {video_path}, no access to path!")
        self._recorded.append((video_path, duration))
        if self._fail is not None:
            raise self._fail
        await self.hass.async_add_executor_job(_write, Path(video_path), self._video)
        if self._delay:
            await asyncio.sleep(self._delay)

    # Called by code that attaches the stream to the camera; nothing to do.
    def set_update_callback(self, update_callback: Any) -> None:
        """Accept the camera's state callback."""


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@contextmanager
def patch_stream_recording(
    hass: HomeAssistant,
    *,
    video: bytes = VIDEO,
    fail: Exception | None = None,
    delay: float = 0.0,
) -> Iterator[list[tuple[str, int]]]:
    """Pretend the stream integration is loaded and record with a fake stream.

    Yields the ``(path, duration)`` of every recording that got past the
    allowlist check (including ones that then ``fail``). ``delay`` keeps a
    recording running that long after its file was written.
    """
    recorded: list[tuple[str, int]] = []

    async def _async_create_stream(camera: Camera) -> FakeStream | None:
        # Like the real one: no stream without a stream source.
        if not await camera.stream_source():
            return None
        return FakeStream(hass, video, fail, delay, recorded)

    added = "stream" not in hass.config.components
    if added:
        hass.config.components.add("stream")
    try:
        with patch.object(Camera, "async_create_stream", _async_create_stream):
            yield recorded
    finally:
        if added:
            hass.config.components.remove("stream")
