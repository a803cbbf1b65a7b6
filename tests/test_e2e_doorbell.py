"""End to end: an adopted doorbell rings, records, and its clips reach an agency.

A real camera entity (a test platform of Home Assistant's camera
integration) and a real ``input_button`` make the doorbell; the home is paired
with the real hub on loopback. Only time between snapshots is shortened.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight import outbox_item as outbox_mod
from custom_components.porchlight import recorder as recorder_mod
from custom_components.porchlight import services_decisions
from custom_components.porchlight.const import (
    CONF_CAMERA_ENTITY,
    CONF_RECORD_SECONDS,
    CONF_TRIGGER_ENTITY,
    DOMAIN,
    SUBENTRY_DOORBELL,
)

from .cameras import JPEG, FakeCamera, async_setup_camera
from .e2e import entity_id, eventually, pair_entry, unseal, utcnow, wait_for
from .hub.conftest import Client, HubHarness

BUTTON = "input_button.doorbell"
RECORD_SECONDS = 3
INTERVAL = 0.5
SNAPSHOTS = 6  # ceil(RECORD_SECONDS / INTERVAL)


@pytest.fixture(autouse=True)
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Snapshots every half second; reconnects and retries within moments."""
    monkeypatch.setattr(recorder_mod, "SNAPSHOT_INTERVAL", INTERVAL)
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(services_decisions, "SHARE_ACK_TIMEOUT", 30.0)


async def _doorbell_home(
    hass: HomeAssistant, hub: HubHarness
) -> tuple[ConfigEntry, FakeCamera, str]:
    """A paired home with one doorbell adopted through the subentry flow."""
    camera = await async_setup_camera(hass, "Front door")
    assert await async_setup_component(
        hass, "input_button", {"input_button": {"doorbell": {"name": "Doorbell"}}}
    )
    entry = await pair_entry(hass, hub)
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_DOORBELL), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Front door",
            CONF_CAMERA_ENTITY: camera.entity_id,
            CONF_TRIGGER_ENTITY: BUTTON,
            CONF_RECORD_SECONDS: RECORD_SECONDS,
        },
    )
    assert result["type"] == "create_entry", result
    await hass.async_block_till_done()
    # Adding a doorbell reloads the entry; wait until it listens again.
    await wait_for(lambda: entry.runtime_data.listener.connected, within=10)
    (subentry_id,) = entry.subentries
    assert subentry_id in entry.runtime_data.doorbells
    return entry, camera, subentry_id


async def _ring(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "input_button", "press", {"entity_id": BUTTON}, blocking=True
    )


async def _ring_and_record(hass: HomeAssistant, entry: ConfigEntry, sub: str) -> None:
    before = entry.runtime_data.clips.count_for(sub)
    await _ring(hass)
    doorbell = entry.runtime_data.doorbells[sub]
    await wait_for(lambda: doorbell.recorder.recording, within=5)
    await wait_for(lambda: not doorbell.recorder.recording, within=15)
    assert entry.runtime_data.clips.count_for(sub) == before + SNAPSHOTS


async def test_a_ring_fires_records_and_shows_the_visitor(
    hass: HomeAssistant, real_hub: HubHarness, hass_client: ClientSessionGenerator
) -> None:
    entry, camera, sub = await _doorbell_home(hass, real_hub)
    ring = entity_id(hass, "event", "doorbell")
    image = entity_id(hass, "image", "last_visitor")
    count = entity_id(hass, "sensor", "recorded_clips")
    assert hass.states.get(ring).attributes["device_class"] == "doorbell"
    assert hass.states.get(ring).attributes["event_types"] == ["ring"]
    assert hass.states.get(count).state == "0"
    assert hass.states.get(image).state == "unknown"

    await _ring_and_record(hass, entry, sub)

    assert hass.states.get(ring).attributes["event_type"] == "ring"
    assert hass.states.get(count).state == str(SNAPSHOTS)
    assert hass.states.get(image).state != "unknown"
    assert camera.snapshots == SNAPSHOTS
    clips = entry.runtime_data.clips.clips(doorbell=sub)
    assert len(clips) == SNAPSHOTS
    assert {c.content_type for c in clips} == {"image/jpeg"}
    assert {c.sha256 for c in clips} == {hashlib.sha256(JPEG).hexdigest()}
    assert {c.camera for c in clips} == {camera.entity_id}

    # The last visitor is served through Home Assistant's image proxy.
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{image}")
    assert response.status == 200
    assert await response.read() == JPEG

    # The device of the doorbell hangs under the home's.
    devices = dr.async_get(hass)
    device = devices.async_get(er.async_get(hass).async_get(ring).device_id)
    assert device.name == "Front door"
    assert device.model == "Doorbell"
    assert device.via_device_id is not None


