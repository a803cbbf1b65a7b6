"""Helpers for the fault tests: a paired home at a real hub process, a proxy.

The home side runs in the test's Home Assistant (the harness): its outbox,
ledger and clip library are the integration's own, talking over real sockets
to ``porchlight-hub serve`` in its own process, which the test can kill.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
from homeassistant.core import HomeAssistant

from custom_components.porchlight.api import PorchlightClient
from custom_components.porchlight.clips import Clip, ClipLibrary
from custom_components.porchlight.sealed_share import async_seal_manifest

from .fault_proxy import FaultProxy, fault_proxy
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


__all__ = ["FaultProxy", "fault_proxy"]
