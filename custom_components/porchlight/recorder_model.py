"""What a recording produced, and the state one recording carries along."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Final, Literal

from .clips import Clip

_JPEG_TYPES: Final = frozenset({"image/jpeg", "image/jpg", "image/pjpeg"})

type RecordingMode = Literal["stream", "snapshots", "skipped"]


@dataclass(frozen=True, slots=True)
class RecordingResult:
    """What one ring's recording stored, and why it stored nothing or less.

    ``reason`` is ``None`` for a complete recording, else one of "busy",
    "camera_unavailable", "disk_full", "storage_error", "no_image" (the
    camera gave no JPEG at all), "stream_failed" (snapshots were stored
    instead of video) or "stopped" (the entry unloaded mid-recording).
    """

    mode: RecordingMode
    clips: tuple[Clip, ...]
    reason: str | None = None


class Stop(Exception):
    """The clip library cannot take more clips: this recording ends."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(slots=True)
class Snapshot:
    """One camera image, with when it was taken (it dates the clip)."""

    content: bytes
    content_type: str
    taken_at: datetime


@dataclass(slots=True)
class Run:
    """The state of one recording, kept so a stopped one can still report."""

    mode: RecordingMode = "snapshots"
    clips: list[Clip] = field(default_factory=list)
    snapshot_failed: bool = False
    not_jpeg_logged: bool = False


def is_jpeg(content_type: str) -> bool:
    """Only JPEG is stored and served: a visitor's picture must display."""
    return content_type.split(";", maxsplit=1)[0].strip().lower() in _JPEG_TYPES
