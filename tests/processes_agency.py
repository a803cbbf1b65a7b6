"""An agency, driving a real hub process only through its CLI and HTTP API.

Every agency operation the process tests need is here and nowhere else: when
the hub starts to require signed requests and agency keys (DESIGN §2.5), only
these functions change, not the tests that call them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp

from .processes import HubProcess, hub_cli


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency registered at the hub, with what it authenticates with."""

    hub: HubProcess
    name: str
    key: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass(frozen=True, slots=True)
class Download:
    """What ``GET /api/v1/agency/clips/{id}`` answered."""

    status: int
    sha256: str | None  # of the body, when the status is 200


async def agency_add(hub: HubProcess, name: str, kind: str = "police") -> Agency:
    """The operator registers an agency; its API key is printed once."""
    key = await hub_cli(
        "agency", "add", "--db", hub.db_url, "--name", name, "--kind", kind
    )
    return Agency(hub, name, key)


async def agency_post_request(
    agency: Agency,
    *,
    case_number: str,
    window: tuple[datetime, datetime],
    centre: tuple[float, float],
    incident_type: str = "package_theft",
    description: str = "A parcel taken from a porch.",
    contact: str = "Det. Rivera, 555-0142",
    radius_m: float = 400,
) -> dict[str, Any]:
    """The agency asks for footage (``POST /api/v1/agency/requests``); the request."""
    body = {
        "case_number": case_number,
        "incident_type": incident_type,
        "description": description,
        "contact": contact,
        "window_start": window[0].isoformat(),
        "window_end": window[1].isoformat(),
        "area": {"latitude": centre[0], "longitude": centre[1], "radius_m": radius_m},
    }
    status, answer = await _call(agency, "POST", "/api/v1/agency/requests", body)
    if status != 201:
        raise RuntimeError(f"the hub refused the request: {status} {answer}")
    return answer


async def agency_shares(agency: Agency, request_id: str) -> dict[str, Any]:
    """What was shared with the agency for one request, by neighbour pseudonym."""
    status, answer = await _call(
        agency, "GET", f"/api/v1/agency/requests/{request_id}/shares"
    )
    if status != 200:
        raise RuntimeError(f"shares of {request_id}: {status} {answer}")
    return answer


async def agency_download(agency: Agency, clip_id: str) -> Download:
    """Fetch one shared clip; its status and the body's SHA-256."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{agency.hub.url}/api/v1/agency/clips/{clip_id}",
            headers=agency.headers,
            timeout=aiohttp.ClientTimeout(total=30),
        ) as resp,
    ):
        body = await resp.read()
        digest = hashlib.sha256(body).hexdigest() if resp.status == 200 else None
        return Download(resp.status, digest)


async def _call(
    agency: Agency, method: str, path: str, body: Any = None
) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method,
            f"{agency.hub.url}{path}",
            json=body,
            headers=agency.headers,
            timeout=aiohttp.ClientTimeout(total=30),
        ) as resp,
    ):
        answer: dict[str, Any] = await resp.json()
        return resp.status, answer
