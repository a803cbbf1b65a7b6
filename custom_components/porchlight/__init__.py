"""The Porchlight integration: consent-first doorbell footage sharing."""

from __future__ import annotations

from homeassistant.const import CONF_TOKEN, CONF_URL, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.typing import ConfigType

from .api import PorchlightClient, PorchlightError
from .const import CONF_HOME_ID, CONF_HUB_ID, DOMAIN
from .coordinator import PorchlightCoordinator
from .data import PorchlightConfigEntry, PorchlightData
from .ledger import ConsentLedger
from .listener import StreamListener
from .outbox import Outbox, OutboxItem
from .services import async_setup_services

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.GEO_LOCATION,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the services once, whatever entries load."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: PorchlightConfigEntry) -> bool:
    """Connect to the hub of a paired home and start listening."""
    client = PorchlightClient(
        async_get_clientsession(hass), entry.data[CONF_URL], entry.data[CONF_TOKEN]
    )
    try:
        health = await client.health()
    except PorchlightError as err:
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
    ledger = ConsentLedger(hass, entry.entry_id)
    await ledger.async_load()
    coordinator = PorchlightCoordinator(hass, entry, client, ledger)

    async def settled(item: OutboxItem, _outcome: object) -> None:
        await coordinator.async_decision_settled(item.request_id)

    outbox = Outbox(
        hass, entry.entry_id, client, ledger, on_delivered=settled, on_failed=settled
    )
    await outbox.async_load()
    for item in outbox.items():
        coordinator.async_restore_decision(item.request_id, item.decision)
    listener = StreamListener(
        hass, entry, client, coordinator, on_connect=outbox.async_flush
    )
    entry.runtime_data = PorchlightData(
        client=client,
        health=health,
        ledger=ledger,
        outbox=outbox,
        coordinator=coordinator,
        listener=listener,
    )
    await coordinator.async_config_entry_first_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    listener.async_start()
    outbox.async_start()
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(
    hass: HomeAssistant, entry: PorchlightConfigEntry
) -> None:
    """Radius, categories and ages change what is shown: reload."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: PorchlightConfigEntry) -> bool:
    """Stop listening and unload the platforms; queued decisions stay stored."""
    data = entry.runtime_data
    await data.listener.async_stop()
    await data.outbox.async_stop()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: PorchlightConfigEntry) -> None:
    """Forget the ledger and outbox of a removed home."""
    await ConsentLedger(hass, entry.entry_id).async_remove()
    await Outbox.async_remove_store(hass, entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PorchlightConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let users delete stale devices, never the home itself."""
    home = (DOMAIN, f"{entry.data[CONF_HUB_ID]}:{entry.data[CONF_HOME_ID]}")
    return home not in device.identifiers
