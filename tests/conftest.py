"""Shared fixtures for the Porchlight test suite.

The whole suite runs under pytest-homeassistant-custom-component, whose plugin
is active for every test: it blocks network sockets unless a test asks for the
``socket_enabled`` fixture, and only ever allows connections to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.helpers import frame

# Import our `custom_components` before the `hass` fixture runs: Home Assistant
# imports the package by name, and the test harness ships a package with the
# same name in its testing config. Importing ours first makes it the one used.
import custom_components.porchlight  # noqa: F401
from porchlight_hub.clock import ManualClock
from porchlight_hub.settings import Settings

from .hub.conftest import HubHarness
from .strict_usage import strict_report_usage

HUB_TESTS = Path(__file__).parent / "hub"

# The harness logs every SQL statement (for Home Assistant's recorder); the
# hub's SQL is not what these tests look at, and logging it halves their speed.
logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
# The camera integration logs a traceback when the optional libturbojpeg is
# missing (it only speeds up resizing snapshots, which no test does).
logging.getLogger("homeassistant.components.camera.img_util").setLevel(logging.CRITICAL)


def _is_hub_test(request: pytest.FixtureRequest) -> bool:
    return HUB_TESTS in Path(request.node.path).parents


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(request: pytest.FixtureRequest) -> None:
    """Let Home Assistant load custom integrations in integration tests.

    Only tests that use ``hass`` (and are not hub tests) get it, because
    ``enable_custom_integrations`` starts a Home Assistant instance.
    """
    if "hass" in request.fixturenames and not _is_hub_test(request):
        request.getfixturevalue("enable_custom_integrations")


@pytest.fixture(autouse=True)
def _deprecated_usage_from_porchlight_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home Assistant's usage reports against our code raise (tests/strict_usage.py)."""
    monkeypatch.setattr(
        frame, "_report_usage", strict_report_usage(frame._report_usage)
    )


@pytest.fixture(autouse=True)
def _config_folder_per_test(request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Give each Home Assistant test a config folder of its own.

    The consent ledger writes real files under ``<config>/.storage``; the
    harness's shared testing config folder must neither collect them nor
    hand one test's (or one parallel run's) ledger to another.
    """
    if "hass" in request.fixturenames and not _is_hub_test(request):
        hass = request.getfixturevalue("hass")
        hass.config.config_dir = str(tmp_path / "config")


@pytest.fixture(autouse=True)
def _hub_tests_may_use_sockets(request: pytest.FixtureRequest) -> None:
    """Allow hub tests to open local sockets (the harness blocks them)."""
    if _is_hub_test(request):
        request.getfixturevalue("socket_enabled")


HEALTH = {"hub_id": "hub-1", "name": "Elm Street Hub", "version": "0.1.0"}
PAIRING = {"home_id": "home-1", "token": "secret-home-token", "hub_id": "hub-1"}


@dataclass
class FakeHub:
    """A stand-in for a hub's /health and /pair endpoints on 127.0.0.1.

    Tests change the status/body attributes to make the hub misbehave. The
    real hub is exercised by its own tests and by the end-to-end tests.
    """

    url: str = ""
    health_status: int = 200
    health_body: Any = field(default_factory=lambda: dict(HEALTH))
    pair_status: int = 200
    pair_body: Any = field(default_factory=lambda: dict(PAIRING))
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    requests: list[tuple[str, str, Any, dict[str, str]]] = field(default_factory=list)

    def _respond(self, status: int, body: Any) -> web.Response:
        if isinstance(body, str | bytes):
            return web.Response(status=status, body=body, headers=self.headers)
        return web.json_response(body, status=status, headers=self.headers)

    async def handle_health(self, request: web.Request) -> web.Response:
        self.requests.append(("GET", request.path, None, dict(request.headers)))
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._respond(self.health_status, self.health_body)

    async def handle_pair(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(("POST", request.path, body, dict(request.headers)))
        return self._respond(self.pair_status, self.pair_body)


@pytest.fixture
async def fake_hub(socket_enabled: None) -> AsyncIterator[FakeHub]:
    """Serve a FakeHub on 127.0.0.1 on a free port."""
    hub = FakeHub()
    app = web.Application()
    app.router.add_get("/api/v1/health", hub.handle_health)
    app.router.add_post("/api/v1/pair", hub.handle_pair)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    hub.url = str(server.make_url("")).rstrip("/")
    yield hub
    await server.close()


@pytest.fixture
def closed_port_url(socket_enabled: None) -> str:
    """Return a URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# --------------------------------------------------------------------------
# The real hub, on loopback, for end-to-end tests of the integration.


@contextlib.asynccontextmanager
async def serve_real_hub(
    tmp_path: Path, clock: ManualClock, **overrides: Any
) -> AsyncIterator[HubHarness]:
    """Run porchlight-hub on 127.0.0.1 for one test, and clean up after it."""
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        media_dir=tmp_path / "hub-media",
        host="127.0.0.1",
        port=0,
        zeroconf=False,
        sweep_interval_s=0.05,
        heartbeat_s=30,
    )
    for key, value in overrides.items():
        setattr(settings, key, value)
    threads_before = set(threading.enumerate())
    async with aiohttp.ClientSession() as session:
        harness = HubHarness(tmp_path, clock, settings, session)
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()
    # aiosqlite ends its worker thread just after the engine closes, without
    # waiting; the harness's thread check would catch it mid-exit.
    for thread in set(threading.enumerate()) - threads_before:
        if "_connection_worker_thread" in thread.name:
            await asyncio.to_thread(thread.join, 5)


@pytest.fixture
async def real_hub(tmp_path: Path, socket_enabled: None) -> AsyncIterator[HubHarness]:
    """The real hub, with a clock that starts at the real now."""
    async with serve_real_hub(tmp_path, ManualClock(datetime.now(UTC))) as hub:
        yield hub
