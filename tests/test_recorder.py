"""Tests for the doorbell recorder, with real cameras and a real clip library."""

from __future__ import annotations

import asyncio
import errno
import hashlib
import itertools
import logging
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from custom_components.porchlight import clip_files
from custom_components.porchlight import recorder as recorder_module
from custom_components.porchlight.clips import ClipLibrary
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.recorder import DoorbellRecorder
from custom_components.porchlight.recorder_issue import disk_full_issue_id
from custom_components.porchlight.recorder_model import RecordingResult
from custom_components.porchlight.recorder_staging import STAGING_FOLDER
from tests.cameras import (
    JPEG,
    VIDEO,
    FakeCamera,
    async_setup_camera,
    patch_stream_recording,
)
from tests.e2e import wait_for

ENTRY_ID = "entry-1"
DOORBELL = "01JDOORBELLFRONT"
INTERVAL = 0.25  # patched SNAPSHOT_INTERVAL: one second of recording = 4 snapshots
LOGGER_NAME = "custom_components.porchlight"
_REAL_WRITE = clip_files.write_file


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Give the test its own config directory, so clip files stay in tmp_path."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
async def library(hass: HomeAssistant, config_dir: Path) -> ClipLibrary:
    lib = ClipLibrary(hass, ENTRY_ID)
    await lib.async_load()
    return lib


@pytest.fixture(autouse=True)
def fast_snapshots() -> Iterator[None]:
    with patch.object(recorder_module, "SNAPSHOT_INTERVAL", INTERVAL):
        yield


@pytest.fixture
async def camera(hass: HomeAssistant, config_dir: Path) -> FakeCamera:
    return await async_setup_camera(hass)


class Snapshots:
    """Collects what the recorder hands over as the last visitor's image."""

    def __init__(self) -> None:
        self.calls: list[tuple[bytes, datetime]] = []

    def __call__(self, image: bytes, taken_at: datetime) -> None:
        self.calls.append((image, taken_at))


def make_recorder(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera | str,
    *,
    record_seconds: int = 1,
    doorbell_id: str = DOORBELL,
    name: str = "Front doorbell",
    on_snapshot: Any = None,
) -> DoorbellRecorder:
    return DoorbellRecorder(
        hass,
        library,
        entry_id=ENTRY_ID,
        doorbell_id=doorbell_id,
        doorbell_name=name,
        camera_entity=camera if isinstance(camera, str) else camera.entity_id,
        record_seconds=record_seconds,
        on_snapshot=on_snapshot,
    )


def serve(camera: FakeCamera, images: Sequence[bytes | None]) -> None:
    """Make the camera return these images in turn (then the last one again)."""

    async def image(width: int | None = None, height: int | None = None) -> Any:
        camera.snapshots += 1
        return images[min(camera.snapshots, len(images)) - 1]

    camera.async_camera_image = image  # type: ignore[method-assign]


def staging_folder(library: ClipLibrary) -> Path:
    return library.root / STAGING_FOLDER


def staged_files(library: ClipLibrary) -> list[Path]:
    folder = staging_folder(library)
    return sorted(folder.iterdir()) if folder.is_dir() else []


def disk_full_issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, disk_full_issue_id(ENTRY_ID))


def write_failing(err: OSError, after: int = 0) -> Any:
    """A clip writer that stores ``after`` clips and then raises ``err``."""
    calls = 0

    def write(target: Path, data: bytes | Path) -> tuple[int, str]:
        nonlocal calls
        calls += 1
        if calls > after:
            raise err
        return _REAL_WRITE(target, data)

    return patch.object(clip_files, "write_file", write)


def messages(caplog: pytest.LogCaptureFixture, level: int, text: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == level and text in r.getMessage()
    ]


