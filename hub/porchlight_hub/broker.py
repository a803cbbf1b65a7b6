"""Fan-out of stream messages to the homes' open WebSockets.

Publishing never awaits a socket: each subscriber has a bounded queue drained
by its own writer, so one slow home cannot delay a fan-out to ten thousand.
A subscriber whose queue overflows is disconnected; it resyncs on reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from .clock import Clock

_LOGGER = logging.getLogger(__name__)


class Subscriber:
    """One open stream of one home.

    The queue holds messages, then ``None`` once the subscriber fell behind:
    its writer closes the socket when it reaches that mark.
    """

    def __init__(self, home_id: str, maxsize: int) -> None:
        self.home_id = home_id
        self.maxsize = maxsize
        self.queue: asyncio.Queue[dict[str, Any] | None] = asyncio.Queue()
        self.overflowed = False
        # Called on overflow: a client that stopped reading leaves its writer
        # stuck in a send, so the mark in the queue alone would never be seen.
        self.on_overflow: Callable[[], None] | None = None


class Broker:
    """Routes messages by home id."""

    def __init__(self, clock: Clock, queue_size: int) -> None:
        self._clock = clock
        self._queue_size = queue_size
        self._subs: dict[str, set[Subscriber]] = {}

    def subscribe(self, home_id: str) -> Subscriber:
        """Register a stream before its handshake completes, so nothing is missed."""
        sub = Subscriber(home_id, self._queue_size)
        self._subs.setdefault(home_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget a closed stream."""
        subs = self._subs.get(sub.home_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.home_id]

    def connected(self, home_id: str) -> bool:
        """Whether the home has an open stream."""
        return home_id in self._subs

    def message(self, type_: str, data: dict[str, Any]) -> dict[str, Any]:
        """Build the wire envelope."""
        return {
            "type": type_,
            "data": data,
            "ts": self._clock.now().isoformat().replace("+00:00", "Z"),
        }

    def publish(self, home_id: str, type_: str, data: dict[str, Any]) -> None:
        """Queue a message for every stream of one home."""
        subs = self._subs.get(home_id)
        if not subs:
            return
        msg = self.message(type_, data)
        for sub in list(subs):
            self._offer(sub, msg)

    @staticmethod
    def _offer(sub: Subscriber, msg: dict[str, Any]) -> None:
        if sub.overflowed:
            return
        if sub.queue.qsize() >= sub.maxsize:
            _LOGGER.warning(
                "Stream of home %s fell behind; disconnecting it", sub.home_id
            )
            sub.overflowed = True
            sub.queue.put_nowait(None)
            if sub.on_overflow is not None:
                sub.on_overflow()
            return
        sub.queue.put_nowait(msg)
