"""Diagnostics: useful for a hub problem, free of anything that identifies.

The checks search the whole JSON dump for the secret and personal strings, so
a new field that leaks one fails here whatever its key.
"""

from __future__ import annotations

import json

import pytest
from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.const import DOMAIN

from .e2e import pair_entry, post_request, request_held, wait_for
from .hub.conftest import Client, HubHarness
from .ledger_helpers import edit_ledger_entry

HOME_NAME = "Maple Cottage 17"
CONTACT = "Det. Smith, 555-0100"
DESCRIPTION = "Break-in on Elm Street"


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)


async def test_diagnostics_are_redacted(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    real_hub: HubHarness,
) -> None:
    entry = await pair_entry(hass, real_hub)
    data = entry.runtime_data
    token = entry.data["token"]
    home = Client(real_hub, token, entry.data["home_id"])
    status, _ = await home.call("PATCH", "/api/v1/home", {"name": HOME_NAME})
    assert status == 200
    await wait_for(lambda: data.coordinator.data.home.name == HOME_NAME)
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    await wait_for(lambda: request["id"] in data.coordinator.data.requests)
    # A decision waiting in the outbox, so its idempotency key is in there.
    await real_hub.stop()
    await wait_for(lambda: not data.listener.connected)
    await hass.services.async_call(
        DOMAIN, "decline", {"request_id": request["id"]}, blocking=True
    )
    (queued,) = data.outbox.items()

    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    dump = json.dumps(result)
    home_state = data.coordinator.data.home
    for secret in (
        token,
        CONTACT,
        DESCRIPTION,
        HOME_NAME,
        entry.title,
        queued.idempotency_key,
        str(home_state.latitude),
        str(home_state.longitude),
        str(hass.config.latitude),
        str(hass.config.longitude),
    ):
        assert secret not in dump, secret

    assert result["entry"]["data"]["token"] == REDACTED
    assert result["entry"]["title"] == REDACTED
    assert result["home"]["name"] == REDACTED
    assert result["home"]["latitude"] == REDACTED
    assert result["home"]["longitude"] == REDACTED
    (listed,) = result["requests"]
    assert listed["contact"] == REDACTED
    assert listed["id"] == request["id"]
    assert listed["status"] == "declined"
    assert listed["agency_kind"] == "police"

    # What diagnostics are for: the connection, the outbox, the ledger.
    assert result["entry"]["data"]["url"] == real_hub.url
    assert result["entry"]["data"]["home_id"] == entry.data["home_id"]
    assert result["hub"]["hub_id"] == entry.data["hub_id"]
    assert result["connection"]["stream_connected"] is False
    assert len(result["outbox"]) == 1
    assert result["outbox"][0]["request_id"] == request["id"]
    assert result["ledger"] == {
        "ok": True,
        "count": data.ledger.count,
        "broken_at": None,
        "reason": None,
    }
    assert data.ledger.count >= 2  # request received, decision queued


async def test_diagnostics_report_a_broken_ledger(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    real_hub: HubHarness,
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    # The state shows the request a moment before its ledger entry lands.
    await wait_for(lambda: request_held(entry, request["id"]))
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    stored = edit_ledger_entry(
        hass, entry.entry_id, 0, lambda e: e["data"].update(case_number="EDITED")
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.listener.connected)

    result = await get_diagnostics_for_config_entry(hass, hass_client, entry)

    assert result["ledger"]["ok"] is False
    assert result["ledger"]["broken_at"] == stored["seq"]
    assert result["outbox"] == []
    assert result["connection"]["stream_connected"] is True