# ------------------------------------------------------------------ snapshots
async def test_snapshot_burst_stores_each_jpeg_as_a_clip(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    images = [JPEG + bytes([n]) for n in range(4)]
    serve(camera, images)
    seen = Snapshots()
    rec = make_recorder(hass, library, camera, on_snapshot=seen)
    before = datetime.now(UTC)

    result = await rec.async_record()

    after = datetime.now(UTC)
    assert result.mode == "snapshots"
    assert result.reason is None
    assert len(result.clips) == 4
    assert camera.snapshots == 4
    assert library.clips() == list(result.clips)
    for clip, image in zip(result.clips, images, strict=True):
        assert clip.doorbell == DOORBELL
        assert clip.camera == "camera.front_door"
        assert clip.content_type == "image/jpeg"
        assert clip.start == clip.end
        assert clip.start.utcoffset() == timedelta(0)
        assert before <= clip.start <= after
        assert clip.size == len(image)
        assert clip.sha256 == hashlib.sha256(image).hexdigest()
        assert library.file_path(clip).read_bytes() == image
    # The first snapshot is the last visitor's image, and only it.
    assert seen.calls == [(images[0], result.clips[0].start)]
    assert not rec.recording


async def test_snapshots_follow_the_schedule(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    rec = make_recorder(hass, library, camera)

    result = await rec.async_record()

    starts = [clip.start for clip in result.clips]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3
    assert all(gap >= INTERVAL - 0.03 for gap in gaps), gaps


async def test_slow_snapshots_do_not_drift_the_schedule(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    camera.delay = 0.15
    rec = make_recorder(hass, library, camera)

    result = await rec.async_record()

    assert len(result.clips) == 4
    span = (result.clips[-1].start - result.clips[0].start).total_seconds()
    # Due at 0, .25, .5, .75 s: .75 s apart; waiting a full interval after
    # each .15 s snapshot would take 3 * .4 = 1.2 s.
    assert 0.7 <= span < 1.1, span


async def test_a_camera_slower_than_the_recording_stops_at_its_end(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    camera.delay = 0.6
    rec = make_recorder(hass, library, camera)

    result = await rec.async_record()

    # 0-.6 s and .6-1.2 s; the third was due at .5 s but could only start
    # after the second recording second.
    assert camera.snapshots == 2
    assert len(result.clips) == 2


async def test_no_recording_time_still_takes_one_snapshot(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    rec = make_recorder(hass, library, camera, record_seconds=0)

    result = await rec.async_record()

    assert camera.snapshots == 1
    assert len(result.clips) == 1


async def test_failed_snapshots_are_skipped_and_logged_once(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    serve(camera, [None, JPEG, None, JPEG])
    seen = Snapshots()
    rec = make_recorder(hass, library, camera, on_snapshot=seen)

    result = await rec.async_record()

    assert camera.snapshots == 4
    assert len(result.clips) == 2
    assert result.reason is None
    assert seen.calls == []  # the ring's snapshot failed
    assert len(messages(caplog, logging.WARNING, "A snapshot of Front doorbell")) == 1


async def test_a_camera_without_images_stores_nothing(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    camera = await async_setup_camera(hass, image=None)
    rec = make_recorder(hass, library, camera)

    result = await rec.async_record()

    assert result == RecordingResult("snapshots", (), "no_image")
    assert camera.snapshots == 4
    assert len(library) == 0
    assert len(messages(caplog, logging.WARNING, "camera.front_door")) == 1


async def test_non_jpeg_snapshots_are_skipped_with_one_log_line(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    camera.content_type = "image/png"
    seen = Snapshots()
    rec = make_recorder(hass, library, camera, on_snapshot=seen)

    result = await rec.async_record()

    assert result == RecordingResult("snapshots", (), "no_image")
    assert camera.snapshots == 4
    assert len(library) == 0
    # The last-visitor image is served as JPEG: a PNG is not offered to it.
    assert seen.calls == []
    assert len(messages(caplog, logging.WARNING, "image/png")) == 1


async def test_a_camera_turning_to_jpeg_mid_burst(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    camera.content_type = "image/png"
    seen = Snapshots()
    fetch = camera.async_camera_image

    async def first_png_then_jpeg(
        width: int | None = None, height: int | None = None
    ) -> bytes | None:
        # The integration reads the type after the image: the first one is
        # still a PNG, every later one a JPEG.
        if camera.snapshots:
            camera.content_type = "image/jpeg; charset=binary"
        return await fetch(width, height)

    camera.async_camera_image = first_png_then_jpeg  # type: ignore[method-assign]
    rec = make_recorder(hass, library, camera, on_snapshot=seen)

    result = await rec.async_record()

    assert camera.snapshots == 4
    assert len(result.clips) == 3
    assert seen.calls == []


async def test_a_failing_snapshot_callback_does_not_stop_the_recording(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(image: bytes, taken_at: datetime) -> None:
        raise RuntimeError("image entity gone")

    rec = make_recorder(hass, library, camera, on_snapshot=broken)

    result = await rec.async_record()

    assert len(result.clips) == 4
    assert messages(caplog, logging.ERROR, "Handling the snapshot of Front doorbell")


# --------------------------------------------------------- camera availability
async def test_unavailable_camera_is_skipped(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    camera._attr_available = False
    camera.async_write_ha_state()
    seen = Snapshots()
    rec = make_recorder(hass, library, camera, on_snapshot=seen)

    result = await rec.async_record()

    assert result == RecordingResult("skipped", (), "camera_unavailable")
    assert camera.snapshots == 0
    assert seen.calls == []
    warnings = messages(caplog, logging.WARNING, "unavailable")
    assert warnings == [
        "Not recording Front doorbell: its camera camera.front_door is unavailable"
    ]
    assert not rec.recording


async def test_missing_camera_is_skipped_from_a_ring(
    hass: HomeAssistant, library: ClipLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    rec = make_recorder(hass, library, "camera.nowhere")

    assert rec.async_trigger()
    await wait_for(lambda: not rec.recording)

    assert len(library) == 0
    assert messages(caplog, logging.WARNING, "camera.nowhere")
    assert not messages(caplog, logging.ERROR, "")
    assert (await rec.async_record()).reason == "camera_unavailable"


async def test_a_camera_turned_off_gives_no_image(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    camera._attr_is_on = False
    camera.async_write_ha_state()
    rec = make_recorder(hass, library, camera)

    with patch_stream_recording(hass) as recorded:
        result = await rec.async_record()

    assert recorded == []
    assert result == RecordingResult("snapshots", (), "no_image")


# ----------------------------------------------------------------- one at once
async def test_a_second_ring_while_recording_starts_nothing(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    rec = make_recorder(hass, library, camera)

    assert rec.async_trigger()
    assert rec.recording
    assert not rec.async_trigger()
    assert await rec.async_record() == RecordingResult("skipped", (), "busy")
    await wait_for(lambda: not rec.recording)

    assert camera.snapshots == 4
    assert len(library) == 4
    # Once done, the next ring records again.
    assert (await rec.async_record()).clips
    assert len(library) == 8


async def test_doorbells_record_independently(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    back = await async_setup_camera(hass, "Back door")
    front_rec = make_recorder(hass, library, camera)
    back_rec = make_recorder(hass, library, back, doorbell_id="01JDOORBELLBACK")

    front, back_result = await asyncio.gather(
        front_rec.async_record(), back_rec.async_record()
    )

    assert len(front.clips) == len(back_result.clips) == 4
    assert {c.camera for c in back_result.clips} == {"camera.back_door"}
    assert {c.doorbell for c in back_result.clips} == {"01JDOORBELLBACK"}


async def test_an_unexpected_error_in_a_ring_is_logged(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = make_recorder(hass, library, camera)

    with patch.object(library, "async_add", side_effect=ValueError("bug")):
        with pytest.raises(ValueError, match="bug"):
            await rec.async_record()
        assert not rec.recording
        assert rec.async_trigger()
        await wait_for(lambda: not rec.recording)

    assert messages(caplog, logging.ERROR, "Recording Front doorbell failed")


# --------------------------------------------------------------------- stream
async def test_a_streaming_camera_records_video(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    seen = Snapshots()
    rec = make_recorder(hass, library, camera, record_seconds=7, on_snapshot=seen)
    allowed = set(hass.config.allowlist_external_dirs)
    before = datetime.now(UTC)

    with patch_stream_recording(hass) as recorded:
        result = await rec.async_record()

    folder = staging_folder(library).resolve()
    assert hass.config.allowlist_external_dirs - allowed == {str(folder)}
    assert allowed <= hass.config.allowlist_external_dirs
    assert len(recorded) == 1
    path, duration = recorded[0]
    assert duration == 7
    assert Path(path).parent == folder
    assert Path(path).name.startswith(f"{DOORBELL}-")
    assert Path(path).suffix == ".mp4"
    assert staged_files(library) == []
    assert result.mode == "stream"
    assert result.reason is None
    (clip,) = result.clips
    assert library.clips() == [clip]
    assert clip.content_type == "video/mp4"
    assert clip.camera == "camera.front_door"
    assert clip.doorbell == DOORBELL
    assert before <= clip.start <= clip.end <= datetime.now(UTC)
    assert clip.sha256 == hashlib.sha256(VIDEO).hexdigest()
    assert library.file_path(clip).read_bytes() == VIDEO
    # One snapshot for the last visitor, not stored as a clip.
    assert camera.snapshots == 1
    assert seen.calls == [(JPEG, seen.calls[0][1])]


async def test_without_the_stream_integration_a_streaming_camera_takes_snapshots(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera)

    result = await rec.async_record()

    assert result.mode == "snapshots"
    assert len(result.clips) == 4
    assert not staging_folder(library).exists()


async def test_a_camera_that_cannot_stream_takes_snapshots(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    rec = make_recorder(hass, library, camera)

    with patch_stream_recording(hass) as recorded:
        result = await rec.async_record()

    assert recorded == []
    assert result.mode == "snapshots"
    assert len(result.clips) == 4


@pytest.mark.parametrize(
    "error", [HomeAssistantError("Stream already recording"), OSError("broken pipe")]
)
async def test_a_failed_stream_recording_falls_back_to_snapshots(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera)

    with patch_stream_recording(hass, fail=error) as recorded:
        result = await rec.async_record()

    assert len(recorded) == 1
    assert result.mode == "snapshots"
    assert result.reason == "stream_failed"
    assert len(result.clips) == 4
    assert {c.content_type for c in result.clips} == {"image/jpeg"}
    assert camera.snapshots == 4  # the ring's snapshot is the first of them
    assert staged_files(library) == []
    assert messages(caplog, logging.WARNING, str(error))


async def test_an_empty_stream_recording_falls_back_to_snapshots(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera)

    with patch_stream_recording(hass, video=b""):
        result = await rec.async_record()

    assert result.reason == "stream_failed"
    assert len(result.clips) == 4
    assert staged_files(library) == []


async def test_a_stream_recording_without_a_file_falls_back_to_snapshots(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera)

    with patch_stream_recording(hass, delay=0.1):
        task = hass.async_create_task(rec.async_record())
        await wait_for(lambda: bool(staged_files(library)))
        staged_files(library)[0].unlink()
        result = await task

    assert result.reason == "stream_failed"
    assert {c.content_type for c in result.clips} == {"image/jpeg"}


async def test_a_stuck_stream_recording_is_abandoned(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera)

    # A timeout of 1 s - 0.8 s: the recording gives up after .2 s.
    with (
        patch.object(recorder_module, "STREAM_GRACE", -0.8),
        patch_stream_recording(hass, delay=30),
    ):
        result = await rec.async_record()

    assert result.mode == "snapshots"
    assert result.reason == "stream_failed"
    # The remaining slots (.25, .5, .75 s) are still within the second.
    assert len(result.clips) == 4
    assert staged_files(library) == []
    assert messages(caplog, logging.WARNING, "did not finish in time")


async def test_leftover_recordings_of_the_doorbell_are_cleared(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    folder = staging_folder(library)
    folder.mkdir(parents=True)
    leftover = folder / f"{DOORBELL}-{'a' * 32}.mp4"
    leftover.write_bytes(VIDEO)
    other = folder / f"{DOORBELL}-SIDE-{'b' * 32}.mp4"  # doorbell "<id>-SIDE"
    other.write_bytes(VIDEO)
    stuck = folder / f"{DOORBELL}-{'c' * 32}.mp4"
    stuck.mkdir()  # not a file: cannot be unlinked, only logged
    rec = make_recorder(hass, library, camera)

    with patch_stream_recording(hass):
        result = await rec.async_record()

    assert result.mode == "stream"
    assert not leftover.exists()
    assert other.exists()
    assert stuck.is_dir()
    assert messages(caplog, logging.WARNING, "Could not delete the recording file")


async def test_an_unusual_doorbell_id_stays_in_the_staging_folder(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera, doorbell_id="../../front door")

    with patch_stream_recording(hass) as recorded:
        result = await rec.async_record()

    path = Path(recorded[0][0])
    assert path.parent == staging_folder(library).resolve()
    assert path.name.startswith("doorbell_")
    assert result.clips[0].doorbell == "../../front door"


# ------------------------------------------------------------------ disk full
async def test_a_full_disk_stops_the_recording_and_raises_an_issue(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = make_recorder(hass, library, camera)

    with write_failing(OSError(errno.ENOSPC, "No space left on device"), after=1):
        result = await rec.async_record()

    assert result.mode == "snapshots"
    assert result.reason == "disk_full"
    assert len(result.clips) == 1
    assert library.clips() == list(result.clips)
    assert camera.snapshots == 2  # no more snapshots once the disk is full
    issue = disk_full_issue(hass)
    assert issue is not None
    assert issue.severity == ir.IssueSeverity.ERROR
    assert issue.translation_key == "disk_full"
    assert not issue.is_fixable
    assert issue.translation_placeholders == {
        "doorbell": "Front doorbell",
        "path": str(library.root),
    }
    assert messages(caplog, logging.ERROR, "is full")

    # Space is back: the next ring, of any doorbell of the entry, clears it.
    back = await async_setup_camera(hass, "Back door")
    back_rec = make_recorder(hass, library, back, doorbell_id="01JDOORBELLBACK")
    assert (await back_rec.async_record()).reason is None
    assert disk_full_issue(hass) is None


async def test_a_full_disk_during_a_stream_recording(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera)

    with (
        patch_stream_recording(hass),
        write_failing(OSError(errno.ENOSPC, "No space left on device")),
    ):
        result = await rec.async_record()

    assert result == RecordingResult("stream", (), "disk_full")
    assert camera.snapshots == 1
    assert staged_files(library) == []
    assert disk_full_issue(hass) is not None


async def test_other_storage_errors_stop_the_recording(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = make_recorder(hass, library, camera)

    with write_failing(OSError(errno.EACCES, "Permission denied")):
        result = await rec.async_record()

    assert result == RecordingResult("snapshots", (), "storage_error")
    assert camera.snapshots == 1
    assert disk_full_issue(hass) is None
    assert messages(caplog, logging.ERROR, "Permission denied")


# ---------------------------------------------------------------------- stop
async def test_stop_cancels_a_burst_and_keeps_its_clips(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    rec = make_recorder(hass, library, camera, record_seconds=30)
    task = hass.async_create_task(rec.async_record())
    await wait_for(lambda: len(library) >= 2)

    await rec.async_stop()

    assert not rec.recording
    result = await task
    assert result.reason == "stopped"
    assert result.mode == "snapshots"
    assert len(result.clips) >= 2
    assert library.clips() == list(result.clips)
    assert all(library.file_path(c).read_bytes() == JPEG for c in result.clips)
    taken = camera.snapshots
    await asyncio.sleep(INTERVAL * 2)
    assert camera.snapshots == taken
    await rec.async_stop()  # nothing running: nothing to do


async def test_stop_cancels_a_ring(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = make_recorder(hass, library, camera, record_seconds=30)
    assert rec.async_trigger()
    await wait_for(lambda: len(library) >= 1)

    await rec.async_stop()
    await hass.async_block_till_done()

    assert not rec.recording
    assert not messages(caplog, logging.ERROR, "")
    # A stopped recorder (its entry is unloading) refuses every later ring.
    assert not rec.async_trigger()
    assert await rec.async_record() == RecordingResult("skipped", (), "stopped")
    assert not rec.recording


async def test_stop_deletes_a_half_recorded_video(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera, record_seconds=30)

    with patch_stream_recording(hass, delay=30):
        task = hass.async_create_task(rec.async_record())
        await wait_for(lambda: bool(staged_files(library)))
        await rec.async_stop()

    assert await task == RecordingResult("stream", (), "stopped")
    assert staged_files(library) == []
    assert len(library) == 0


async def test_stop_lets_a_clip_being_written_finish(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    writing = threading.Event()
    release = threading.Event()

    def slow_write(target: Path, data: bytes | Path) -> tuple[int, str]:
        writing.set()
        release.wait(10)
        return _REAL_WRITE(target, data)

    rec = make_recorder(hass, library, camera, record_seconds=30)
    with patch.object(clip_files, "write_file", slow_write):
        task = hass.async_create_task(rec.async_record())
        await wait_for(writing.is_set)
        stop = hass.async_create_task(rec.async_stop())
        await asyncio.sleep(0.05)
        assert not stop.done()  # waits for the clip in the writer
        release.set()
        await stop

    result = await task
    assert result.reason == "stopped"
    assert len(result.clips) == 1
    assert library.clips() == list(result.clips)
    assert library.file_path(result.clips[0]).read_bytes() == JPEG


async def test_cancelling_the_caller_cancels_the_recording(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    rec = make_recorder(hass, library, camera, record_seconds=30)
    task = hass.async_create_task(rec.async_record())
    await wait_for(lambda: len(library) >= 1)

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert not rec.recording
    taken = camera.snapshots
    await asyncio.sleep(INTERVAL * 2)
    assert camera.snapshots == taken


async def test_stop_right_after_a_ring_records_nothing(
    hass: HomeAssistant,
    library: ClipLibrary,
    camera: FakeCamera,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rec = make_recorder(hass, library, camera)

    assert rec.async_trigger()
    await rec.async_stop()
    await hass.async_block_till_done()

    assert not rec.recording
    assert camera.snapshots == 0
    assert len(library) == 0
    assert not messages(caplog, logging.ERROR, "")


# ------------------------------------------------------------- issue 12 fixes
async def test_the_staging_folder_is_allowlisted_once_and_removed_at_stop(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    camera = await async_setup_camera(hass, stream=True)
    rec = make_recorder(hass, library, camera, record_seconds=1)
    allowed = set(hass.config.allowlist_external_dirs)
    added: list[str] = []
    real_dirs = hass.config.allowlist_external_dirs

    class Spy(set[str]):
        def add(self, value: str) -> None:
            added.append(value)
            super().add(value)

    hass.config.allowlist_external_dirs = Spy(real_dirs)
    with patch_stream_recording(hass):
        for _ in range(3):
            assert (await rec.async_record()).mode == "stream"
    folder = str(staging_folder(library).resolve())
    assert added == [folder]
    assert hass.config.allowlist_external_dirs - allowed == {folder}

    await rec.async_stop()
    assert set(hass.config.allowlist_external_dirs) == allowed


async def test_a_snapshot_outside_a_recording(
    hass: HomeAssistant, library: ClipLibrary, camera: FakeCamera
) -> None:
    rec = make_recorder(hass, library, camera)
    seen: list[bytes] = []
    done = asyncio.Event()

    def got(image: bytes, _taken: datetime) -> None:
        seen.append(image)
        done.set()

    rec.async_take_snapshot(got)
    rec.async_take_snapshot(got)  # one at a time
    await asyncio.wait_for(done.wait(), 5)
    await hass.async_block_till_done()
    assert seen == [JPEG]
    assert len(library) == 0  # a picture of the visitor, not a clip
    await rec.async_stop()
    rec.async_take_snapshot(got)
    await hass.async_block_till_done()
    assert seen == [JPEG]
