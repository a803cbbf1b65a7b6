"""A small in-process cache for what the public reads, so readers cost little.

Anyone may poll the public request log and the public page; a thousand
readers must not slow the agencies down (issue 14). Entries are dropped when
the hub's request generation moves on (a request was made, ended or shared)
and after a short time at most, and concurrent misses for one key share a
single computation instead of each querying the database.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass


@dataclass(slots=True)
class _Entry:
    generation: int
    made: float
    value: bytes


class PublicCache:
    """Bytes by key, valid for one generation and at most ``ttl_s`` seconds."""

    def __init__(self, ttl_s: float, max_entries: int = 512) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self.generation = 0
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()
        self._pending: dict[tuple[Hashable, int], asyncio.Future[bytes]] = {}

    def changed(self) -> None:
        """Something the public sees changed: every entry is now stale."""
        self.generation += 1
        self._entries.clear()

    async def get(self, key: Hashable, make: Callable[[], Awaitable[bytes]]) -> bytes:
        """The cached value, or ``make()``'s (computed once for all who wait)."""
        generation = self.generation
        entry = self._entries.get(key)
        if (
            entry is not None
            and entry.generation == generation
            and time.monotonic() - entry.made < self.ttl_s
        ):
            self._entries.move_to_end(key)
            return entry.value
        flight = (key, generation)
        pending = self._pending.get(flight)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()
        self._pending[flight] = future
        try:
            value = await make()
        except BaseException as err:
            future.set_exception(err)
            # Nobody else may be waiting; do not warn about an unread error.
            future.exception()
            raise
        finally:
            self._pending.pop(flight, None)
        future.set_result(value)
        if self.generation == generation:
            self._entries[key] = _Entry(generation, time.monotonic(), value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
        return value
