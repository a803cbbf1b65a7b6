"""Helpers for end-to-end tests: Home Assistant paired with the real hub."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from custom_components.porchlight.const import DOMAIN
from porchlight_hub import admin, agecrypt

from .hub.conftest import Client, HubHarness


async def pair_entry(hass: HomeAssistant, hub: HubHarness) -> ConfigEntry:
    """Register a home at Home Assistant's location and pair via the flow."""
    new = await admin.add_home(
        hub.engine,
        "Operator's label",
        hass.config.latitude,
        hass.config.longitude,
        clock=hub.clock,
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"url": hub.url, "pairing_code": new.pairing_code}
    )
    assert result["type"] == "create_entry", result
    await hass.async_block_till_done()
    entry = result["result"]
    # Generous: on a loaded machine the first connect can take seconds.
    await wait_for(lambda: entry.runtime_data.listener.connected, within=30)
    return entry


def entity_id(hass: HomeAssistant, platform: str, key: str) -> str:
    """The entity id of one of the home's entities, by translation key."""
    registry = er.async_get(hass)
    for reg in registry.entities.values():
        if (
            reg.platform == DOMAIN
            and reg.domain == platform
            and reg.translation_key == key
        ):
            return reg.entity_id
    raise AssertionError(f"no {platform} entity {key}")


def request_held(entry: ConfigEntry, request_id: str) -> bool:
    """The entry shows the request and its ledger has recorded its arrival.

    The ledger entry is written just after the state change, so a test that
    snapshots the local state, or unloads the entry, must wait for both.
    """
    data = entry.runtime_data
    return (
        request_id in data.coordinator.data.requests
        and request_id in data.ledger.recorded_request_ids()
    )


async def wait_for(condition: Callable[[], Any], within: float = 5.0) -> None:
    """Poll Home Assistant's state until the real hub's stream changed it."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110 - the state machine has no event
            await asyncio.sleep(0.01)


async def eventually(check: Callable[[], Awaitable[bool]], within: float = 5.0) -> None:
    """Poll the hub over HTTP until an asynchronous outcome shows there."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - the hub is polled over HTTP
            await asyncio.sleep(0.02)


def request_near(
    hass: HomeAssistant, hub: HubHarness, case: str = "2026-0042", **extra: Any
) -> dict[str, Any]:
    """A valid request centred on Home Assistant's home."""
    now = hub.clock.now()
    body = hub.request_body(
        case_number=case,
        area={
            "latitude": hass.config.latitude,
            "longitude": hass.config.longitude,
            "radius_m": 400,
        },
        window_start=(now - timedelta(hours=3)).isoformat(),
        window_end=(now - timedelta(hours=1)).isoformat(),
    )
    body.update(extra)
    return body


async def post_request(
    hass: HomeAssistant, hub: HubHarness, agency: Client, case: str = "2026-0042"
) -> dict[str, Any]:
    """An agency posts a request covering the home."""
    status, body = await agency.call(
        "POST", "/api/v1/agency/requests", request_near(hass, hub, case)
    )
    assert status == 201, body
    return body


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)


def unseal(agency: Client, sealed: bytes) -> bytes:
    """Open a clip the home sealed to this agency, as the agency would."""
    assert agency.identity is not None
    assert sealed.startswith(b"age-encryption.org/v1\n")
    out = io.BytesIO()
    agecrypt.decrypt(io.BytesIO(sealed), out, [agency.identity.age_identity])
    return out.getvalue()


def iso_z(when: datetime) -> str:
    """A time as the hub's wire writes it (UTC, ISO 8601)."""
    return when.astimezone(UTC).isoformat()
