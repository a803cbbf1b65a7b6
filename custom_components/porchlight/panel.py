"""The consent panel in the sidebar and the requests card on every dashboard.

One bundle (``frontend/porchlight-panel.js``) defines the panel's element and
the card. It is served with long-lived cache headers, so every URL that loads
it carries the integration's version (``?v=``): an update changes the URL and
no browser keeps running the old bundle.

The card is loaded from the start (a dashboard may show it before any home
has loaded; it then says so itself). The panel is there while at least one
home is loaded, and leaves the sidebar with the last one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from homeassistant.components import frontend, panel_custom
from homeassistant.components.http import StaticPathConfig
from homeassistant.core import HomeAssistant, callback
from homeassistant.loader import async_get_integration
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .data import PorchlightConfigEntry
from .panel_feed import async_get_feeds

STATIC_URL: Final = "/porchlight_static"
BUNDLE_NAME: Final = "porchlight-panel.js"
BUNDLE_PATH: Final = Path(__file__).parent / "frontend" / BUNDLE_NAME
PANEL_URL_PATH: Final = "porchlight"
PANEL_ELEMENT: Final = "porchlight-panel"
PANEL_TITLE: Final = "Porchlight"
PANEL_ICON: Final = "mdi:doorbell-video"

# The versioned bundle URL, once the static path is registered.
DATA_BUNDLE_URL: HassKey[str] = HassKey(f"{DOMAIN}_bundle_url")
# The entries that keep the panel in the sidebar.
DATA_PANEL_ENTRIES: HassKey[set[str]] = HassKey(f"{DOMAIN}_panel_entries")


async def async_setup_frontend(hass: HomeAssistant) -> str:
    """Serve the bundle and load the card everywhere; returns the bundle's URL.

    Runs once per Home Assistant start: aiohttp refuses a second route for
    the same path, and the card must be loaded once.
    """
    if (url := hass.data.get(DATA_BUNDLE_URL)) is not None:
        return url
    integration = await async_get_integration(hass, DOMAIN)
    path = f"{STATIC_URL}/{BUNDLE_NAME}"
    await hass.http.async_register_static_paths(
        [StaticPathConfig(path, str(BUNDLE_PATH), cache_headers=True)]
    )
    url = hass.data[DATA_BUNDLE_URL] = f"{path}?v={integration.version}"
    # The panel's clip thumbnails are served by the clip view, which
    # async_setup registers (views.py).
    frontend.add_extra_js_url(hass, url)
    return url


async def async_setup_entry_panel(
    hass: HomeAssistant, entry: PorchlightConfigEntry
) -> None:
    """Show the panel with this home, and tell open panels about its changes.

    Both end when the entry unloads (or its setup fails after this point).
    """
    url = await async_setup_frontend(hass)
    entries = hass.data.setdefault(DATA_PANEL_ENTRIES, set())
    if not entries:
        await panel_custom.async_register_panel(
            hass,
            frontend_url_path=PANEL_URL_PATH,
            webcomponent_name=PANEL_ELEMENT,
            sidebar_title=PANEL_TITLE,
            sidebar_icon=PANEL_ICON,
            module_url=url,
            embed_iframe=False,
            require_admin=True,
        )
    entries.add(entry.entry_id)
    entry.async_on_unload(async_get_feeds(hass).async_attach(entry))

    @callback
    def remove() -> None:
        entries.discard(entry.entry_id)
        if not entries:
            frontend.async_remove_panel(hass, PANEL_URL_PATH, warn_if_unknown=False)

    entry.async_on_unload(remove)
