"""End to end: Home Assistant paired with the real hub on loopback.

Each test drives the hub as an agency or a neighbour would, over HTTP, and
watches Home Assistant's entities change through the live stream.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_REAUTH, ConfigEntryState
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.coordinator import FRESH_FOR
from porchlight_hub import admin
from porchlight_hub.context import HUB

from .e2e import entity_id, eventually, pair_entry, post_request, wait_for
from .hub.conftest import HubHarness, offset
from .ledger_helpers import edit_ledger_entry


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)


def _pending(hass: HomeAssistant) -> str:
    return str(_state(hass, "sensor", "pending_video_requests").state)


def _state(hass: HomeAssistant, platform: str, key: str) -> Any:
    state = hass.states.get(entity_id(hass, platform, key))
    assert state is not None
    return state


async def test_request_reaches_event_and_sensor(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency("City Police", "police")
    assert _state(hass, "sensor", "pending_video_requests").state == "0"

    request = await post_request(hass, real_hub, agency)

    await wait_for(
        lambda: (
            _state(hass, "event", "video_requests").attributes.get("request_id")
            == request["id"]
        )
    )
    event = _state(hass, "event", "video_requests")
    assert event.attributes["event_type"] == "received"
    assert event.attributes["agency"] == "City Police"
    assert event.attributes["agency_kind"] == "police"
    assert event.attributes["case_number"] == "2026-0042"
    assert event.attributes["incident_type"] == "burglary"
    assert event.attributes["matching_clips"] == 0
    assert event.attributes["distance_m"] < 1
    pending = _state(hass, "sensor", "pending_video_requests")
    assert pending.state == "1"
    assert pending.attributes["requests"][0]["request_id"] == request["id"]
    assert entry.runtime_data.coordinator.last_update_success


async def test_decline_reaches_hub_and_ledger(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    await wait_for(lambda: _pending(hass) == "1")

    await hass.services.async_call(
        DOMAIN, "decline", {"request_id": request["id"]}, blocking=True
    )

    event = _state(hass, "event", "video_requests")
    assert event.attributes["event_type"] == "declined"
    assert _state(hass, "sensor", "pending_video_requests").state == "0"

    async def hub_declined() -> bool:
        status, body = await agency.call(
            "GET", f"/api/v1/agency/requests/{request['id']}"
        )
        assert status == 200, body
        return (await agency.hub.decisions(request["id"]))["decline"] == 1

    await eventually(hub_declined)
    await wait_for(lambda: not entry.runtime_data.outbox.items())

    export = await hass.services.async_call(
        DOMAIN, "export_ledger", {}, blocking=True, return_response=True
    )
    assert export["verified"] is True
    kinds = [e["kind"] for e in export["entries"]]
    assert "request_received" in kinds
    assert "decision" in kinds
    assert "decision_delivered" in kinds


async def test_opt_out_switch(hass: HomeAssistant, real_hub: HubHarness) -> None:
    await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    switch = entity_id(hass, "switch", "video_requests")
    assert hass.states.get(switch).state == STATE_ON

    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    assert hass.states.get(switch).state == STATE_OFF
    request = await post_request(hass, real_hub, agency, "CASE-OFF")
    assert await real_hub.reached(request["id"]) == 0

    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    assert hass.states.get(switch).state == STATE_ON
    request = await post_request(hass, real_hub, agency, "CASE-ON")
    assert await real_hub.reached(request["id"]) == 1
    await wait_for(lambda: _pending(hass) == "1")

    export = await hass.services.async_call(
        DOMAIN, "export_ledger", {}, blocking=True, return_response=True
    )
    kinds = [e["kind"] for e in export["entries"]]
    assert kinds.index("opt_out") < kinds.index("opt_in")


async def test_nearby_alerts(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)
    hass.config_entries.async_update_entry(
        entry,
        options={**entry.options, "alert_categories": ["crime", "lost_pet"]},
    )
    await hass.async_block_till_done()
    entry = hass.config_entries.async_get_entry(entry.entry_id)
    await wait_for(lambda: entry.runtime_data.listener.connected)
    lat, lon = hass.config.latitude, hass.config.longitude
    near = await real_hub.add_home("Neighbour", *offset(lat, lon, north_m=300))
    far = await real_hub.add_home("Far", *offset(lat, lon, north_m=3000))

    status, _ = await far.call(
        "POST", "/api/v1/alerts", {"category": "crime", "title": "Far away"}
    )
    assert status == 201
    status, _ = await near.call(
        "POST", "/api/v1/alerts", {"category": "community", "title": "Street party"}
    )
    assert status == 201
    status, alert = await near.call(
        "POST", "/api/v1/alerts", {"category": "lost_pet", "title": "Grey cat"}
    )
    assert status == 201

    await wait_for(
        lambda: (
            _state(hass, "event", "neighbourhood_alerts").attributes.get("alert_id")
            == alert["id"]
        )
    )
    event = _state(hass, "event", "neighbourhood_alerts")
    assert event.attributes["event_type"] == "lost_pet"
    assert event.attributes["title"] == "Grey cat"
    assert _state(hass, "sensor", "nearby_alerts").state == "1"
    markers = hass.states.async_all("geo_location")
    assert [m.name for m in markers] == ["Grey cat"]
    assert markers[0].attributes["source"] == "porchlight"


async def test_hub_outage_and_recovery(
    hass: HomeAssistant, real_hub: HubHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    pending = entity_id(hass, "sensor", "pending_video_requests")
    connection = entity_id(hass, "binary_sensor", "hub_connection")

    await real_hub.stop()
    await wait_for(lambda: hass.states.get(connection).state == STATE_OFF)
    # The stream is the connection sensor's news; the count follows the age
    # of the last resync, and goes once that is stale.
    assert hass.states.get(pending).state == "0"
    async_fire_time_changed(hass, dt_util.utcnow() + FRESH_FOR + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert hass.states.get(pending).state == STATE_UNAVAILABLE

    await real_hub.start()
    # A request posted while Home Assistant could not see the hub.
    request = await post_request(hass, real_hub, agency)
    await wait_for(lambda: hass.states.get(pending).state == "1", within=10)
    assert hass.states.get(connection).state == STATE_ON
    assert (
        _state(hass, "event", "video_requests").attributes["request_id"]
        == request["id"]
    )
    # One line when the hub goes, one when it is back (quality scale:
    # log-when-unavailable), whatever the number of failed reconnects between.
    ours = [
        (r.levelno, r.getMessage())
        for r in caplog.records
        if r.name.startswith("custom_components.porchlight")
        and r.levelno >= logging.INFO
    ]
    assert len(ours) == 2, ours
    (gone_level, gone), (back_level, back) = ours
    assert gone_level >= logging.WARNING
    assert "unreachable" in gone
    assert back_level == logging.INFO
    assert "reachable again" in back


async def test_decline_while_hub_down_survives_restart(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    await wait_for(lambda: _pending(hass) == "1")

    await real_hub.stop()
    await wait_for(lambda: not entry.runtime_data.listener.connected)
    await hass.services.async_call(
        DOMAIN, "decline", {"request_id": request["id"]}, blocking=True
    )
    assert len(entry.runtime_data.outbox.items()) == 1

    # Home Assistant restarts while the hub is still down.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await real_hub.start()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED

    async def declined() -> bool:
        status, _body = await agency.call(
            "GET", f"/api/v1/agency/requests/{request['id']}"
        )
        hub_counts = await agency.hub.decisions(request["id"])
        return status == 200 and hub_counts["decline"] == 1

    await eventually(declined, within=10)
    await wait_for(lambda: not entry.runtime_data.outbox.items())
    assert _state(hass, "sensor", "pending_video_requests").state == "0"


async def test_revoked_token_starts_reauth(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    await admin.revoke_home(real_hub.engine, entry.data["home_id"])
    # The hub notices on the next connection: drop the current one.
    await real_hub.restart()
    await wait_for(
        lambda: any(
            flow["context"]["source"] == SOURCE_REAUTH
            for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
        within=10,
    )


async def test_malformed_stream_message_is_skipped(
    hass: HomeAssistant, real_hub: HubHarness, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    broker = real_hub.runner.app[HUB].broker
    with caplog.at_level(logging.WARNING):
        broker.publish(entry.data["home_id"], "request.received", {"id": 42})
        request = await post_request(hass, real_hub, agency)
        await wait_for(
            lambda: (
                _state(hass, "event", "video_requests").attributes.get("request_id")
                == request["id"]
            )
        )
    assert any("invalid message" in r.getMessage() for r in caplog.records)
    assert entry.runtime_data.listener.connected


async def test_tampered_ledger_is_reported(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    await post_request(hass, real_hub, agency)
    await wait_for(lambda: _pending(hass) == "1")
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()

    edited = await hass.async_add_executor_job(
        edit_ledger_entry,
        hass,
        entry.entry_id,
        0,
        lambda e: e["data"].update(agency="Somebody else"),
    )

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    export = await hass.services.async_call(
        DOMAIN, "export_ledger", {}, blocking=True, return_response=True
    )
    assert export["verified"] is False
    assert export["broken_at"] == edited["seq"]
    issues = ir.async_get(hass).issues
    assert (DOMAIN, f"ledger_broken_{entry.entry_id}") in issues


async def test_request_that_arrived_while_home_assistant_was_down_fires(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    """The first refresh finds it before the entities exist; it still fires."""
    entry = await pair_entry(hass, real_hub)
    assert await hass.config_entries.async_unload(entry.entry_id)
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    fired: list[tuple[str, Any]] = []

    def on_change(event: Any) -> None:
        state = event.data["new_state"]
        if state is not None and state.attributes.get("request_id"):
            fired.append(
                (state.attributes["event_type"], state.attributes["request_id"])
            )

    hass.bus.async_listen("state_changed", on_change)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    event = entity_id(hass, "event", "video_requests")
    assert hass.states.get(event).attributes["request_id"] == request["id"]
    assert ("received", request["id"]) in fired
    pending = hass.states.get(entity_id(hass, "sensor", "pending_video_requests"))
    assert pending.state == "1"
