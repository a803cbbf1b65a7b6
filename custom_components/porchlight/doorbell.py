"""An adopted doorbell at run time: rings and motion in, recordings out.

The doorbell watches the entities the household chose (DESIGN.md §3.1) and
turns their changes into the doorbell's events and a recording. The event
fires first and at once, whatever happens to the recording afterwards: an
automation that turns on the porch light must not wait for, or depend on, a
camera that is slow or offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, Self

from homeassistant.config_entries import ConfigSubentry
from homeassistant.const import STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.event import async_track_state_change_event

from .const import (
    CONF_CAMERA_ENTITY,
    CONF_MOTION_ENTITY,
    CONF_RECORD_SECONDS,
    CONF_TRIGGER_ENTITY,
    DEFAULT_RECORD_SECONDS,
    DOMAIN,
    LOGGER,
    MAX_RECORD_SECONDS,
    MIN_RECORD_SECONDS,
)
from .recorder import DoorbellRecorder

if TYPE_CHECKING:
    from .clips import ClipLibrary

RING: Final = "ring"
MOTION: Final = "motion"
LAST_VISITOR: Final = "last_visitor"


def signal_doorbell(entry_id: str, subentry_id: str) -> str:
    """Dispatcher signal for one doorbell's rings, motion and snapshots."""
    return f"{DOMAIN}_{entry_id}_doorbell_{subentry_id}"


@dataclass(frozen=True, slots=True)
class DoorbellConfig:
    """What the household chose for one doorbell."""

    subentry_id: str
    name: str
    camera_entity: str
    trigger_entity: str
    motion_entity: str | None
    record_seconds: int

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> Self:
        """Read a subentry; a hand-edited length is clamped, never trusted.

        Raises:
            ValueError: The camera or trigger entity is missing.
        """
        data = subentry.data
        for key in (CONF_CAMERA_ENTITY, CONF_TRIGGER_ENTITY):
            if not isinstance(data.get(key), str) or "." not in data[key]:
                raise ValueError(key)
        try:
            seconds = int(data.get(CONF_RECORD_SECONDS, DEFAULT_RECORD_SECONDS))
        except (TypeError, ValueError):
            seconds = DEFAULT_RECORD_SECONDS
        return cls(
            subentry_id=subentry.subentry_id,
            name=subentry.title,
            camera_entity=str(data[CONF_CAMERA_ENTITY]),
            trigger_entity=str(data[CONF_TRIGGER_ENTITY]),
            motion_entity=data.get(CONF_MOTION_ENTITY) or None,
            record_seconds=min(max(seconds, MIN_RECORD_SECONDS), MAX_RECORD_SECONDS),
        )


def is_activation(old: State | None, new: State | None) -> bool:
    """Whether a state change of a trigger means it fired.

    A binary sensor fires when it turns on. Events and buttons fire when
    their state (the time of the last event or press) changes. Coming back
    from ``unavailable`` is a reconnect replaying the last state, not a ring;
    ``unknown`` before the first press of a button is a real first press.
    """
    if old is None or new is None:
        return False
    if new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return False
    if old.state == STATE_UNAVAILABLE:
        return False
    if new.domain == "binary_sensor":
        return new.state == STATE_ON and old.state != STATE_ON
    return new.state != old.state


class Doorbell:
    """One doorbell of a loaded entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        clips: ClipLibrary,
        config: DoorbellConfig,
    ) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self.clips = clips
        self.config = config
        self.last_visitor: tuple[bytes, datetime] | None = None
        self._ring_recording = False
        self._unwatch: CALLBACK_TYPE | None = None
        self.recorder = DoorbellRecorder(
            hass,
            clips,
            entry_id=entry_id,
            doorbell_id=config.subentry_id,
            doorbell_name=config.name,
            camera_entity=config.camera_entity,
            record_seconds=config.record_seconds,
            on_snapshot=self._on_snapshot,
        )

    @property
    def signal(self) -> str:
        """Where this doorbell's news is dispatched."""
        return signal_doorbell(self.entry_id, self.config.subentry_id)

    @callback
    def async_start(self) -> CALLBACK_TYPE:
        """Watch the ring (and motion) entities; returns the way to stop."""
        watched = [self.config.trigger_entity]
        if self.config.motion_entity is not None:
            watched.append(self.config.motion_entity)
        self._unwatch = async_track_state_change_event(
            self.hass, watched, self._on_change
        )
        return self.async_unwatch

    @callback
    def async_unwatch(self) -> None:
        """Stop hearing rings and motion (the first step of an unload)."""
        if self._unwatch is not None:
            self._unwatch()
            self._unwatch = None

    async def async_stop(self) -> None:
        """Stop hearing rings and the recording in progress; its clips stay."""
        self.async_unwatch()
        await self.recorder.async_stop()

    @callback
    def _on_change(self, event: Event[EventStateChangedData]) -> None:
        if not is_activation(event.data["old_state"], event.data["new_state"]):
            return
        ring = event.data["entity_id"] == self.config.trigger_entity
        news = RING if ring else MOTION
        LOGGER.debug("Doorbell %s: %s", self.config.name, news)
        # Say so at once, then record unless a recording is already running.
        async_dispatcher_send(self.hass, self.signal, news)
        if self.recorder.async_trigger():
            self._ring_recording = ring
        elif ring and not self._ring_recording:
            # A motion recording is running and covers the footage, but the
            # visitor who rang still gets their own snapshot.
            self.recorder.async_take_snapshot(self._on_visitor)

    @callback
    def _on_visitor(self, image: bytes, taken_at: datetime) -> None:
        self.last_visitor = (image, taken_at)
        async_dispatcher_send(self.hass, self.signal, LAST_VISITOR)

    @callback
    def _on_snapshot(self, image: bytes, taken_at: datetime) -> None:
        """The first snapshot of a ring's recording is the last visitor.

        Motion recordings do not replace it: a passing car is not a visitor.
        """
        if self._ring_recording:
            self._on_visitor(image, taken_at)
