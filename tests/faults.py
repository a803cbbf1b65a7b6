"""Helpers for the fault tests: a paired home at a real hub process, a proxy.

The home side runs in the test's Home Assistant (the harness): its outbox,
ledger and clip library are the integration's own, talking over real sockets
to ``porchlight-hub serve`` in its own process, which the test can kill.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant

from custom_components.porchlight.api import PorchlightClient
from custom_components.porchlight.clips import Clip, ClipLibrary
from custom_components.porchlight.sealed_share import async_seal_manifest

from .processes import HubProcess
from .processes_agency import Agency, agency_add, agency_post_request

HOME: tuple[float, float] = (52.3702, 4.8952)


@dataclass(slots=True)
class PairedHome:
    """A home paired with a hub process, and an agency asking it for footage."""

    hub: HubProcess
    client: PorchlightClient
    agency: Agency

    async def request(self, case: str) -> str:
        """The agency asks for the last two hours; the home has it."""
        end = datetime.now(UTC) - timedelta(minutes=1)
        answer = await agency_post_request(
            self.agency,
            case_number=case,
            window=(end - timedelta(hours=2), end),
            centre=HOME,
        )
        request_id = str(answer["id"])
        for _ in range(100):
            if any(r.id == request_id for r in await self.client.list_requests()):
                return request_id
            await _sleep(0.1)
        raise AssertionError(f"request {request_id} never reached the home")


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


async def pair_home(
    hub: HubProcess, session: aiohttp.ClientSession, url: str | None = None
) -> PairedHome:
    """Pair a home (optionally through ``url``, e.g. a proxy) and add an agency."""
    code = await hub.add_home("Home", *HOME)
    pairing = await PorchlightClient(session, hub.url).pair(code)
    client = PorchlightClient(session, url or hub.url, pairing.token)
    return PairedHome(hub, client, await agency_add(hub, "City Police"))


async def sealed_share(
    hass: HomeAssistant, library: ClipLibrary, clips: list[Clip], agency: Agency
) -> dict[str, Any]:
    """A share's keyword arguments, sealed to the agency as services.py does it."""
    sealed = await async_seal_manifest(hass, library, clips, agency.identity.recipient)
    assert not sealed.damaged
    return {
        "clips": sealed.clips,
        "seals": sealed.seals,
        "recipient_fingerprint": sealed.recipient_fingerprint,
    }


@dataclass
class FaultProxy:
    """Forwards to the hub, unless a rule answers a request with a 5xx first."""

    target: str
    url: str = ""
    down: bool = False
    fail: Callable[[web.Request], bool] = field(default=lambda _r: False)
    seen: list[tuple[str, str, int]] = field(default_factory=list)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.down or self.fail(request):
            self.seen.append((request.method, request.path, 503))
            return web.json_response({"error": "unavailable"}, status=503)
        body = await request.read()
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in ("host", "content-length", "transfer-encoding")
        }
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method,
                f"{self.target}{request.path_qs}",
                data=body,
                headers=headers,
            ) as answer,
        ):
            payload = await answer.read()
            self.seen.append((request.method, request.path, answer.status))
            return web.Response(
                status=answer.status,
                body=payload,
                content_type=answer.content_type,
            )


@contextlib.asynccontextmanager
async def fault_proxy(target: str) -> AsyncIterator[FaultProxy]:
    """A proxy on a free port for the block."""
    proxy = FaultProxy(target)
    app = web.Application(client_max_size=1 << 30)
    app.router.add_route("*", "/{tail:.*}", proxy.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    proxy.url = str(server.make_url("")).rstrip("/")
    try:
        yield proxy
    finally:
        await server.close()
