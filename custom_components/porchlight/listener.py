"""The push side: one WebSocket per entry, kept open for as long as it loads.

Kept apart from the coordinator (which owns state and the REST resync) as in
the core Ring integration: this class only connects, reconnects with capped,
jittered backoff, and hands messages over. Every (re)connect triggers a full
resync and an outbox flush, so nothing that happened while the line was down
is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable
from typing import Any, Final, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_send

from .api import (
    PorchlightAuthError,
    PorchlightClient,
    PorchlightError,
)
from .const import DOMAIN, LOGGER
from .models import InvalidPayload, StreamMessage


class StreamConsumer(Protocol):
    """Where the stream's news goes (the coordinator).

    A protocol rather than the coordinator's class, so the listener and the
    coordinator do not import each other.
    """

    async def async_refresh(self) -> None:
        """Resync everything over REST."""

    async def async_handle_message(self, message: StreamMessage) -> None:
        """Apply one message."""

    def log_invalid(self, err: Exception) -> None:
        """Warn once about a malformed message."""

    def async_hub_lost(self, err: Exception) -> None:
        """The line dropped."""


BACKOFF_BASE: Final = 1.0
BACKOFF_CAP: Final = 60.0
# A session that stayed up this long was a working line, not a flapping one:
# the next reconnect starts again at the shortest wait.
STEADY_SESSION: Final = 30.0


def signal_connection(entry_id: str) -> str:
    """Dispatcher signal sent when the stream connects or drops."""
    return f"{DOMAIN}_{entry_id}_connection"


def backoff_delay(
    attempt: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP
) -> float:
    """Full jitter: spread reconnects of many homes after a hub restart."""
    return random.uniform(base / 2, min(cap, base * 2**attempt))  # noqa: S311


class StreamListener:
    """Keeps the entry's stream open and feeds the coordinator."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: PorchlightClient,
        coordinator: StreamConsumer,
        on_connect: Callable[[], None] | None = None,
    ) -> None:
        self._hass = hass
        self._entry = entry
        self._client = client
        self._coordinator = coordinator
        self._on_connect = on_connect
        self._task: asyncio.Task[None] | None = None
        self._connected_at: float | None = None
        # Replaced in tests, so a long session needs no long wait.
        self.clock: Callable[[], float] = time.monotonic
        self.connected = False

    @callback
    def async_start(self) -> None:
        """Run in the background for as long as the entry is loaded."""
        self._task = self._entry.async_create_background_task(
            self._hass, self._run(), f"{DOMAIN} stream {self._entry.entry_id}"
        )

    async def async_stop(self) -> None:
        """Close the stream."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @callback
    def _set_connected(self, connected: bool) -> None:
        if connected == self.connected:
            return
        self.connected = connected
        async_dispatcher_send(self._hass, signal_connection(self._entry.entry_id))

    async def _run(self) -> None:
        attempt = 0
        while True:
            self._connected_at = None
            try:
                await self._session()
            except PorchlightAuthError:
                self._set_connected(False)
                LOGGER.warning(
                    "The hub no longer accepts this home's token; re-pairing is needed"
                )
                self._entry.async_start_reauth(self._hass)
                return
            except PorchlightError as err:
                # The coordinator is the one voice for "the hub is gone" and
                # "back"; the entities stay while its REST data is fresh.
                LOGGER.debug("Stream from the Porchlight hub lost: %s", err)
                self._set_connected(False)
                self._coordinator.async_hub_lost(err)
            if self._was_steady():
                attempt = 0
            await asyncio.sleep(backoff_delay(attempt))
            attempt += 1

    def _was_steady(self) -> bool:
        up = self._connected_at
        return up is not None and self.clock() - up >= STEADY_SESSION

    async def _session(self) -> None:
        async with self._client.stream() as stream:
            await self._coordinator.async_refresh()
            self._set_connected(True)
            self._connected_at = self.clock()
            if self._on_connect is not None:
                # Scheduled, not awaited: news from the hub is read at once,
                # whatever the outbox still has to send.
                self._on_connect()
            while True:
                try:
                    message = await stream.receive()
                except InvalidPayload as err:
                    self._coordinator.log_invalid(err)
                    continue
                if message.type == "heartbeat":
                    continue
                await self._coordinator.async_handle_message(message)