async def test_camera_offline_still_rings(
    hass: HomeAssistant, real_hub: HubHarness, caplog: pytest.LogCaptureFixture
) -> None:
    entry, camera, sub = await _doorbell_home(hass, real_hub)
    ring = entity_id(hass, "event", "doorbell")
    camera._attr_available = False
    camera.async_write_ha_state()
    await _ring(hass)
    await hass.async_block_till_done()
    await wait_for(lambda: hass.states.get(ring).attributes.get("event_type") == "ring")
    doorbell = entry.runtime_data.doorbells[sub]
    await wait_for(lambda: not doorbell.recorder.recording)
    assert entry.runtime_data.clips.count_for(sub) == 0
    assert "unavailable" in caplog.text


async def test_removing_the_doorbell_removes_its_device_not_its_shares(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, _camera, sub = await _doorbell_home(hass, real_hub)
    ring = entity_id(hass, "event", "doorbell")
    device_id = er.async_get(hass).async_get(ring).device_id
    assert hass.config_entries.async_remove_subentry(entry, sub)
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.listener.connected, within=10)
    assert dr.async_get(hass).async_get(device_id) is None
    assert er.async_get(hass).async_get(ring) is None
    assert entry.runtime_data.doorbells == {}
    assert hass.states.get(ring) is None


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def _ledger_kinds(hass: HomeAssistant) -> list[str]:
    export = await _call(hass, "export_ledger", {})
    assert export["verified"] is True
    return [e["kind"] for e in export["entries"]]


async def test_recorded_clips_reach_the_agency_exactly(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    """Recorded inside and outside a window → only the inside ones are shared."""
    entry, _camera, sub = await _doorbell_home(hass, real_hub)
    await _ring_and_record(hass, entry, sub)
    window_end = utcnow()
    await _ring_and_record(hass, entry, sub)
    library = entry.runtime_data.clips
    inside = [c for c in library.clips(doorbell=sub) if c.end <= window_end]
    outside = [c for c in library.clips(doorbell=sub) if c.start > window_end]
    assert len(inside) == len(outside) == SNAPSHOTS

    real_hub.clock.set(utcnow())
    agency: Client = await real_hub.add_agency()
    body = real_hub.request_body(
        case_number="2026-0099",
        area={
            "latitude": hass.config.latitude,
            "longitude": hass.config.longitude,
            "radius_m": 400,
        },
        window_start=(window_end - timedelta(minutes=30)).isoformat(),
        window_end=window_end.isoformat(),
    )
    status, request = await agency.call("POST", "/api/v1/agency/requests", body)
    assert status == 201, request
    event = entity_id(hass, "event", "video_requests")
    await wait_for(
        lambda: hass.states.get(event).attributes.get("request_id") == request["id"],
        within=15,
    )
    assert hass.states.get(event).attributes["matching_clips"] == SNAPSHOTS

    answer = await _call(hass, "share_all", {"request_id": request["id"]})
    assert answer["status"] == "shared"
    assert sorted(c["clip_id"] for c in answer["clips"]) == sorted(
        c.clip_id for c in inside
    )

    async def complete() -> bool:
        status, body = await agency.call(
            "GET", f"/api/v1/agency/requests/{request['id']}/shares"
        )
        assert status == 200
        shares = body["shares"]
        return len(shares) == 1 and shares[0]["status"] == "complete"

    await eventually(complete, within=20)
    shares = entity_id(hass, "sensor", "active_shares")
    await wait_for(lambda: hass.states.get(shares).state == "1", within=10)
    status, body = await agency.call(
        "GET", f"/api/v1/agency/requests/{request['id']}/shares"
    )
    (share,) = body["shares"]
    assert len(share["clips"]) == SNAPSHOTS
    for clip in share["clips"]:
        status, data = await agency.call("GET", clip["url"])
        assert status == 200
        assert hashlib.sha256(data).hexdigest() == clip["sha256"]
        plain = unseal(agency, data)
        assert hashlib.sha256(plain).hexdigest() == clip["plaintext_sha256"]
    assert {c["plaintext_sha256"] for c in share["clips"]} == {c.sha256 for c in inside}

    async def ledger_has(kind: str) -> bool:
        return kind in await _ledger_kinds(hass)

    await eventually(lambda: ledger_has("share_accessed"), within=15)
    # Retention passes on the hub: it deletes the share and tells the home.
    real_hub.clock.advance(timedelta(days=31))
    await eventually(lambda: ledger_has("share_deleted"), within=15)
    await wait_for(lambda: hass.states.get(shares).state == "0", within=10)
