"""The home's entities against the real hub: names, ids, device, availability."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import (
    ATTR_FRIENDLY_NAME,
    STATE_OFF,
    STATE_ON,
    STATE_UNAVAILABLE,
    EntityCategory,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

import custom_components.porchlight as integration
from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.coordinator import FRESH_FOR, MAX_GEO_ALERTS
from custom_components.porchlight.data import PorchlightConfigEntry
from porchlight_hub.context import HUB

from .e2e import entity_id, pair_entry, post_request, wait_for
from .hub.conftest import Client, HubHarness, offset

STRINGS = json.loads(
    (Path(integration.__file__).parent / "strings.json").read_text(encoding="utf-8")
)

HOME_ENTITIES = {
    ("binary_sensor", "hub_connection"),
    ("event", "video_requests"),
    ("event", "neighbourhood_alerts"),
    ("sensor", "pending_video_requests"),
    ("sensor", "nearby_alerts"),
    ("sensor", "active_shares"),
    ("switch", "video_requests"),
}


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)


def own_entities(hass: HomeAssistant) -> list[er.RegistryEntry]:
    return [e for e in er.async_get(hass).entities.values() if e.platform == DOMAIN]


def state(hass: HomeAssistant, platform: str, key: str) -> Any:
    found = hass.states.get(entity_id(hass, platform, key))
    assert found is not None
    return found


async def neighbour_of(hass: HomeAssistant, hub: HubHarness) -> Client:
    return await hub.add_home(
        "Neighbour", *offset(hass.config.latitude, hass.config.longitude, east_m=300)
    )


async def test_names_ids_and_device(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)
    entries = own_entities(hass)

    assert {(e.domain, e.translation_key) for e in entries} == HOME_ENTITIES
    # Unique per entity domain, as the registry keys them: the event and the
    # switch for video requests share the key "video_requests".
    unique_ids = [e.unique_id for e in entries]
    keyed = {(e.domain, e.unique_id) for e in entries}
    assert len(keyed) == len(entries)
    prefix = f"{entry.data['hub_id']}:{entry.data['home_id']}_"
    assert all(uid.startswith(prefix) for uid in unique_ids)
    assert entry.unique_id == f"{entry.data['hub_id']}:{entry.data['home_id']}"

    device_registry = dr.async_get(hass)
    (device,) = dr.async_entries_for_config_entry(device_registry, entry.entry_id)
    assert device.identifiers == {(DOMAIN, entry.unique_id)}
    assert device.manufacturer == "Porchlight"
    assert device.name == entry.title
    status, health = await real_hub.call("GET", "/api/v1/health")
    assert status == 200
    assert device.sw_version == health["version"]
    assert device.configuration_url == real_hub.url

    for reg in entries:
        assert reg.device_id == device.id
        assert reg.has_entity_name
        found = hass.states.get(reg.entity_id)
        assert found is not None
        name = STRINGS["entity"][reg.domain][reg.translation_key]["name"]
        assert found.attributes[ATTR_FRIENDLY_NAME] == f"{device.name} {name}"
        assert "None" not in found.attributes[ATTR_FRIENDLY_NAME]

    connection = er.async_get(hass).async_get(
        entity_id(hass, "binary_sensor", "hub_connection")
    )
    assert connection.entity_category is EntityCategory.DIAGNOSTIC
    assert connection.original_device_class == "connectivity"
    other = [e for e in entries if e.translation_key != "hub_connection"]
    assert all(e.entity_category is None for e in other)


async def test_two_homes_do_not_share_entities(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    first = await pair_entry(hass, real_hub)
    second = await pair_entry(hass, real_hub)
    entries = own_entities(hass)
    assert len(entries) == 2 * len(HOME_ENTITIES)
    assert len({(e.domain, e.unique_id) for e in entries}) == len(entries)
    assert len({e.entity_id for e in entries}) == len(entries)
    devices = {
        e.config_entry_id: e.device_id for e in entries if e.device_id is not None
    }
    assert set(devices) == {first.entry_id, second.entry_id}
    assert devices[first.entry_id] != devices[second.entry_id]


async def test_connection_sensor_stays_available(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    await pair_entry(hass, real_hub)
    connection = entity_id(hass, "binary_sensor", "hub_connection")
    others = [
        entity_id(hass, platform, key)
        for platform, key in HOME_ENTITIES
        if key != "hub_connection"
    ]
    assert hass.states.get(connection).state == STATE_ON
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in others)

    await real_hub.stop()
    await wait_for(lambda: hass.states.get(connection).state == STATE_OFF)
    # The others follow the age of the last resync, not the stream.
    assert all(hass.states.get(e).state != STATE_UNAVAILABLE for e in others)
    async_fire_time_changed(hass, dt_util.utcnow() + FRESH_FOR + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert all(hass.states.get(e).state == STATE_UNAVAILABLE for e in others)
    assert hass.states.get(connection).state == STATE_OFF

    await real_hub.start()
    await wait_for(lambda: hass.states.get(connection).state == STATE_ON, within=10)
    await wait_for(
        lambda: all(hass.states.get(e).state != STATE_UNAVAILABLE for e in others)
    )


async def test_switch_fails_when_hub_is_gone(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry: PorchlightConfigEntry = await pair_entry(hass, real_hub)
    switch = entity_id(hass, "switch", "video_requests")
    ledger_count = entry.runtime_data.ledger.count
    # The hub goes away before Home Assistant has noticed (the stream would
    # notice at once and make the switch unavailable, so it is stopped first).
    await entry.runtime_data.listener.async_stop()
    await real_hub.stop()
    assert hass.states.get(switch).state == STATE_ON

    with pytest.raises(HomeAssistantError) as info:
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": switch}, blocking=True
        )

    err = info.value
    assert err.translation_domain == DOMAIN
    assert err.translation_key == "opt_out_failed"
    template = STRINGS["exceptions"]["opt_out_failed"]["message"]
    assert str(err) == template.rstrip(".").format(**err.translation_placeholders)
    assert hass.states.get(switch).state == STATE_ON
    assert not entry.runtime_data.coordinator.data.home.opted_out
    assert entry.runtime_data.ledger.count == ledger_count

    await real_hub.start()
    status, home = await Client(
        real_hub, entry.data["token"], entry.data["home_id"]
    ).call("GET", "/api/v1/home")
    assert status == 200
    assert home["opted_out"] is False


async def test_switch_turned_off_twice_ledgers_once(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    switch = entity_id(hass, "switch", "video_requests")
    for _ in range(2):
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": switch}, blocking=True
        )
    assert hass.states.get(switch).state == STATE_OFF
    await hass.async_block_till_done()
    kinds = [e["kind"] for e in entry.runtime_data.ledger.recent_entries()]
    assert kinds.count("opt_out") == 1


async def test_at_most_a_hundred_markers(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    await pair_entry(hass, real_hub)
    neighbour = await neighbour_of(hass, real_hub)
    ids: list[str] = []
    for number in range(MAX_GEO_ALERTS + 5):
        real_hub.clock.advance(timedelta(seconds=1))
        status, alert = await neighbour.call(
            "POST", "/api/v1/alerts", {"category": "crime", "title": f"Alert {number}"}
        )
        assert status == 201, alert
        ids.append(alert["id"])

    await wait_for(
        lambda: state(hass, "sensor", "nearby_alerts").state == str(len(ids)),
        within=10,
    )
    await hass.async_block_till_done()
    markers = hass.states.async_all("geo_location")
    assert len(markers) == MAX_GEO_ALERTS
    assert {m.attributes["alert_id"] for m in markers} == set(ids[5:])
    assert all(m.attributes["source"] == "porchlight" for m in markers)
    assert all(m.name.startswith("Alert ") for m in markers)
    registered = [e for e in own_entities(hass) if e.domain == "geo_location"]
    assert len(registered) == MAX_GEO_ALERTS


async def test_event_attributes(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency("County Fire", "fire")
    request = await post_request(hass, real_hub, agency, "FIRE-7")
    await wait_for(
        lambda: (
            state(hass, "event", "video_requests").attributes.get("request_id")
            == request["id"]
        )
    )

    attributes = state(hass, "event", "video_requests").attributes
    assert attributes["event_type"] == "received"
    assert attributes["event_types"] == ["received", "updated", "shared", "declined"]
    expected = {
        "request_id": request["id"],
        "agency": "County Fire",
        "agency_kind": "fire",
        "case_number": "FIRE-7",
        "incident_type": "burglary",
        "window_start": request["window_start"],
        "window_end": request["window_end"],
        "matching_clips": 0,
        "expires_at": request["expires_at"],
    }
    for key, value in expected.items():
        if key.startswith(("window_", "expires_")):
            assert _same_time(attributes[key], value), key
        else:
            assert attributes[key] == value, key
    assert 0 <= attributes["distance_m"] < 1
    # What only the household should see stays out of the state machine.
    assert "contact" not in attributes
    assert "description" not in attributes

    await hass.services.async_call(
        DOMAIN, "decline", {"request_id": request["id"]}, blocking=True
    )
    attributes = state(hass, "event", "video_requests").attributes
    assert attributes["event_type"] == "declined"
    assert attributes["request_id"] == request["id"]
    assert attributes["status"] == "declined"
    await wait_for(lambda: not entry.runtime_data.outbox.items())

    neighbour = await neighbour_of(hass, real_hub)
    status, alert = await neighbour.call(
        "POST", "/api/v1/alerts", {"category": "found_pet", "title": "Tabby found"}
    )
    assert status == 201
    await wait_for(
        lambda: (
            state(hass, "event", "neighbourhood_alerts").attributes.get("alert_id")
            == alert["id"]
        )
    )
    attributes = state(hass, "event", "neighbourhood_alerts").attributes
    assert attributes["event_type"] == "found_pet"
    assert attributes["title"] == "Tabby found"
    assert 200 < attributes["distance_m"] < 400
    assert attributes["mine"] is False


async def test_far_or_unchosen_alerts_fire_nothing(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    hass.config_entries.async_update_entry(
        entry, options={**entry.options, "alert_categories": ["crime"]}
    )
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.listener.connected)
    lat, lon = hass.config.latitude, hass.config.longitude
    near = await neighbour_of(hass, real_hub)
    far = await real_hub.add_home("Far", *offset(lat, lon, north_m=3000))
    for client, category, title in (
        (far, "crime", "Far"),
        (near, "community", "Unchosen"),
        (near, "crime", "Chosen"),
    ):
        status, _ = await client.call(
            "POST", "/api/v1/alerts", {"category": category, "title": title}
        )
        assert status == 201
    await wait_for(
        lambda: (
            state(hass, "event", "neighbourhood_alerts").attributes.get("title")
            == "Chosen"
        )
    )
    assert state(hass, "sensor", "nearby_alerts").state == "1"
    assert [m.name for m in hass.states.async_all("geo_location")] == ["Chosen"]
    assert len(entry.runtime_data.coordinator.data.alerts) == 3


def _same_time(left: str, right: str) -> bool:
    from homeassistant.util import dt as dt_util

    a, b = dt_util.parse_datetime(left), dt_util.parse_datetime(right)
    return a is not None and a == b


async def test_markers_after_reload_and_change(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    neighbour = await neighbour_of(hass, real_hub)
    status, alert = await neighbour.call(
        "POST", "/api/v1/alerts", {"category": "safety", "title": "Loose wire"}
    )
    assert status == 201
    await wait_for(lambda: len(hass.states.async_all("geo_location")) == 1)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.listener.connected)
    markers = [e for e in own_entities(hass) if e.domain == "geo_location"]
    assert len(markers) == 1
    (marker,) = hass.states.async_all("geo_location")
    assert marker.attributes["alert_id"] == alert["id"]
    assert marker.name == "Loose wire"

    # The hub sends a newer version of the same alert: the marker follows.
    home = Client(real_hub, entry.data["token"], entry.data["home_id"])
    status, view = await home.call("GET", f"/api/v1/alerts/{alert['id']}")
    assert status == 200
    view = {k: v for k, v in view.items() if k != "comments"}
    broker = real_hub.runner.app[HUB].broker
    broker.publish(entry.data["home_id"], "alert.created", view)
    broker.publish(
        entry.data["home_id"], "alert.created", {**view, "title": "Wire fixed"}
    )
    await wait_for(lambda: hass.states.get(marker.entity_id).name == "Wire fixed")
    assert len(hass.states.async_all("geo_location")) == 1
    assert state(hass, "sensor", "nearby_alerts").state == "1"
