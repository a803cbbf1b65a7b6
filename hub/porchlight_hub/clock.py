"""Time as the hub sees it.

Every rule that depends on time (windows, expiry, retention) reads the clock
through this protocol so tests and benchmarks can move time forward instead of
sleeping.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Source of the current time, always timezone-aware UTC."""

    def now(self) -> datetime:
        """Return the current time."""


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        """Return the current UTC time."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to; for tests and benchmarks."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime.now(UTC)

    def now(self) -> datetime:
        """Return the frozen time."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move time forward."""
        self._now += delta

    def set(self, when: datetime) -> None:
        """Jump to a given instant."""
        self._now = when


def to_ts(when: datetime) -> float:
    """Store times as UTC epoch seconds: comparable and index-friendly in SQL."""
    return when.timestamp()


def from_ts(ts: float) -> datetime:
    """Turn a stored epoch back into an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)


def iso(ts: float | None) -> str | None:
    """Render a stored time for the wire (ISO 8601, UTC)."""
    if ts is None:
        return None
    return from_ts(ts).isoformat().replace("+00:00", "Z")
