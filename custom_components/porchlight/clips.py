"""The local clip library: doorbell footage on disk, indexed for requests.

Clips live in a folder of the integration's own in the config directory
(``porchlight/clips/<entry_id>/<doorbell>/<UTC day>/<clip_id>.<ext>``), so the
household can see and back up its footage like any other file, and nothing of
it is shared until the household decides so. The index (one record per clip,
with its SHA-256) lives in a private ``Store``: a request's window is answered
from memory, and a clip whose file changed or vanished since it was recorded
is recognised and never uploaded.

The clip model lives in ``clip_model`` and the file work in ``clip_files``;
this module keeps the index. The index is
sorted by start time with the longest clip duration tracked, which bounds a
window query to a binary search plus a scan of the few clips that can overlap.
"""

from __future__ import annotations

import asyncio
import errno
import operator
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any, Final
from uuid import uuid4

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from . import clip_files
from .clip_files import CHUNK_SIZE
from .clip_model import (
    CONTENT_TYPES,
    Clip,
    ClipIndex,
    ClipStorageError,
    ClipStorageFull,
    DamagedClipError,
    parse_index,
)
from .compat import STORE_KWARGS
from .const import DOMAIN, LOGGER

# The model's names are part of the library's interface: callers import them
# from here.
__all__ = [
    "CHUNK_SIZE",
    "CONTENT_TYPES",
    "Clip",
    "ClipLibrary",
    "ClipStorageError",
    "ClipStorageFull",
    "DamagedClipError",
]


STORAGE_VERSION: Final = 1
STORAGE_MINOR_VERSION: Final = 1
SAVE_DELAY: Final = 1.0
# Files the index does not know (left by a crash before the index was saved)
# are deleted once older than the retention, but never younger than this, so
# a clip being written while the purge runs is left alone.
ORPHAN_MIN_AGE: Final = timedelta(hours=1)

_EARLIEST: Final = datetime.min.replace(tzinfo=dt_util.UTC)
_LATEST: Final = datetime.max.replace(tzinfo=dt_util.UTC)


