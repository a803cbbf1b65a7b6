"""The Porchlight integration: consent-first doorbell footage sharing."""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.const import CONF_TOKEN, CONF_URL, Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .api import PorchlightClient, PorchlightError
from .clips import ClipLibrary
from .const import (
    CONF_CLIP_RETENTION_DAYS,
    CONF_HUB_ID,
    DEFAULT_CLIP_RETENTION_DAYS,
    DOMAIN,
    LOGGER,
    SUBENTRY_DOORBELL,
)
from .coordinator import PorchlightCoordinator
from .data import PorchlightConfigEntry, PorchlightData
from .doorbell import Doorbell, DoorbellConfig
from .entity import doorbell_device_id, entry_home_id, home_device_info
from .ledger import ConsentLedger
from .listener import StreamListener
from .models import Share, ShareDeletion
from .outbox import Outbox
from .outbox_item import OutboxItem
from .panel import async_setup_entry_panel, async_setup_frontend
from .services import async_setup_services
from .views import async_register_clip_view
from .websocket_api import async_setup_websocket_api

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.EVENT,
    Platform.GEO_LOCATION,
    Platform.IMAGE,
    Platform.SENSOR,
    Platform.SWITCH,
]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)
CLIP_PURGE_INTERVAL = timedelta(hours=1)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register services, the clip view, panel commands and card once."""
    async_setup_services(hass)
    async_register_clip_view(hass)
    async_setup_websocket_api(hass)
    await async_setup_frontend(hass)
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
    clips = ClipLibrary(hass, entry.entry_id)
    await clips.async_load()
    coordinator = PorchlightCoordinator(hass, entry, client, ledger)
    coordinator.clip_provider = clips

    async def settled(item: OutboxItem, _outcome: object) -> None:
        await coordinator.async_decision_settled(item.request_id)

    async def revoked(item: OutboxItem, share: Share) -> None:
        await coordinator.async_share_deleted(
            ShareDeletion(
                share_id=share.share_id,
                request_id=share.request_id,
                reason="revoked",
                deleted_at=share.deleted_at or dt_util.utcnow(),
                clip_ids=tuple(c.clip_id for c in share.clips),
            )
        )
        coordinator.async_update_listeners()

    outbox = Outbox(
        hass,
        entry.entry_id,
        client,
        ledger,
        on_delivered=settled,
        on_failed=settled,
        on_revoked=revoked,
        clips=clips,
    )
    await outbox.async_load()
    for item in outbox.items():
        coordinator.async_restore_decision(item.request_id, item.decision)
    listener = StreamListener(
        hass, entry, client, coordinator, on_connect=outbox.async_hub_back
    )
    entry.runtime_data = PorchlightData(
        client=client,
        health=health,
        ledger=ledger,
        outbox=outbox,
        clips=clips,
        coordinator=coordinator,
        listener=listener,
        doorbells=_doorbells(hass, entry, clips),
    )
    # A new clip can match a pending request: its count must show at once.
    entry.async_on_unload(clips.async_add_listener(coordinator.async_update_listeners))
    _async_remove_stale_doorbells(hass, entry)
    await coordinator.async_config_entry_first_refresh()
    # Made before the platforms, so doorbell devices can name it as their
    # parent by its registry id whichever platform loads first.
    entry.runtime_data.home_device_id = (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id, **home_device_info(coordinator)
        )
        .id
    )
    await _async_purge_clips(entry)

    async def purge_hourly(_now: datetime) -> None:
        await _async_purge_clips(entry)

    entry.async_on_unload(
        async_track_time_interval(
            hass, purge_hourly, CLIP_PURGE_INTERVAL, cancel_on_shutdown=True
        )
    )
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    coordinator.async_release_events()
    # Rings are watched only once the doorbells' entities are there to fire.
    for doorbell in entry.runtime_data.doorbells.values():
        doorbell.async_start()
    listener.async_start()
    outbox.async_start()
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    await async_setup_entry_panel(hass, entry)
    return True


async def _async_purge_clips(entry: PorchlightConfigEntry) -> None:
    """Local retention: clips older than the household chose are deleted."""
    days = entry.options.get(CONF_CLIP_RETENTION_DAYS, DEFAULT_CLIP_RETENTION_DAYS)
    removed = await entry.runtime_data.clips.async_purge(int(days))
    if removed:
        LOGGER.debug("Purged %s local clips older than %s days", removed, days)


def _doorbells(
    hass: HomeAssistant, entry: PorchlightConfigEntry, clips: ClipLibrary
) -> dict[str, Doorbell]:
    """The adopted doorbells; a damaged one is logged and left out.

    A subentry edited by hand must not take the home (and its other
    doorbells) down with it; reconfiguring or re-adding it repairs it.
    """
    doorbells: dict[str, Doorbell] = {}
    for subentry in entry.subentries.values():
        if subentry.subentry_type != SUBENTRY_DOORBELL:
            continue
        try:
            config = DoorbellConfig.from_subentry(subentry)
        except (KeyError, TypeError, ValueError) as err:
            LOGGER.error(
                "Doorbell %s is not usable (%s is missing or wrong); "
                "reconfigure or re-add it",
                subentry.title,
                err,
            )
            continue
        doorbells[subentry.subentry_id] = Doorbell(hass, entry.entry_id, clips, config)
    return doorbells


@callback
def _async_remove_stale_doorbells(
    hass: HomeAssistant, entry: PorchlightConfigEntry
) -> None:
    """Drop devices of doorbells no longer adopted.

    Home Assistant removes a doorbell's device with its subentry; this covers
    a device left from a subentry removed by other means (a restored backup,
    an edited storage file), so no dead doorbell lingers in the UI.
    """
    registry = dr.async_get(hass)
    adopted = _adopted_doorbell_devices(entry)
    prefix = doorbell_device_id(entry_home_id(entry), "")
    for device in dr.async_entries_for_config_entry(registry, entry.entry_id):
        ours = {i for i in device.identifiers if i[0] == DOMAIN}
        if any(value.startswith(prefix) for _, value in ours) and not ours & adopted:
            LOGGER.debug("Removing the device of a doorbell no longer adopted")
            registry.async_remove_device(device.id)


async def _async_options_updated(
    hass: HomeAssistant, entry: PorchlightConfigEntry
) -> None:
    """Options and doorbells change what is shown and recorded: reload."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: PorchlightConfigEntry) -> bool:
    """Stop listening and unload the platforms; queued decisions stay stored."""
    data = entry.runtime_data
    # No ring may start a recording once unloading began: watchers go first,
    # then running recordings are stopped (refusing new ones from then on).
    for doorbell in data.doorbells.values():
        doorbell.async_unwatch()
    for doorbell in data.doorbells.values():
        await doorbell.async_stop()
    await data.listener.async_stop()
    await data.outbox.async_stop()
    await data.clips.async_flush()
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: PorchlightConfigEntry) -> None:
    """Forget the ledger and outbox of a removed home."""
    await ConsentLedger(hass, entry.entry_id).async_remove()
    await Outbox.async_remove_store(hass, entry.entry_id)
    await ClipLibrary(hass, entry.entry_id).async_remove()


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: PorchlightConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let users delete stale devices, never the home or an adopted doorbell.

    An adopted doorbell is removed by deleting the doorbell itself (its
    subentry); deleting only its device would bring it back at the next load.
    """
    protected = {(DOMAIN, entry_home_id(entry))} | _adopted_doorbell_devices(entry)
    return not protected & device.identifiers


def _adopted_doorbell_devices(entry: PorchlightConfigEntry) -> set[tuple[str, str]]:
    """The device identifiers of the doorbells the home has adopted.

    Read from the subentries, not the doorbells loaded: a doorbell that is
    damaged on disk is still adopted, and keeps its device until repaired.
    """
    home = entry_home_id(entry)
    return {
        (DOMAIN, doorbell_device_id(home, subentry_id))
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == SUBENTRY_DOORBELL
    }
