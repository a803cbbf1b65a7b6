"""The blueprints against the real integration paired with a real hub.

Here nothing is mocked but the phone: an agency posts over HTTP, the real
event entity fires, the automation decides, and the hub is asked what
happened (clips the agency can download, declines it counts, homes a request
reached).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight import outbox_item as outbox_mod
from custom_components.porchlight import services_decisions
from custom_components.porchlight.clips import Clip

from .blueprints_helpers import add_phone, install_blueprints, setup_automations
from .e2e import entity_id, eventually, pair_entry, post_request, wait_for
from .hub.conftest import Client, HubHarness

NO_GRACE = {"hours": 0, "minutes": 0, "seconds": 0}


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and retry within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(services_decisions, "SHARE_ACK_TIMEOUT", 30.0)


async def paired(hass: HomeAssistant, hub: HubHarness, tmp_path: Path) -> ConfigEntry:
    install_blueprints(hass, tmp_path / "config")
    return await pair_entry(hass, hub)


async def add_clips(entry: ConfigEntry, hub: HubHarness, count: int) -> list[Clip]:
    """Clips inside the window ``request_near`` asks for (3 h to 1 h ago)."""
    clips = []
    for index in range(count):
        start = hub.clock.now() - timedelta(hours=2.5 - index * 0.5)
        clip: Clip = await entry.runtime_data.clips.async_add(
            "front",
            "Front door",
            start,
            start + timedelta(seconds=10),
            "image/jpeg",
            b"\xff\xd8clip-%d\xff\xd9" % index * 40,
        )
        clips.append(clip)
    return clips


async def agency_shares(agency: Client, request_id: str) -> list[dict[str, Any]]:
    status, body = await agency.call(
        "GET", f"/api/v1/agency/requests/{request_id}/shares"
    )
    assert status == 200, body
    return list(body["shares"])


async def agency_view(agency: Client, request_id: str) -> dict[str, Any]:
    status, body = await agency.call("GET", f"/api/v1/agency/requests/{request_id}")
    assert status == 200, body
    return dict(body)


async def test_ask_before_sharing_share_all_reaches_the_agency(
    hass: HomeAssistant, real_hub: HubHarness, tmp_path: Path
) -> None:
    entry = await paired(hass, real_hub, tmp_path)
    clips = await add_clips(entry, real_hub, 2)
    phone = add_phone(hass, "Pixel")
    await setup_automations(
        hass,
        (
            "ask_before_sharing",
            {
                "video_requests": entity_id(hass, "event", "video_requests"),
                "notify_devices": [phone.device_id],
                "grace_period": NO_GRACE,
                "retention_days": 5,
            },
        ),
    )
    agency = await real_hub.add_agency("Elm City Police", "police")
    request = await post_request(hass, real_hub, agency)

    await wait_for(lambda: len(phone.calls) == 1, within=15)
    question = phone.messages()[0]
    assert question["title"] == "Video request: Elm City Police"
    assert "Case 2026-0042 (burglary)" in question["message"]
    assert "Matching clips: 2." in question["message"]
    assert await agency_shares(agency, request["id"]) == []

    share = next(
        a["action"] for a in question["data"]["actions"] if a["title"] == "Share all"
    )
    hass.bus.async_fire("mobile_app_notification_action", {"action": share})

    async def delivered() -> bool:
        shares = await agency_shares(agency, request["id"])
        return len(shares) == 1 and all(c["available"] for c in shares[0]["clips"])

    await eventually(delivered, within=20)
    (shared,) = await agency_shares(agency, request["id"])
    assert sorted(c["plaintext_sha256"] for c in shared["clips"]) == sorted(
        c.sha256 for c in clips
    )
    kept = shared["expires_at"][:10]
    assert kept == (real_hub.clock.now() + timedelta(days=5)).date().isoformat()
    await wait_for(
        lambda: (
            phone.messages()[-1]
            == {
                "message": "clear_notification",
                "data": {"tag": f"porchlight-request-{request['id']}"},
            }
        )
    )
    assert (await agency.hub.decisions(request["id"]))["decline"] == 0


async def test_rules_decline_and_trusted_share_through_the_hub(
    hass: HomeAssistant, real_hub: HubHarness, tmp_path: Path
) -> None:
    entry = await paired(hass, real_hub, tmp_path)
    await add_clips(entry, real_hub, 1)
    requests = entity_id(hass, "event", "video_requests")
    await setup_automations(
        hass,
        ("decline_by_rule", {"video_requests": requests, "agency_kinds": ["other"]}),
        (
            "share_with_trusted_agencies",
            {
                "video_requests": requests,
                "trusted_agencies": ["Elm City Police", "Harbour Patrol"],
                "agency_kinds": ["police", "other"],
                "retention_days": 3,
                "grace_period": {"hours": 0, "minutes": 0, "seconds": 1},
            },
        ),
    )
    patrol = await real_hub.add_agency("Harbour Patrol", "other")
    police = await real_hub.add_agency("Elm City Police", "police")

    # Trusted by name, but its kind is declined by rule: the decline wins.
    excluded = await post_request(hass, real_hub, patrol, "HP-1")

    async def declined() -> bool:
        return bool((await patrol.hub.decisions(excluded["id"]))["decline"] == 1)

    await eventually(declined, within=15)

    trusted = await post_request(hass, real_hub, police, "ECP-1")

    async def shared() -> bool:
        shares = await agency_shares(police, trusted["id"])
        return len(shares) == 1 and all(c["available"] for c in shares[0]["clips"])

    await eventually(shared, within=20)
    (share,) = await agency_shares(police, trusted["id"])
    assert share["expires_at"][:10] == (
        (real_hub.clock.now() + timedelta(days=3)).date().isoformat()
    )
    assert await agency_shares(patrol, excluded["id"]) == []
    assert (await police.hub.decisions(trusted["id"]))["decline"] == 0


async def test_opt_out_when_switches_the_home_at_the_hub(
    hass: HomeAssistant, real_hub: HubHarness, tmp_path: Path
) -> None:
    entry = await paired(hass, real_hub, tmp_path)
    switch = entity_id(hass, "switch", "video_requests")
    toggle = "input_boolean.porchlight_opt_out"
    hass.states.async_set(toggle, "off")
    await setup_automations(
        hass, ("opt_out_when", {"video_requests_switch": switch, "toggles": [toggle]})
    )
    agency = await real_hub.add_agency()

    hass.states.async_set(toggle, "on")
    await wait_for(lambda: hass.states.get(switch).state == STATE_OFF)  # type: ignore[union-attr]
    off = await post_request(hass, real_hub, agency, "OFF-1")
    assert await real_hub.reached(off["id"]) == 0

    # Porchlight restarts (the hub keeps the opt-out) while the condition ends.
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert hass.states.get(switch).state == STATE_UNAVAILABLE  # type: ignore[union-attr]
    hass.states.async_set(toggle, "off")
    assert await hass.config_entries.async_setup(entry.entry_id)
    # It comes back opted out, and the automation opts it back in.
    await wait_for(lambda: hass.states.get(switch).state == STATE_ON, within=15)  # type: ignore[union-attr]
    on = await post_request(hass, real_hub, agency, "ON-1")
    assert await real_hub.reached(on["id"]) == 1
