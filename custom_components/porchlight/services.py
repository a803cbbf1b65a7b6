"""Services: the household's decisions and neighbourhood actions.

Registered once in ``async_setup`` (not per entry), as Home Assistant
recommends, so automations referring to them validate even while an entry is
still loading. Every input is checked before anything changes, and every
refusal is a translated ``ServiceValidationError`` naming what was wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Final

import voluptuous as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util

from .api import PorchlightError, PorchlightNotFound, PorchlightRequestError
from .clips import Clip
from .compat import async_register_admin_service
from .const import CONF_SHARE_RETENTION_DAYS, DEFAULT_SHARE_RETENTION_DAYS, DOMAIN
from .coordinator import request_summary
from .data import PorchlightConfigEntry, PorchlightData
from .entity import doorbell_device_id, entry_home_id
from .models import HOME_ALERT_CATEGORIES, OUT_OF_POLICY, VideoRequest
from .outbox import AlreadyQueued
from .sealed_share import async_seal_manifest

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_REQUEST_ID: Final = "request_id"
ATTR_SHARE_ID: Final = "share_id"
ATTR_ALERT_ID: Final = "alert_id"
ATTR_CATEGORY: Final = "category"
ATTR_TITLE: Final = "title"
ATTR_DESCRIPTION: Final = "description"
ATTR_TEXT: Final = "text"
ATTR_SINCE: Final = "since"
ATTR_CLIP_IDS: Final = "clip_ids"
ATTR_RETENTION_DAYS: Final = "retention_days"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_DOORBELL: Final = "doorbell"

SERVICE_SHARE_ALL: Final = "share_all"
SERVICE_SHARE_CLIPS: Final = "share_clips"
SERVICE_LIST_CLIPS: Final = "list_clips"
SERVICE_DECLINE: Final = "decline"
SERVICE_REVOKE_SHARE: Final = "revoke_share"
SERVICE_POST_ALERT: Final = "post_alert"
SERVICE_COMMENT_ALERT: Final = "comment_alert"
SERVICE_GET_REQUEST: Final = "get_request"
SERVICE_EXPORT_LEDGER: Final = "export_ledger"

TITLE_MAX: Final = 120
DESCRIPTION_MAX: Final = 2000
COMMENT_MAX: Final = 1000
RETENTION_MIN: Final = 1
RETENTION_MAX: Final = 90
# How long a share waits for the hub's answer before reporting "queued".
SHARE_ACK_TIMEOUT: Final = 5.0

_ENTRY: dict[vol.Marker, object] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}

SCHEMAS: Final[dict[str, vol.Schema]] = {
    SERVICE_SHARE_ALL: vol.Schema(
        {
            vol.Required(ATTR_REQUEST_ID): cv.string,
            vol.Optional(ATTR_RETENTION_DAYS): vol.Coerce(int),
            **_ENTRY,
        }
    ),
    SERVICE_SHARE_CLIPS: vol.Schema(
        {
            vol.Required(ATTR_REQUEST_ID): cv.string,
            vol.Required(ATTR_CLIP_IDS): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional(ATTR_RETENTION_DAYS): vol.Coerce(int),
            **_ENTRY,
        }
    ),
    SERVICE_LIST_CLIPS: vol.Schema(
        {
            vol.Optional(ATTR_START): cv.datetime,
            vol.Optional(ATTR_END): cv.datetime,
            vol.Optional(ATTR_DOORBELL): cv.string,
            **_ENTRY,
        }
    ),
    SERVICE_DECLINE: vol.Schema({vol.Required(ATTR_REQUEST_ID): cv.string, **_ENTRY}),
    SERVICE_REVOKE_SHARE: vol.Schema(
        {vol.Required(ATTR_SHARE_ID): cv.string, **_ENTRY}
    ),
    SERVICE_POST_ALERT: vol.Schema(
        {
            vol.Required(ATTR_CATEGORY): cv.string,
            vol.Required(ATTR_TITLE): cv.string,
            vol.Optional(ATTR_DESCRIPTION): cv.string,
            **_ENTRY,
        }
    ),
    SERVICE_COMMENT_ALERT: vol.Schema(
        {
            vol.Required(ATTR_ALERT_ID): cv.string,
            vol.Required(ATTR_TEXT): cv.string,
            **_ENTRY,
        }
    ),
    SERVICE_GET_REQUEST: vol.Schema(
        {vol.Required(ATTR_REQUEST_ID): cv.string, **_ENTRY}
    ),
    SERVICE_EXPORT_LEDGER: vol.Schema(
        {vol.Optional(ATTR_SINCE): cv.datetime, **_ENTRY}
    ),
}


def _invalid(key: str, **placeholders: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def _hub_error(err: PorchlightError) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key="hub_error",
        translation_placeholders={"error": str(err)},
    )


def resolve_entry(hass: HomeAssistant, call: ServiceCall) -> PorchlightConfigEntry:
    """The loaded entry a call is for: named, or the only one."""
    entry_id = call.data.get(ATTR_CONFIG_ENTRY_ID)
    if entry_id is not None:
        entry = hass.config_entries.async_get_entry(entry_id)
        if entry is None or entry.domain != DOMAIN:
            raise _invalid("unknown_entry", entry_id=entry_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise _invalid("entry_not_loaded", entry_title=entry.title)
        return entry
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise _invalid("no_loaded_entries")
    if len(loaded) > 1:
        raise _invalid("multiple_entries")
    return loaded[0]


def _check_length(field: str, value: str, maximum: int) -> str:
    value = value.strip()
    if not value:
        raise _invalid("text_empty", field=field)
    if len(value) > maximum:
        raise _invalid("text_too_long", field=field, maximum=str(maximum))
    return value


def _undecided_request(data: PorchlightData, request_id: str) -> VideoRequest:
    """The request, if it still waits for this household's decision."""
    request = data.coordinator.data.requests.get(request_id)
    if request is None:
        raise _invalid("unknown_request", request_id=request_id)
    if data.outbox.pending_decision(request_id) is not None:
        raise _invalid("request_already_decided", request_id=request_id)
    if request.status == OUT_OF_POLICY:
        # The home's own checks refused it (DESIGN.md §2.5): never offered.
        raise _invalid(
            "request_out_of_policy",
            request_id=request_id,
            rule=str(request.policy_violation),
        )
    if not request.pending:
        raise _invalid(
            "request_not_pending", request_id=request_id, status=request.status
        )
    return request


