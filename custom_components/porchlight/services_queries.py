"""What automations ask of Porchlight: clips, one request, the ledger."""

from __future__ import annotations

from datetime import datetime

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .coordinator_state import request_summary
from .data import PorchlightConfigEntry
from .entity import doorbell_device_id, entry_home_id
from .service_common import invalid, resolve_entry
from .service_schemas import (
    ATTR_DOORBELL,
    ATTR_END,
    ATTR_REQUEST_ID,
    ATTR_SINCE,
    ATTR_START,
)


def _aware(value: datetime | None) -> datetime | None:
    """A time without a zone is Home Assistant's local time, as in the UI."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


async def list_clips(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """The recorded clips, optionally in a window and for one doorbell."""
    entry = resolve_entry(hass, call)
    start = _aware(call.data.get(ATTR_START))
    end = _aware(call.data.get(ATTR_END))
    if start is not None and end is not None and end < start:
        raise invalid("invalid_window", start=start.isoformat(), end=end.isoformat())
    doorbell = call.data.get(ATTR_DOORBELL)
    if doorbell is not None:
        doorbell = _resolve_doorbell(hass, entry, doorbell)
    clips = entry.runtime_data.clips.clips(start, end, doorbell)
    return {"clips": [clip.describe() for clip in clips]}


def _resolve_doorbell(
    hass: HomeAssistant, entry: PorchlightConfigEntry, given: str
) -> str:
    """The doorbell id (its subentry id) for what an automation gave.

    Automations may name a doorbell by its device (what the UI's picker
    gives), its name, or its id; the id of a doorbell since removed still
    finds its remaining clips.
    """
    doorbells = entry.runtime_data.doorbells
    if given in doorbells:
        return given
    wanted = given.strip().casefold()
    for subentry_id, doorbell in doorbells.items():
        if doorbell.config.name.casefold() == wanted:
            return subentry_id
    device = dr.async_get(hass).async_get(given)
    if device is not None:
        home = entry_home_id(entry)
        for subentry_id in doorbells:
            if (DOMAIN, doorbell_device_id(home, subentry_id)) in device.identifiers:
                return subentry_id
    if entry.runtime_data.clips.count_for(given):
        return given
    raise invalid("unknown_doorbell", doorbell=given)


async def get_request(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """One request with its contact and matching clips, for an automation's message."""
    entry = resolve_entry(hass, call)
    coordinator = entry.runtime_data.coordinator
    request_id: str = call.data[ATTR_REQUEST_ID]
    request = coordinator.data.requests.get(request_id)
    if request is None:
        raise invalid("unknown_request", request_id=request_id)
    summary = request_summary(request, with_contact=True)
    summary["matching_clips"] = coordinator.matching_clips(request)
    summary["clips"] = coordinator.matching_clip_list(request)
    summary["share_id"] = request.share_id
    return summary


async def export_ledger(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """The verifiable ledger, or its part since a time."""
    entry = resolve_entry(hass, call)
    since: datetime | None = call.data.get(ATTR_SINCE)
    return await entry.runtime_data.ledger.async_export(since)
