"""The doorbell recorder: footage of a ring, from any camera, into the clip library.

A ring must leave footage behind whatever the camera is (DESIGN §3.5), so the
recorder only uses what every camera in Home Assistant offers: a camera that
streams is recorded as video with the ``camera.record`` service, any other one
(or a stream that fails) as a burst of JPEG snapshots, each stored as a clip
of its own. It runs in the background, never on the event loop's time, and at
most once at a time per doorbell: a second ring during a recording is footage
the running recording already covers.

A full disk stops the recording and raises a repair issue instead of failing
over and over in the log; the next clip stored (at any later ring) clears it,
so recording resumes by itself once space returns.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Final
from uuid import uuid4

from homeassistant.components.camera import (
    CameraEntityFeature,
    Image,
    async_get_image,
)
from homeassistant.components.camera.const import DOMAIN as CAMERA_DOMAIN
from homeassistant.components.camera.const import SERVICE_RECORD
from homeassistant.components.camera.helper import get_camera_from_entity_id
from homeassistant.const import ATTR_ENTITY_ID, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .clips import ClipLibrary, ClipStorageError, ClipStorageFull
from .const import DOMAIN, LOGGER
from .recorder_issue import clear_disk_full, raise_disk_full
from .recorder_model import (
    RecordingResult,
    Run,
    Snapshot,
    Stop,
    is_jpeg,
)
from .recorder_staging import (
    STAGING_FOLDER,
    file_size,
    prepare_staging,
    staging_prefix,
    unlink,
)

# Seconds between snapshots when the camera does not stream.
SNAPSHOT_INTERVAL: Final = 2.0
# How long one snapshot may take before it counts as failed.
SNAPSHOT_TIMEOUT: Final = 10
# A stream recording first connects to the camera and waits for a keyframe,
# and writes the file after the last segment; past record_seconds plus this,
# the camera is taken as stuck and the rest of the ring is snapshots.
STREAM_GRACE: Final = 30.0

JPEG: Final = "image/jpeg"
MP4: Final = "video/mp4"


class DoorbellRecorder:
    """Records one doorbell's camera into the clip library when it rings."""

    def __init__(
        self,
        hass: HomeAssistant,
        clips: ClipLibrary,
        *,
        entry_id: str,
        doorbell_id: str,
        doorbell_name: str,
        camera_entity: str,
        record_seconds: int,
        on_snapshot: Callable[[bytes, datetime], None] | None = None,
    ) -> None:
        self.hass = hass
        self.clips = clips
        self.entry_id = entry_id
        self.doorbell_id = doorbell_id
        self.doorbell_name = doorbell_name
        self.camera_entity = camera_entity
        self.record_seconds = record_seconds
        self._on_snapshot = on_snapshot
        # Set synchronously before any await, so two rings in the same loop
        # iteration cannot both start a recording.
        self._busy = False
        self._stopped = False
        self._task: asyncio.Task[RecordingResult] | None = None
        self._snapshot_task: asyncio.Task[None] | None = None
        # The staging folder this recorder allowlisted, removed at stop.
        self._allowlisted: str | None = None

    @property
    def recording(self) -> bool:
        """Whether a recording of this doorbell is running."""
        return self._busy

    @callback
    def async_trigger(self) -> bool:
        """Start a recording in the background; False if busy or stopped."""
        if self._busy or self._stopped:
            return False
        _run, task = self._async_start()
        task.add_done_callback(self._async_log_failure)
        return True

    async def async_record(self) -> RecordingResult:
        """Record now and wait for it; "skipped"/"busy" if already recording."""
        if self._busy:
            return RecordingResult("skipped", (), "busy")
        if self._stopped:
            return RecordingResult("skipped", (), "stopped")
        run, task = self._async_start()
        try:
            return await task
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the caller was cancelled (and the recording with it)
            LOGGER.debug(
                "Recording of %s stopped after %s clips",
                self.doorbell_name,
                len(run.clips),
            )
            return RecordingResult(run.mode, tuple(run.clips), "stopped")
        finally:
            self._async_done(task)

    @callback
    def async_take_snapshot(self, on_image: Callable[[bytes, datetime], None]) -> None:
        """Take one JPEG snapshot in the background, outside any recording.

        For a ring while a motion recording runs: the recording covers the
        footage, the visitor still needs their own picture.
        """
        if self._stopped or self._snapshot_task is not None:
            return
        self._snapshot_task = self.hass.async_create_background_task(
            self._async_one_snapshot(on_image),
            f"{DOMAIN} snapshot of {self.doorbell_id}",
        )

    async def _async_one_snapshot(
        self, on_image: Callable[[bytes, datetime], None]
    ) -> None:
        try:
            snapshot = await self._async_snapshot(Run())
            if snapshot is not None and is_jpeg(snapshot.content_type):
                on_image(snapshot.content, snapshot.taken_at)
        finally:
            self._snapshot_task = None

    async def async_stop(self) -> None:
        """Refuse new recordings, cancel a running one and wait for its cleanup.

        Clips already stored stay; a stream recording's unfinished file is
        deleted, and the staging folder leaves the allowlist.
        """
        self._stopped = True
        tasks = [t for t in (self._task, self._snapshot_task) if t is not None]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        if self._allowlisted is not None:
            self.hass.config.allowlist_external_dirs.discard(self._allowlisted)
            self._allowlisted = None

    # ------------------------------------------------------------- internals
    @callback
    def _async_start(self) -> tuple[Run, asyncio.Task[RecordingResult]]:
        """Start a recording in a task of its own, so async_stop cancels only it.

        Busy flag and task are set before anything awaits: a second ring in
        the same loop iteration sees the recording, and an unload right after
        a ring cancels it.
        """
        run = Run()
        self._busy = True
        task = self.hass.async_create_background_task(
            self._async_record(run),
            f"{DOMAIN} recording of {self.doorbell_id}",
            eager_start=False,
        )
        self._task = task
        task.add_done_callback(self._async_done)
        return run, task

    @callback
    def _async_log_failure(self, task: asyncio.Task[RecordingResult]) -> None:
        # Nobody awaits a ring's recording: anything unexpected is logged here.
        if not task.cancelled() and (err := task.exception()) is not None:
            LOGGER.error("Recording %s failed", self.doorbell_name, exc_info=err)

    @callback
    def _async_done(self, task: asyncio.Task[RecordingResult]) -> None:
        # Called as the task's done callback and by async_record (whose
        # caller must see the flag cleared at once); only the running
        # task's end clears it, never an older one's.
        if self._task is task and task.done():
            self._task = None
            self._busy = False

    async def _async_record(self, run: Run) -> RecordingResult:
        state = self.hass.states.get(self.camera_entity)
        if state is None or state.state == STATE_UNAVAILABLE:
            LOGGER.warning(
                "Not recording %s: its camera %s is unavailable",
                self.doorbell_name,
                self.camera_entity,
            )
            return RecordingResult("skipped", (), "camera_unavailable")
        loop = self.hass.loop
        started = loop.time()
        start = dt_util.utcnow()
        first = await self._async_snapshot(run)
        # The last-visitor image is served as JPEG; other formats are not
        # stored either (see _async_burst).
        if (
            first is not None
            and self._on_snapshot is not None
            and is_jpeg(first.content_type)
        ):
            try:
                self._on_snapshot(first.content, first.taken_at)
            except Exception:
                LOGGER.exception(
                    "Handling the snapshot of %s failed", self.doorbell_name
                )
        reason: str | None = None
        try:
            if self._supports_stream():
                run.mode = "stream"
                if await self._async_record_stream(run, start):
                    return self._result(run, None)
                run.mode = "snapshots"
                reason = "stream_failed"
            await self._async_burst(run, first, started)
        except Stop as stop:
            return self._result(run, stop.reason)
        if not run.clips:
            reason = "no_image"
        return self._result(run, reason)

    def _result(self, run: Run, reason: str | None) -> RecordingResult:
        LOGGER.debug(
            "Recorded %s clips of %s in %s mode (%s)",
            len(run.clips),
            self.doorbell_name,
            run.mode,
            reason or "complete",
        )
        return RecordingResult(run.mode, tuple(run.clips), reason)

    def _supports_stream(self) -> bool:
        if "stream" not in self.hass.config.components:
            return False
        try:
            camera = get_camera_from_entity_id(self.hass, self.camera_entity)
        except HomeAssistantError:
            return False
        return bool(camera.supported_features & CameraEntityFeature.STREAM)

    async def _async_snapshot(self, run: Run) -> Snapshot | None:
        try:
            image: Image = await async_get_image(
                self.hass, self.camera_entity, timeout=SNAPSHOT_TIMEOUT
            )
        except HomeAssistantError as err:
            if not run.snapshot_failed:
                run.snapshot_failed = True
                LOGGER.warning(
                    "A snapshot of %s from %s failed: %s",
                    self.doorbell_name,
                    self.camera_entity,
                    err,
                )
            return None
        return Snapshot(image.content, image.content_type, dt_util.utcnow())

    async def _async_record_stream(self, run: Run, start: datetime) -> bool:
        """Record video; False when it failed and snapshots should follow."""
        root = self.clips.root
        prefix = staging_prefix(self.doorbell_id)
        folder = await self.hass.async_add_executor_job(
            prepare_staging, root / STAGING_FOLDER, prefix
        )
        # Stream recording only writes inside allowlisted folders. Only this
        # folder is added, and only files in progress ever sit in it: a
        # finished recording is copied into the library (outside the
        # allowlist) and deleted here, so nothing the household keeps becomes
        # reachable through other integrations' file access.
        if self._allowlisted is None:
            self._allowlisted = str(folder)
            self.hass.config.allowlist_external_dirs.add(self._allowlisted)
        staging = folder / f"{prefix}{uuid4().hex}.mp4"
        try:
            try:
                async with asyncio.timeout(self.record_seconds + STREAM_GRACE):
                    await self.hass.services.async_call(
                        CAMERA_DOMAIN,
                        SERVICE_RECORD,
                        {
                            ATTR_ENTITY_ID: self.camera_entity,
                            "filename": str(staging),
                            "duration": self.record_seconds,
                            "lookback": 0,
                        },
                        blocking=True,
                    )
            # TimeoutError is an OSError: it must come first.
            except TimeoutError:
                self._log_stream_failure("it did not finish in time")
                return False
            except (HomeAssistantError, OSError) as err:
                self._log_stream_failure(str(err))
                return False
            end = dt_util.utcnow()
            if not await self.hass.async_add_executor_job(file_size, staging):
                self._log_stream_failure("it produced no video")
                return False
            await self._async_store(run, start, max(start, end), MP4, staging)
            return True
        finally:
            await self.hass.async_add_executor_job(unlink, staging)

    def _log_stream_failure(self, why: str) -> None:
        LOGGER.warning(
            "Recording video of %s from %s failed (%s); taking snapshots instead",
            self.doorbell_name,
            self.camera_entity,
            why,
        )

    async def _async_burst(
        self, run: Run, first: Snapshot | None, started: float
    ) -> None:
        """A snapshot every SNAPSHOT_INTERVAL for record_seconds.

        Snapshot k is due at ``started + k * SNAPSHOT_INTERVAL`` on the loop's
        clock, so a slow camera delays one snapshot, not all later ones. A
        snapshot that comes due after record_seconds (a slow camera, or a
        failed stream recording that used the time up) is not taken.
        """
        loop = self.hass.loop
        count = max(1, math.ceil(self.record_seconds / SNAPSHOT_INTERVAL))
        deadline = started + self.record_seconds
        snapshot = first
        for number in range(count):
            if number:
                wait = started + number * SNAPSHOT_INTERVAL - loop.time()
                if wait > 0:
                    await asyncio.sleep(wait)
                elif loop.time() >= deadline:
                    break
                snapshot = await self._async_snapshot(run)
            if snapshot is None:
                continue
            if not is_jpeg(snapshot.content_type):
                if not run.not_jpeg_logged:
                    run.not_jpeg_logged = True
                    LOGGER.warning(
                        "Camera %s sends %s snapshots, not JPEG; they are not stored",
                        self.camera_entity,
                        snapshot.content_type,
                    )
                continue
            taken = snapshot.taken_at
            await self._async_store(run, taken, taken, JPEG, snapshot.content)

    async def _async_store(
        self,
        run: Run,
        start: datetime,
        end: datetime,
        content_type: str,
        data: bytes | Path,
    ) -> None:
        adding = self.hass.async_create_task(
            self.clips.async_add(
                self.doorbell_id, self.camera_entity, start, end, content_type, data
            ),
            f"{DOMAIN} clip of {self.doorbell_id}",
        )
        try:
            clip = await asyncio.shield(adding)
        except asyncio.CancelledError:
            # Stopped while a clip is being written: let it finish and be
            # indexed (and the staging file outlive the copy), rather than
            # leave a file on disk the index does not know.
            await asyncio.wait([adding])
            if not adding.cancelled() and adding.exception() is None:
                run.clips.append(adding.result())
            raise
        except ClipStorageFull as err:
            LOGGER.error(
                "Cannot store the recording of %s: the disk holding %s is full",
                self.doorbell_name,
                self.clips.root,
            )
            raise_disk_full(
                self.hass, self.entry_id, self.doorbell_name, self.clips.root
            )
            raise Stop("disk_full") from err
        except ClipStorageError as err:
            LOGGER.error(
                "Cannot store the recording of %s: %s", self.doorbell_name, err
            )
            raise Stop("storage_error") from err
        run.clips.append(clip)
        clear_disk_full(self.hass, self.entry_id)