def _retention(entry: PorchlightConfigEntry, call: ServiceCall) -> int:
    days = call.data.get(ATTR_RETENTION_DAYS)
    if days is None:
        days = entry.options.get(
            CONF_SHARE_RETENTION_DAYS, DEFAULT_SHARE_RETENTION_DAYS
        )
    days = int(days)
    if not RETENTION_MIN <= days <= RETENTION_MAX:
        raise _invalid(
            "invalid_retention",
            retention_days=str(days),
            minimum=str(RETENTION_MIN),
            maximum=str(RETENTION_MAX),
        )
    return days


async def _share(
    hass: HomeAssistant,
    data: PorchlightData,
    request: VideoRequest,
    retention_days: int,
    clips: list[Clip],
) -> ServiceResponse:
    """Seal every clip to the agency, queue the share, wait briefly for the hub.

    Sealing reads each file, so it also checks them before anything is
    queued: the household agrees to share what was recorded, so one missing
    or altered file refuses the whole share rather than silently sending
    less. Clips are sealed only to the agency's pinned recipient. When the
    hub does not answer within ``SHARE_ACK_TIMEOUT`` the share stays queued
    (and is delivered later); the response then has ``share_id: null`` and
    ``status: queued``.
    """
    request_id = request.id
    recipient = data.coordinator.trust.recipient_for(request)
    if recipient is None:  # pragma: no cover - vetting refuses such requests
        raise _invalid(
            "request_out_of_policy", request_id=request_id, rule="unsigned_request"
        )
    sealed = await async_seal_manifest(hass, data.clips, clips, recipient)
    if sealed.damaged:
        raise _invalid("clip_damaged", clip_ids=", ".join(sealed.damaged))
    # The shared clips' index records must be on disk before the decision
    # is: after a crash, the outbox finds the files by them.
    await data.clips.async_flush()
    try:
        item = await data.outbox.async_enqueue_decision(
            request_id,
            "share",
            retention_days=retention_days,
            clips=sealed.clips,
            seals=sealed.seals,
            recipient_fingerprint=sealed.recipient_fingerprint,
        )
    except AlreadyQueued as err:  # pragma: no cover - raced with the checks
        raise _invalid("request_already_decided", request_id=request_id) from err
    data.coordinator.async_mark_decided(request_id, "shared")
    share_id = await data.outbox.async_wait_delivered(item, SHARE_ACK_TIMEOUT)
    if share_id is not None:
        status = "shared"
    elif data.outbox.pending_decision(request_id) is item:
        status = "queued"
    else:
        status = "refused"
    return {
        "share_id": share_id,
        "status": status,
        "retention_days": retention_days,
        "clips": [c.describe() for c in clips],
    }


