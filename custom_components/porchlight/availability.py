"""Whether the home's hub data may still be shown, and one line per change.

The stream dropping is ``hub_connection``'s news; the other entities show the
last REST resync while it is fresh. The log says once that the hub went and
once that it is back, whichever path (stream or resync) noticed first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .const import DOMAIN, LOGGER


class Availability:
    """The freshness of the last good resync, and the hub's reachability."""

    def __init__(
        self,
        hass: HomeAssistant,
        name: str,
        fresh_for: timedelta,
        changed: Callable[[], None],
    ) -> None:
        self._hass = hass
        self._name = name
        self._fresh_for = fresh_for
        self._changed = changed
        self._stale = False
        self._lost = False
        self._unsub: CALLBACK_TYPE | None = None
        self._job = HassJob(
            self._async_went_stale, f"{DOMAIN} data stale", cancel_on_shutdown=True
        )

    @property
    def fresh(self) -> bool:
        """The last good resync has not gone stale yet."""
        return not self._stale

    @callback
    def lost(self, err: Exception) -> None:
        """The hub did not answer: one line, however often it happens."""
        if self._lost:
            return
        self._lost = True
        LOGGER.warning("The Porchlight hub %s is unreachable: %s", self._name, err)

    @callback
    def resynced(self) -> None:
        """A resync succeeded: fresh again, for ``fresh_for`` from now."""
        if self._lost:
            self._lost = False
            LOGGER.info("The Porchlight hub %s is reachable again", self._name)
        was_stale, self._stale = self._stale, False
        self.stop()
        self._unsub = async_call_later(
            self._hass, self._fresh_for.total_seconds(), self._job
        )
        if was_stale:
            self._changed()

    @callback
    def stop(self) -> None:
        """No more staleness timer (the entry unloads)."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def _async_went_stale(self, _now: Any) -> None:
        self._unsub = None
        self._stale = True
        self._changed()
