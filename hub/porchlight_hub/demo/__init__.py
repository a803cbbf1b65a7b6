"""The demo neighbourhood of ``porchlight-hub serve --demo`` (DESIGN.md §5).

A newcomer decides in minutes whether Porchlight is real, so the demo hub
must feel inhabited: neighbours post and discuss alerts, an agency asks for
footage of the last half hour around the demo home, withdraws some requests,
and old ones expire. Every one of those actions goes through the hub's own
admin functions and HTTP API, so the demo obeys the rules of §2.3 like any
real agency or neighbour would; a broken rule shows up as a failure, never as
data a real hub could not hold.

The demo runs on the hub's clock: a test drives it with a ``ManualClock``, and
the few days of history are posted with the clock held at each past moment.
The same seed on a fresh database gives the same neighbourhood and the same
activity; a restart on the same database re-seeds nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator

import aiohttp
from yarl import URL

from ..app import announced, run_until_signalled, running_hub
from ..clock import Clock, SystemClock
from ..context import HUB
from ..settings import Settings
from .activity import Demo
from .base import DemoClock, DemoStart, Neighbour
from .content import (
    AGENCY_KIND,
    AGENCY_NAME,
    CONTACT,
    DEMO_HOME_NAME,
    DEMO_LATITUDE,
    DEMO_LONGITUDE,
    NEIGHBOURS,
    offset,
)


def _base_url(host: str, port: int) -> URL:
    """Where the demo reaches the hub it runs in."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
        host = "127.0.0.1"
    return URL.build(scheme="http", host=host, port=port)


@contextlib.asynccontextmanager
async def demo_hub(
    settings: Settings, seed: int, clock: Clock | None = None
) -> AsyncIterator[tuple[Demo, DemoStart]]:
    """A serving hub with its demo seeded and planned (not yet running)."""
    demo_clock = DemoClock(clock or SystemClock())
    async with (
        running_hub(settings, demo_clock) as (runner, port),
        aiohttp.ClientSession() as session,
    ):
        demo = Demo(
            hub=runner.app[HUB],
            clock=demo_clock,
            url=_base_url(settings.host, port),
            session=session,
            seed=seed,
        )
        yield demo, await demo.start()


def describe(start: DemoStart) -> list[str]:
    """The lines a developer reads: the seed, the agency key, the code, the keys."""
    how = "seeded" if start.fresh else "already seeded"
    return [
        f"Demo neighbourhood {how} (seed {start.seed}): {DEMO_HOME_NAME} at"
        f" {DEMO_LATITUDE}, {DEMO_LONGITUDE}, {start.neighbours} neighbours"
        f" and {AGENCY_NAME}.",
        f"Agency API key for {AGENCY_NAME} (new each start): {start.agency_key}",
        f"Demo pairing code for {DEMO_HOME_NAME} (new each start):"
        f" {start.pairing_code}",
        f"Private identity of {AGENCY_NAME} (import it in the agency portal;"
        f" `age -d -i` opens its sealed clips with it): {start.identity_path}",
    ]


async def run_demo_server(
    settings: Settings,
    seed: int | None,
    stop: asyncio.Event,
    clock: Clock | None = None,
) -> None:
    """Serve the hub with a lively demo until ``stop`` is set."""
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    async with demo_hub(settings, seed, clock) as (demo, start):
        for line in describe(start):
            print(line, flush=True)
        port = demo.url.port or settings.port
        async with announced(settings, demo.hub.hub_id, port):
            await demo.run(stop)


async def serve_demo(settings: Settings, seed: int | None) -> None:
    """``serve --demo``: run until SIGINT or SIGTERM."""
    await run_until_signalled(lambda stop: run_demo_server(settings, seed, stop))


__all__ = [
    "AGENCY_KIND",
    "AGENCY_NAME",
    "CONTACT",
    "DEMO_HOME_NAME",
    "DEMO_LATITUDE",
    "DEMO_LONGITUDE",
    "NEIGHBOURS",
    "Demo",
    "DemoClock",
    "DemoStart",
    "Neighbour",
    "demo_hub",
    "offset",
    "run_demo_server",
    "serve_demo",
]