class ClipLibrary:
    """The clips of one config entry: files, index and window queries.

    It answers the coordinator's ``ClipProvider`` (``count``/``describe``).
    Window queries take aware datetimes; naive ones are read in Home
    Assistant's time zone, as ``dt_util.as_utc`` does everywhere.
    """

    def __init__(self, hass: HomeAssistant, entry_id: str) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self.root = Path(hass.config.path(DOMAIN, "clips", entry_id))
        self._store: Store[dict[str, Any]] = Store(
            hass,
            STORAGE_VERSION,
            f"{DOMAIN}.clips.{entry_id}",
            private=True,
            atomic_writes=True,
            minor_version=STORAGE_MINOR_VERSION,
            **STORE_KWARGS,
        )
        self._by_id: dict[str, Clip] = {}
        # Stored records, kept ready so a save does not re-serialise 100,000
        # clips on the event loop.
        self._records: dict[str, dict[str, Any]] = {}
        # Sorted by start; the parallel float lists make bisect and the
        # overlap test cheap.
        self._sorted: list[Clip] = []
        self._starts: list[float] = []
        self._ends: list[float] = []
        # An upper bound on any clip's duration; it only shrinks on a rebuild.
        self._max_duration = 0.0
        self._per_doorbell: Counter[str] = Counter()
        self._listeners: list[Callable[[], None]] = []
        self._extra: dict[str, Any] = {}
        self._lock = asyncio.Lock()
        self._unsaved = False
        self._logged_bad: set[str] = set()

    def __len__(self) -> int:
        return len(self._sorted)

    async def async_load(self) -> None:
        """Load the index; damaged records are skipped and logged, not fatal.

        A skipped record's file is no longer indexed; the purge deletes it
        once it is older than the retention, like any unknown file.
        """
        stored: Any = await self._store.async_load()
        raw: Any = []
        extra: dict[str, Any] = {}
        if isinstance(stored, dict):
            extra = {k: v for k, v in stored.items() if k != "clips"}
            raw = stored.get("clips", [])
        elif stored is not None:
            raw = stored
        if not isinstance(raw, list):
            LOGGER.warning("The clip index of %s is unreadable", self.entry_id)
            raw = []
        # Parsing 100,000 records takes a noticeable time; do it off the
        # event loop. Nothing else sees these records yet.
        index = await self.hass.async_add_executor_job(parse_index, raw, self.entry_id)
        self._extra = extra
        self._set_index(index)

    async def async_add(
        self,
        doorbell: str,
        camera: str,
        start: datetime,
        end: datetime,
        content_type: str,
        data: bytes | Path,
    ) -> Clip:
        """Store a recorded clip and index it.

        ``data`` is the footage itself or a file to copy (the recorder's
        output, which the caller may delete afterwards).

        Raises:
            ValueError: An unsupported content type, no doorbell, or a clip
                that ends before it starts.
            ClipStorageFull: The disk is full; no file was left behind.
            ClipStorageError: Any other error writing the file.
        """
        extension = CONTENT_TYPES.get(content_type)
        if extension is None:
            raise ValueError(f"Unsupported clip content type {content_type!r}")
        if not doorbell:
            raise ValueError("A clip needs a doorbell")
        start = dt_util.as_utc(start)
        end = dt_util.as_utc(end)
        if end < start:
            raise ValueError("A clip cannot end before it starts")
        clip_id = uuid4().hex
        relative = PurePosixPath(
            clip_files.folder_name(doorbell),
            start.strftime("%Y-%m-%d"),
            clip_id + extension,
        )
        try:
            size, sha256 = await self.hass.async_add_executor_job(
                clip_files.write_file, self.root / relative, data
            )
        except OSError as err:
            if err.errno == errno.ENOSPC:
                raise ClipStorageFull(
                    errno.ENOSPC, "No space left for the clip", str(relative)
                ) from err
            raise ClipStorageError(
                err.errno, f"Could not store the clip: {err.strerror or err}"
            ) from err
        clip = Clip(
            clip_id=clip_id,
            doorbell=doorbell,
            camera=camera,
            start=start,
            end=end,
            content_type=content_type,
            size=size,
            sha256=sha256,
            path=str(relative),
        )
        self._insert(clip)
        self._schedule_save()
        self._notify()
        return clip

    def get(self, clip_id: str) -> Clip | None:
        """The clip with this id, if the library has it."""
        return self._by_id.get(clip_id)

    def matching(self, start: datetime, end: datetime) -> list[Clip]:
        """Clips overlapping the window (touching its edges counts), by start."""
        window_start = dt_util.as_utc(start).timestamp()
        window_end = dt_util.as_utc(end).timestamp()
        if window_end < window_start:
            return []
        # Only clips starting no earlier than (window start - longest clip)
        # can still be running at the window's start.
        low = bisect_left(self._starts, window_start - self._max_duration)
        high = bisect_right(self._starts, window_end)
        ends = self._ends
        clips = self._sorted
        return [clips[i] for i in range(low, high) if ends[i] >= window_start]

    def doorbells(self) -> list[str]:
        """The doorbells that have clips in the library."""
        return [doorbell for doorbell, count in self._per_doorbell.items() if count]

    def count_for(self, doorbell: str) -> int:
        """How many clips of one doorbell the library holds."""
        return self._per_doorbell[doorbell]

    def latest(self, doorbell: str, content_type: str | None = None) -> Clip | None:
        """The doorbell's most recent clip (of a content type), if any."""
        for clip in reversed(self._sorted):
            if clip.doorbell == doorbell and content_type in (None, clip.content_type):
                return clip
        return None

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Be told whenever clips are added or removed; returns the way to stop."""
        self._listeners.append(listener)

        @callback
        def remove() -> None:
            self._listeners.remove(listener)

        return remove

    def count(self, start: datetime, end: datetime) -> int:
        """How many clips overlap the window."""
        return len(self.matching(start, end))

    def describe(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """The clips overlapping the window, described for a service response."""
        return [clip.describe() for clip in self.matching(start, end)]

    def clips(
        self,
        start: datetime | None = None,
        end: datetime | None = None,
        doorbell: str | None = None,
    ) -> list[Clip]:
        """Clips by start, optionally within a window and of one doorbell.

        An open side of the window is unbounded.
        """
        if start is None and end is None:
            selected = list(self._sorted)
        else:
            selected = self.matching(
                start if start is not None else _EARLIEST,
                end if end is not None else _LATEST,
            )
        if doorbell is not None:
            selected = [clip for clip in selected if clip.doorbell == doorbell]
        return selected

    def file_path(self, clip: Clip) -> Path:
        """Where the clip's file is (it may have been deleted by hand)."""
        return self.root / clip.path

    async def async_verify(self, clip: Clip) -> bool:
        """Whether the clip's file is still exactly what was recorded.

        A missing or changed file must never be uploaded: the household agreed
        to share what was recorded, and the agency relies on the hash.
        """
        ok = await self.hass.async_add_executor_job(
            clip_files.file_matches, self.file_path(clip), clip.size, clip.sha256
        )
        if not ok and clip.clip_id not in self._logged_bad:
            self._logged_bad.add(clip.clip_id)
            LOGGER.warning(
                "The file of clip %s is missing or no longer matches its hash; "
                "it will not be uploaded",
                clip.clip_id,
            )
        return ok

    async def async_purge(
        self, retention_days: float, now: datetime | None = None
    ) -> int:
        """Delete clips that ended before the retention, and repair the index.

        Index records whose file is gone (deleted by hand) are dropped, files
        the index does not know are deleted once older than the retention,
        and emptied folders are removed. Returns how many index records were
        removed.
        """
        async with self._lock:
            now = dt_util.as_utc(now) if now is not None else dt_util.utcnow()
            cutoff = now - timedelta(days=retention_days)
            orphan_cutoff = min(cutoff, now - ORPHAN_MIN_AGE).timestamp()
            expired = [clip for clip in self._sorted if clip.end < cutoff]
            expired_ids = {clip.clip_id for clip in expired}
            kept = {
                clip.clip_id: clip.path
                for clip in self._sorted
                if clip.clip_id not in expired_ids
            }
            missing = await self.hass.async_add_executor_job(
                clip_files.purge_files,
                self.root,
                [clip.path for clip in expired],
                kept,
                orphan_cutoff,
            )
            removed = expired_ids | set(missing)
            if missing:
                LOGGER.info(
                    "Dropped %s clips whose files were deleted from %s",
                    len(missing),
                    self.root,
                )
            if removed:
                # Clips added while the files were scanned are kept.
                keep = [
                    i
                    for i, clip in enumerate(self._sorted)
                    if clip.clip_id not in removed
                ]
                self._set_index(
                    ClipIndex(
                        [self._sorted[i] for i in keep],
                        [self._starts[i] for i in keep],
                        [self._ends[i] for i in keep],
                        {
                            self._sorted[i].clip_id: self._records[
                                self._sorted[i].clip_id
                            ]
                            for i in keep
                        },
                    )
                )
                self._schedule_save()
                self._notify()
            return len(removed)

    async def async_flush(self) -> None:
        """Write an index change still waiting for its delayed save, now.

        Call it when the config entry unloads, so a later instance does not
        find an index missing the last clips recorded.
        """
        if self._unsaved:
            self._unsaved = False
            await self._store.async_save(self._data_to_save())

    async def async_remove(self) -> None:
        """Delete every clip and the index, with the config entry."""
        async with self._lock:
            await self._store.async_remove()
            self._unsaved = False
            self._extra = {}
            self._set_index(ClipIndex([], [], [], {}))
            await self.hass.async_add_executor_job(clip_files.remove_tree, self.root)
            self._notify()

    # ----------------------------------------------------------------- helpers
    def _set_index(self, index: ClipIndex) -> None:
        self._sorted = index.clips
        self._starts = index.starts
        self._ends = index.ends
        self._records = index.records
        self._by_id = {clip.clip_id: clip for clip in index.clips}
        self._per_doorbell = Counter(clip.doorbell for clip in index.clips)
        self._max_duration = max(
            map(operator.sub, index.ends, index.starts), default=0.0
        )

    def _insert(self, clip: Clip) -> None:
        start = clip.start.timestamp()
        end = clip.end.timestamp()
        index = bisect_right(self._starts, start)
        self._sorted.insert(index, clip)
        self._starts.insert(index, start)
        self._ends.insert(index, end)
        self._by_id[clip.clip_id] = clip
        self._per_doorbell[clip.doorbell] += 1
        self._records[clip.clip_id] = clip.to_dict()
        self._max_duration = max(self._max_duration, end - start)

    def _notify(self) -> None:
        for listener in list(self._listeners):
            listener()

    def _schedule_save(self) -> None:
        self._unsaved = True
        self._store.async_delay_save(self._data_to_save, SAVE_DELAY)

    def _data_to_save(self) -> dict[str, Any]:
        self._unsaved = False
        return {**self._extra, "clips": list(self._records.values())}
