"""One recorded clip as the index stores it, and what can go wrong with clips.

Kept apart from the library so code that only handles clips (the outbox, the
recorder, the media browser) needs neither the index nor the file helpers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final, Self

from homeassistant.util import dt as dt_util

from .const import LOGGER

CONTENT_TYPES: Final[dict[str, str]] = {"video/mp4": ".mp4", "image/jpeg": ".jpg"}

_SHA256: Final = re.compile(r"^[0-9a-f]{64}$")
_TEXT_KEYS: Final = ("clip_id", "doorbell", "camera", "content_type", "path")


class ClipStorageError(OSError):
    """A clip could not be written to or read from the clip folder."""


class ClipStorageFull(ClipStorageError):
    """The disk holding the clip folder is full; nothing was written."""


class DamagedClipError(ValueError):
    """A stored index record that cannot be read."""


@dataclass(frozen=True, slots=True)
class Clip:
    """One recorded clip; ``path`` is relative to the library's folder."""

    clip_id: str
    doorbell: str
    camera: str
    start: datetime
    end: datetime
    content_type: str
    size: int
    sha256: str
    path: str

    def to_dict(self) -> dict[str, Any]:
        """The clip as stored in the index."""
        return {**self.describe(), "path": self.path}

    def describe(self) -> dict[str, Any]:
        """The clip for a service response; the file path stays private."""
        return {
            "clip_id": self.clip_id,
            "doorbell": self.doorbell,
            "camera": self.camera,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Read an index record, refusing anything that could not be trusted.

        The path is checked strictly because a purge deletes what it names: a
        damaged or edited index must never point outside the clip folder.

        Raises:
            DamagedClipError: The record is not usable.
        """
        if not isinstance(data, dict):
            raise DamagedClipError("not an object")
        for key in _TEXT_KEYS:
            if not isinstance(data.get(key), str) or not data[key]:
                raise DamagedClipError(f"{key} is missing")
        if data["content_type"] not in CONTENT_TYPES:
            raise DamagedClipError("unsupported content type")
        size = data.get("size")
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise DamagedClipError("size is not a number")
        sha256 = data.get("sha256")
        if not isinstance(sha256, str) or not _SHA256.match(sha256):
            raise DamagedClipError("sha256 is not a digest")
        start = _parse_time(data.get("start"), "start")
        end = _parse_time(data.get("end"), "end")
        if end < start:
            raise DamagedClipError("ends before it starts")
        path = data["path"]
        if path.startswith("/") or "\\" in path or ".." in path.split("/"):
            raise DamagedClipError("path leaves the clip folder")
        return cls(
            clip_id=data["clip_id"],
            doorbell=data["doorbell"],
            camera=data["camera"],
            start=start,
            end=end,
            content_type=data["content_type"],
            size=size,
            sha256=sha256,
            path=path,
        )


def _parse_time(value: Any, key: str) -> datetime:
    if not isinstance(value, str):
        raise DamagedClipError(f"{key} is missing")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise DamagedClipError(f"{key} is not a time") from err
    if parsed.tzinfo is None:
        raise DamagedClipError(f"{key} has no time zone")
    return dt_util.as_utc(parsed)


@dataclass(slots=True)
class ClipIndex:
    """The index in query order: clips sorted by start, with parallel lists."""

    clips: list[Clip]
    starts: list[float]
    ends: list[float]
    records: dict[str, dict[str, Any]]


def parse_index(raw: list[Any], entry_id: str) -> ClipIndex:
    """Read stored records, skipping (and logging) damaged and duplicate ones."""
    parsed: dict[str, tuple[Clip, dict[str, Any]]] = {}
    for position, record in enumerate(raw):
        try:
            clip = Clip.from_dict(record)
        except DamagedClipError as err:
            LOGGER.warning(
                "Skipping damaged clip index record %s of %s: %s",
                position,
                entry_id,
                err,
            )
            continue
        if clip.clip_id in parsed:
            LOGGER.warning("Skipping duplicate clip %s", clip.clip_id)
            continue
        parsed[clip.clip_id] = (clip, record)
    entries = sorted(
        ((clip.start.timestamp(), clip.clip_id, clip, record))
        for clip, record in parsed.values()
    )
    return ClipIndex(
        [entry[2] for entry in entries],
        [entry[0] for entry in entries],
        [entry[2].end.timestamp() for entry in entries],
        {entry[1]: entry[3] for entry in entries},
    )
