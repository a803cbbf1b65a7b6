"""The hub going away and coming back: availability, logging, reconnects.

Issue 12: a dropped stream is ``hub_connection``'s news alone; the other
entities stay while the last REST resync is fresh; the listener reads the
stream at once after a reconnect, whatever the outbox is busy with; and its
backoff starts over after a session that stayed up.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any
from unittest.mock import MagicMock, patch

import pytest
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.api import PorchlightConnectionError
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.coordinator import FRESH_FOR
from custom_components.porchlight.listener import StreamListener

from .e2e import entity_id, pair_entry, post_request, wait_for
from .hub.conftest import HubHarness

OTHERS = [
    ("sensor", "pending_video_requests"),
    ("sensor", "nearby_alerts"),
    ("sensor", "active_shares"),
    ("switch", "video_requests"),
]


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)


def porchlight_lines(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == level and r.name.startswith("custom_components.porchlight")
    ]


async def test_entities_stay_while_the_resync_is_fresh(
    hass: HomeAssistant, real_hub: HubHarness, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await pair_entry(hass, real_hub)
    coordinator = entry.runtime_data.coordinator
    connection = entity_id(hass, "binary_sensor", "hub_connection")
    others = [entity_id(hass, p, k) for p, k in OTHERS]
    caplog.clear()

    await real_hub.stop()
    await wait_for(lambda: hass.states.get(connection).state == STATE_OFF)
    await coordinator.async_refresh()  # a resync fails too
    await hass.async_block_till_done()
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in others)
    assert len(porchlight_lines(caplog, logging.WARNING)) == 1
    assert "unreachable" in porchlight_lines(caplog, logging.WARNING)[0]
    assert porchlight_lines(caplog, logging.ERROR) == []

    # Past the freshness of the last good resync, they go.
    async_fire_time_changed(hass, dt_util.utcnow() + FRESH_FOR + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert all(hass.states.get(e).state == STATE_UNAVAILABLE for e in others)
    assert hass.states.get(connection).state == STATE_OFF

    await real_hub.start()
    await wait_for(lambda: hass.states.get(connection).state == STATE_ON, within=10)
    await wait_for(
        lambda: all(hass.states.get(e).state != STATE_UNAVAILABLE for e in others)
    )
    assert len(porchlight_lines(caplog, logging.WARNING)) == 1
    assert porchlight_lines(caplog, logging.ERROR) == []
    back = [m for m in porchlight_lines(caplog, logging.INFO) if "again" in m]
    assert len(back) == 1


async def test_the_stream_is_read_while_a_delivery_hangs(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    data = entry.runtime_data
    agency = await real_hub.add_agency()
    first = await post_request(hass, real_hub, agency, "CASE-1")
    await wait_for(lambda: first["id"] in data.coordinator.data.requests)
    stuck = asyncio.Event()

    async def hanging_decide(request_id: str, body: dict[str, Any]) -> Any:
        stuck.set()
        await asyncio.Event().wait()

    with patch.object(data.client, "decide", hanging_decide):
        await hass.services.async_call(
            DOMAIN, "decline", {"request_id": first["id"]}, blocking=True
        )
        await asyncio.wait_for(stuck.wait(), 5)
        await real_hub.restart()
        await wait_for(lambda: data.listener.connected, within=10)
        second = await post_request(hass, real_hub, agency, "CASE-2")
        await wait_for(lambda: second["id"] in data.coordinator.data.requests)
        await data.outbox.async_stop()


class _FakeStream:
    def __init__(self, up_for: float, clock: list[float]) -> None:
        self.up_for = up_for
        self.clock = clock

    async def receive(self) -> Any:
        self.clock[0] += self.up_for
        raise PorchlightConnectionError("cut")


@pytest.mark.parametrize(("up_for", "attempts"), [(31.0, [0, 0, 0]), (5.0, [0, 1, 2])])
async def test_backoff_starts_over_after_a_steady_session(
    hass: HomeAssistant, up_for: float, attempts: list[int]
) -> None:
    clock = [1000.0]

    class Client:
        @asynccontextmanager
        async def stream(self) -> AsyncIterator[_FakeStream]:
            yield _FakeStream(up_for, clock)

    coordinator = MagicMock()

    async def refresh() -> None:
        return None

    coordinator.async_refresh = refresh
    entry = MagicMock()
    entry.entry_id = "e1"
    entry.async_create_background_task = lambda hass, job, name: (
        hass.async_create_background_task(job, name)
    )
    listener = StreamListener(hass, entry, Client(), coordinator)  # type: ignore[arg-type]
    listener.clock = lambda: clock[0]
    seen: list[int] = []
    done = asyncio.Event()

    def delay(attempt: int) -> float:
        seen.append(attempt)
        if len(seen) == 3:
            done.set()
        return 0.0

    with patch.object(listener_mod, "backoff_delay", delay):
        listener.async_start()
        await asyncio.wait_for(done.wait(), 5)
        await listener.async_stop()
    assert seen[:3] == attempts
