"""An agency, driving a real hub process only through its CLI and HTTP API.

Every agency operation the process tests need is here and nowhere else: when
the hub starts to require signed requests and agency keys (DESIGN §2.5), only
these functions change, not the tests that call them.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp

from porchlight_hub import agecrypt, signing
from porchlight_hub.agency_keys import AgencyIdentity

from .processes import HubProcess, hub_cli


@dataclass(frozen=True, slots=True)
class Agency:
    """An agency registered at the hub, with what it authenticates with."""

    hub: HubProcess
    name: str
    key: str
    agency_id: str
    # The agency's private keys: it signs requests and opens sealed clips.
    identity: AgencyIdentity

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}


@dataclass(frozen=True, slots=True)
class Download:
    """What ``GET /api/v1/agency/clips/{id}`` answered."""

    status: int
    sha256: str | None  # of the clip as recorded (opened), when the status is 200


async def agency_add(hub: HubProcess, name: str, kind: str = "police") -> Agency:
    """The operator registers an agency with its public keys; the API key once."""
    identity = AgencyIdentity.generate()
    key = await hub_cli(
        "agency", "add", "--db", hub.db_url, "--name", name, "--kind", kind,
        "--recipient", identity.recipient, "--signing-key", identity.signing_key,
    )  # fmt: skip
    unsigned = Agency(hub, name, key, "", identity)
    status, me = await _call(unsigned, "GET", "/api/v1/agency")
    if status != 200:
        raise RuntimeError(f"the hub does not know the agency: {status} {me}")
    return Agency(hub, name, key, str(me["agency_id"]), identity)


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
        "nonce": signing.new_nonce(),
    }
    body["signature"] = agency.identity.sign(
        signing.signed_object(body, agency.agency_id)
    )
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


def _open(agency: Agency, sealed: bytes) -> bytes:
    out = io.BytesIO()
    agecrypt.decrypt(io.BytesIO(sealed), out, [agency.identity.age_identity])
    return out.getvalue()


async def agency_download(agency: Agency, clip_id: str) -> Download:
    """Fetch one shared clip and open it; its status and the clip's SHA-256."""
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{agency.hub.url}/api/v1/agency/clips/{clip_id}",
            headers=agency.headers,
            timeout=aiohttp.ClientTimeout(total=30),
        ) as resp,
    ):
        body = await resp.read()
        if resp.status != 200:
            return Download(resp.status, None)
    plain = await asyncio.to_thread(_open, agency, body)
    return Download(200, hashlib.sha256(plain).hexdigest())


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
