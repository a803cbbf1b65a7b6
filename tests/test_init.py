"""Tests for setting up and unloading a Porchlight config entry."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.porchlight.api import HubHealth
from custom_components.porchlight.const import CONF_HOME_ID, CONF_HUB_ID, DOMAIN

from .conftest import FakeHub


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


async def test_setup_and_unload(hass: HomeAssistant, fake_hub: FakeHub) -> None:
    entry = _entry(fake_hub.url)
    entry.add_to_hass(hass)

    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    assert entry.state is ConfigEntryState.LOADED
    assert entry.runtime_data.health == HubHealth(
        hub_id="hub-1", name="Elm Street Hub", version="0.1.0"
    )
    assert entry.runtime_data.client.url == fake_hub.url
    assert fake_hub.requests[0][3]["Authorization"] == "Bearer secret-home-token"

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED


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
