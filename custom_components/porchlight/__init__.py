"""The Porchlight integration: consent-first doorbell footage sharing."""

from __future__ import annotations

from homeassistant.const import CONF_TOKEN, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .api import (
    PorchlightClient,
    PorchlightConnectionError,
    PorchlightInvalidResponse,
    PorchlightRequestError,
)
from .const import CONF_HUB_ID, DOMAIN
from .data import PorchlightConfigEntry, PorchlightData

PLATFORMS: list[Platform] = []


async def async_setup_entry(hass: HomeAssistant, entry: PorchlightConfigEntry) -> bool:
    """Connect to the hub of a paired home."""
    client = PorchlightClient(
        async_get_clientsession(hass), entry.data[CONF_URL], entry.data[CONF_TOKEN]
    )
    try:
        health = await client.health()
    except (
        PorchlightConnectionError,
        PorchlightInvalidResponse,
        PorchlightRequestError,
    ) as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="cannot_connect",
            translation_placeholders={"url": client.url, "error": str(err)},
        ) from err
    if health.hub_id != entry.data[CONF_HUB_ID]:
        raise ConfigEntryError(
            translation_domain=DOMAIN,
            translation_key="wrong_hub",
            translation_placeholders={"url": client.url},
        )
    entry.runtime_data = PorchlightData(client=client, health=health)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: PorchlightConfigEntry) -> bool:
    """Unload a config entry."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
