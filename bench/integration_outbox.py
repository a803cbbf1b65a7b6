"""Figure 4 of the integration benchmark: a decline while a large share uploads.

The household shares 500 MB of footage, and while it uploads, declines
another request. The decline must reach the hub within 200 ms: a decision's
delivery never waits on an upload (issue 12). The hub runs in this process on
the same event loop, over real HTTP on 127.0.0.1, so the upload's bytes and
the decline compete for the same CPU.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import aiohttp

from bench.hub import Report, bearer
from bench.integration import home_assistant as harness
from bench.integration import (
    hub_running,
    pair,
    request_body,
    seed_agency,
    wait_for,
)
from custom_components.porchlight import api_transfer
from custom_components.porchlight.const import DOMAIN

SHARE_BYTES = 500 * 2**20
IN_FLIGHT_BYTES = 50 * 2**20  # the decline is made once this much was sent
DECLINE_TARGET_MS = 200.0


@dataclass(slots=True)
class DeclineResult:
    """What the run measured."""

    decline_ms: float
    sent_at_decline: int
    sent_when_delivered: int


def _write_footage(path: Path) -> None:
    block = os.urandom(8 * 2**20)
    with path.open("wb") as out:
        for _ in range(SHARE_BYTES // len(block)):
            out.write(block)


async def run_decline(tmp: Path) -> DeclineResult:
    """Share 500 MB, then time a decline made while it uploads."""
    sent = [0]
    in_flight = asyncio.Event()
    real_chunks = api_transfer.read_chunks

    async def counted(*args: Any) -> AsyncIterator[bytes]:
        async for chunk in real_chunks(*args):
            sent[0] += len(chunk)
            if sent[0] >= IN_FLIGHT_BYTES:
                in_flight.set()
            yield chunk

    async with (
        hub_running(tmp) as hub,
        harness(tmp / "config") as hass,
        aiohttp.ClientSession() as session,
    ):
        entry = await pair(hass, hub)
        data = entry.runtime_data
        agency = await seed_agency(hub, "Bench City Police")
        ids = []
        for case in ("BENCH-SHARE", "BENCH-DECLINE"):
            body = agency.sign(request_body(hass, case, datetime.now(UTC)))
            async with session.post(
                f"{hub.url}/api/v1/agency/requests",
                json=body,
                headers=bearer(agency.key),
            ) as resp:
                ids.append((await resp.json())["id"])
        await wait_for(lambda: all(i in data.coordinator.data.requests for i in ids))
        footage = tmp / "footage.mp4"
        await asyncio.to_thread(_write_footage, footage)
        start = datetime.now(UTC) - timedelta(hours=2)
        await data.clips.async_add(
            "bench", "camera.bench", start, start + timedelta(minutes=5),
            "video/mp4", footage,
        )  # fmt: skip
        with patch.object(api_transfer, "read_chunks", counted):
            await hass.services.async_call(
                DOMAIN, "share_all", {"request_id": ids[0]},
                blocking=True, return_response=True,
            )  # fmt: skip
            await asyncio.wait_for(in_flight.wait(), 120)
            at_decline = sent[0]
            t0 = time.perf_counter()
            await hass.services.async_call(
                DOMAIN, "decline", {"request_id": ids[1]}, blocking=True
            )
            await wait_for(
                lambda: data.outbox.pending_decision(ids[1]) is None, within=30
            )
            elapsed = (time.perf_counter() - t0) * 1000
            delivered = sent[0]
    return DeclineResult(elapsed, at_decline, delivered)


async def bench_decline(report: Report) -> None:
    """Figure 4."""
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as tmp_name:
        result = await run_decline(Path(tmp_name))
    report.section("[4] A decline while a 500 MB share uploads")
    report.note(f"decline made after {result.sent_at_decline / 2**20:,.0f} MB sent")
    report.figure(
        "decline: service call to the hub's acknowledgement",
        result.decline_ms,
        "ms",
        target_max=DECLINE_TARGET_MS,
    )
    report.check(
        "the share was still uploading meanwhile",
        result.sent_when_delivered < SHARE_BYTES,
        f"{result.sent_when_delivered / 2**20:,.0f} MB of 500 sent",
    )
