"""Tests for setting up and unloading a Porchlight config entry."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.porchlight import async_remove_config_entry_device
from custom_components.porchlight.const import CONF_HOME_ID, CONF_HUB_ID, DOMAIN
from custom_components.porchlight.ledger_issue import ledger_dir

from .conftest import FakeHub
from .e2e import pair_entry
from .hub.conftest import HubHarness
from .ledger_helpers import segment_files


def _entry(url: str, hub_id: str = "hub-1") -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Elm Street Hub",
        unique_id=f"{hub_id}:home-1",
        data={
            CONF_URL: url,
            CONF_TOKEN: "secret-home-token",
            CONF_HOME_ID: "home-1",
            CONF_HUB_ID: hub_id,
        },
    )


async def test_setup_and_unload(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)

    assert entry.state is ConfigEntryState.LOADED
    data = entry.runtime_data
    assert data.health.hub_id == entry.data[CONF_HUB_ID]
    assert data.client.url == real_hub.url
    assert data.listener.connected

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert not data.listener.connected or data.listener._task is None


async def test_removing_entry_forgets_ledger_and_outbox(
    hass: HomeAssistant, real_hub: HubHarness, hass_storage: dict[str, Any]
) -> None:
    entry = await pair_entry(hass, real_hub)
    await entry.runtime_data.ledger.async_append("opt_in", {}, durable=True)
    assert segment_files(hass, entry.entry_id)

    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert not ledger_dir(hass, entry.entry_id).exists()


async def test_home_device_cannot_be_removed(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    devices = dr.async_entries_for_config_entry(dr.async_get(hass), entry.entry_id)
    assert len(devices) == 1
    home = devices[0]
    assert not await async_remove_config_entry_device(hass, entry, home)
    stale = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id, identifiers={(DOMAIN, "gone-doorbell")}
    )
    assert await async_remove_config_entry_device(hass, entry, stale)


async def test_options_change_reloads(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    first = entry.runtime_data
    hass.config_entries.async_update_entry(entry, options={"alert_radius_m": 500})
    await hass.async_block_till_done()
    assert entry.runtime_data is not first
    assert entry.runtime_data.coordinator.alert_radius_m == 500


async def test_setup_hub_down(hass: HomeAssistant, closed_port_url: str) -> None:
    entry = _entry(closed_port_url)
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_hub_error(hass: HomeAssistant, fake_hub: FakeHub) -> None:
    fake_hub.health_status = 503
    entry = _entry(fake_hub.url)
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_setup_wrong_hub(hass: HomeAssistant, fake_hub: FakeHub) -> None:
    entry = _entry(fake_hub.url, hub_id="another-hub")
    entry.add_to_hass(hass)

    assert not await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.SETUP_ERROR