async def _share_all(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    request_id: str = call.data[ATTR_REQUEST_ID]
    request = _undecided_request(data, request_id)
    retention_days = _retention(entry, call)
    clips = data.clips.matching(request.window_start, request.window_end)
    if not clips:
        raise _invalid("no_matching_clips", request_id=request_id)
    return await _share(hass, data, request, retention_days, clips)


async def _share_clips(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    request_id: str = call.data[ATTR_REQUEST_ID]
    request = _undecided_request(data, request_id)
    retention_days = _retention(entry, call)
    clip_ids: list[str] = list(dict.fromkeys(call.data[ATTR_CLIP_IDS]))
    if not clip_ids:
        raise _invalid("no_clips_selected")
    in_window = {
        c.clip_id for c in data.clips.matching(request.window_start, request.window_end)
    }
    clips: list[Clip] = []
    for clip_id in clip_ids:
        clip = data.clips.get(clip_id)
        if clip is None:
            raise _invalid("unknown_clip", clip_id=clip_id)
        if clip_id not in in_window:
            raise _invalid("clip_not_in_window", clip_id=clip_id, request_id=request_id)
        clips.append(clip)
    clips.sort(key=lambda c: c.start)
    return await _share(hass, data, request, retention_days, clips)


def _aware(value: datetime | None) -> datetime | None:
    """A time without a zone is Home Assistant's local time, as in the UI."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=dt_util.get_default_time_zone())


async def _list_clips(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    start = _aware(call.data.get(ATTR_START))
    end = _aware(call.data.get(ATTR_END))
    if start is not None and end is not None and end < start:
        raise _invalid("invalid_window", start=start.isoformat(), end=end.isoformat())
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
    raise _invalid("unknown_doorbell", doorbell=given)


async def _decline(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    request_id: str = call.data[ATTR_REQUEST_ID]
    _undecided_request(data, request_id)
    try:
        await data.outbox.async_enqueue_decision(request_id, "decline")
    except AlreadyQueued as err:  # pragma: no cover - raced with the check above
        raise _invalid("request_already_decided", request_id=request_id) from err
    data.coordinator.async_mark_decided(request_id, "declined")
    return {"request_id": request_id, "decision": "decline", "status": "queued"}


async def _revoke_share(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Queue the revocation like a decision, and wait briefly for the hub.

    An unreachable hub does not refuse the household's revoke: it is kept in
    the outbox and delivered when the hub is back (status ``queued``).
    """
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    share_id: str = call.data[ATTR_SHARE_ID]
    share = data.coordinator.data.shares.get(share_id)
    if share is None:
        raise _invalid("unknown_share", share_id=share_id)
    if not share.active:
        raise _invalid("share_not_active", share_id=share_id, status=share.status)
    item = await data.outbox.async_enqueue_revocation(share_id, share.request_id)
    outcome = await data.outbox.async_wait(item, SHARE_ACK_TIMEOUT)
    if outcome is None or not (outcome.delivered or outcome.error):
        return {"share_id": share_id, "status": "queued"}
    if isinstance(outcome.error, PorchlightNotFound):
        raise _invalid("unknown_share", share_id=share_id)
    if outcome.error is not None:
        raise _hub_error(outcome.error)
    return {"share_id": share_id, "status": "revoked"}


async def _post_alert(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    category: str = call.data[ATTR_CATEGORY]
    if category not in HOME_ALERT_CATEGORIES:
        raise _invalid(
            "invalid_category",
            category=category,
            categories=", ".join(HOME_ALERT_CATEGORIES),
        )
    title = _check_length(ATTR_TITLE, call.data[ATTR_TITLE], TITLE_MAX)
    description = call.data.get(ATTR_DESCRIPTION)
    if description is not None:
        description = description.strip()
        if len(description) > DESCRIPTION_MAX:
            raise _invalid(
                "text_too_long", field=ATTR_DESCRIPTION, maximum=str(DESCRIPTION_MAX)
            )
    try:
        alert = await entry.runtime_data.client.post_alert(
            category, title, description or None
        )
    except PorchlightRequestError as err:
        raise _invalid("hub_refused", error=err.message or str(err)) from err
    except PorchlightError as err:
        raise _hub_error(err) from err
    return {
        "alert_id": alert.id,
        "category": alert.category,
        "title": alert.title,
        "latitude": alert.latitude,
        "longitude": alert.longitude,
        "created_at": alert.created_at.isoformat(),
    }


async def _comment_alert(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    text = _check_length(ATTR_TEXT, call.data[ATTR_TEXT], COMMENT_MAX)
    alert_id: str = call.data[ATTR_ALERT_ID]
    try:
        comment = await entry.runtime_data.client.comment_alert(alert_id, text)
    except PorchlightNotFound as err:
        raise _invalid("unknown_alert", alert_id=alert_id) from err
    except PorchlightRequestError as err:
        raise _invalid("hub_refused", error=err.message or str(err)) from err
    except PorchlightError as err:
        raise _hub_error(err) from err
    return {
        "comment_id": comment.id,
        "alert_id": comment.alert_id,
        "created_at": comment.created_at.isoformat(),
    }


async def _get_request(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    coordinator = entry.runtime_data.coordinator
    request_id: str = call.data[ATTR_REQUEST_ID]
    request = coordinator.data.requests.get(request_id)
    if request is None:
        raise _invalid("unknown_request", request_id=request_id)
    summary = request_summary(request, with_contact=True)
    summary["matching_clips"] = coordinator.matching_clips(request)
    summary["clips"] = coordinator.matching_clip_list(request)
    summary["share_id"] = request.share_id
    return summary


async def _export_ledger(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    since: datetime | None = call.data.get(ATTR_SINCE)
    return await entry.runtime_data.ledger.async_export(since)


Handler = Callable[[HomeAssistant, ServiceCall], Awaitable[ServiceResponse]]

SERVICES: Final[dict[str, tuple[Handler, SupportsResponse]]] = {
    SERVICE_SHARE_ALL: (_share_all, SupportsResponse.OPTIONAL),
    SERVICE_SHARE_CLIPS: (_share_clips, SupportsResponse.OPTIONAL),
    SERVICE_LIST_CLIPS: (_list_clips, SupportsResponse.ONLY),
    SERVICE_DECLINE: (_decline, SupportsResponse.OPTIONAL),
    SERVICE_REVOKE_SHARE: (_revoke_share, SupportsResponse.OPTIONAL),
    SERVICE_POST_ALERT: (_post_alert, SupportsResponse.OPTIONAL),
    SERVICE_COMMENT_ALERT: (_comment_alert, SupportsResponse.OPTIONAL),
    SERVICE_GET_REQUEST: (_get_request, SupportsResponse.ONLY),
    SERVICE_EXPORT_LEDGER: (_export_ledger, SupportsResponse.ONLY),
}


# Only the household's administrators decide (principle 9); automations,
# which run without a user, still may.
ADMIN_SERVICES: Final = frozenset(
    {SERVICE_SHARE_ALL, SERVICE_SHARE_CLIPS, SERVICE_DECLINE, SERVICE_REVOKE_SHARE}
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every Porchlight service."""
    for name, (handler, supports) in SERVICES.items():

        async def _call(
            call: ServiceCall, handler: Handler = handler
        ) -> ServiceResponse:
            return await handler(hass, call)

        if name in ADMIN_SERVICES:
            async_register_admin_service(
                hass, DOMAIN, name, _call, SCHEMAS[name], supports
            )
        else:
            hass.services.async_register(
                DOMAIN, name, _call, schema=SCHEMAS[name], supports_response=supports
            )
