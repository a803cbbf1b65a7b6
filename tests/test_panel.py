"""The consent panel in the sidebar, the card's bundle and how they are served."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from homeassistant.components.frontend import DATA_EXTRA_MODULE_URL, DATA_PANELS
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

import custom_components.porchlight as integration
from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.panel import async_setup_frontend

from .e2e import pair_entry
from .hub.conftest import HubHarness
from .panel_client import PanelClient

PACKAGE = Path(integration.__file__).parent
VERSION = json.loads((PACKAGE / "manifest.json").read_text(encoding="utf-8"))["version"]
BUNDLE_URL = f"/porchlight_static/porchlight-panel.js?v={VERSION}"


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)


async def panels(client: PanelClient) -> dict[str, Any]:
    result: dict[str, Any] = await client.result("get_panels")
    return result


async def test_the_panel_is_there_while_a_home_is_loaded(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    real_hub: HubHarness,
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    assert "porchlight" not in hass.data[DATA_PANELS]
    # The card is loaded on every dashboard from the start.
    assert BUNDLE_URL in hass.data[DATA_EXTRA_MODULE_URL].urls

    first = await pair_entry(hass, real_hub)
    admin = PanelClient(await hass_ws_client(hass))
    reader = PanelClient(await hass_ws_client(hass, hass_read_only_access_token))
    panel = (await panels(admin))["porchlight"]
    assert {key: panel[key] for key in ("component_name", "icon", "title")} == {
        "component_name": "custom",
        "icon": "mdi:doorbell-video",
        "title": "Porchlight",
    }
    assert panel["url_path"] == "porchlight"
    assert panel["require_admin"] is True
    custom = panel["config"]["_panel_custom"]
    assert {key: custom[key] for key in ("name", "embed_iframe", "module_url")} == {
        "name": "porchlight-panel",
        "embed_iframe": False,
        "module_url": BUNDLE_URL,
    }
    assert "js_url" not in custom
    # Only administrators see it in their sidebar.
    assert "porchlight" not in await panels(reader)

    second = await pair_entry(hass, real_hub)
    assert await hass.config_entries.async_unload(first.entry_id)
    assert "porchlight" in await panels(admin)
    assert await hass.config_entries.async_unload(second.entry_id)
    assert "porchlight" not in await panels(admin)
    assert BUNDLE_URL in hass.data[DATA_EXTRA_MODULE_URL].urls

    assert await hass.config_entries.async_setup(second.entry_id)
    await hass.async_block_till_done()
    assert "porchlight" in await panels(admin)
    # Reloading the only home puts the panel back, not a second one.
    assert await hass.config_entries.async_reload(second.entry_id)
    await hass.async_block_till_done()
    assert (await panels(admin))["porchlight"]["config"] == panel["config"]
    assert await async_setup_frontend(hass) == BUNDLE_URL
    assert [u for u in hass.data[DATA_EXTRA_MODULE_URL].urls if "porchlight" in u] == [
        BUNDLE_URL
    ]


async def test_the_bundle_is_served_with_cache_headers(
    hass: HomeAssistant, hass_client_no_auth: ClientSessionGenerator
) -> None:
    assert await async_setup_component(hass, DOMAIN, {})
    await hass.async_block_till_done()
    client = await hass_client_no_auth()

    response = await client.get(BUNDLE_URL)

    assert response.status == 200
    bundle = PACKAGE / "frontend" / "porchlight-panel.js"
    assert await response.read() == bundle.read_bytes()
    assert response.headers["Content-Type"] == "text/javascript"
    cache = response.headers["Cache-Control"]
    assert cache.startswith("public, max-age=")
    assert int(cache.rsplit("=", 1)[1]) >= 86400
    # Only the bundle is served from there, nothing else of the package.
    assert (await client.get("/porchlight_static/manifest.json")).status == 404
