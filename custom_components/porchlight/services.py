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
from homeassistant.util import dt as dt_util

from .api import PorchlightError, PorchlightNotFound, PorchlightRequestError
from .const import DOMAIN
from .coordinator import request_summary
from .data import PorchlightConfigEntry
from .ledger import KIND_SHARE_REVOKED
from .models import HOME_ALERT_CATEGORIES, ShareDeletion
from .outbox import AlreadyQueued

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_REQUEST_ID: Final = "request_id"
ATTR_SHARE_ID: Final = "share_id"
ATTR_ALERT_ID: Final = "alert_id"
ATTR_CATEGORY: Final = "category"
ATTR_TITLE: Final = "title"
ATTR_DESCRIPTION: Final = "description"
ATTR_TEXT: Final = "text"
ATTR_SINCE: Final = "since"

SERVICE_DECLINE: Final = "decline"
SERVICE_REVOKE_SHARE: Final = "revoke_share"
SERVICE_POST_ALERT: Final = "post_alert"
SERVICE_COMMENT_ALERT: Final = "comment_alert"
SERVICE_GET_REQUEST: Final = "get_request"
SERVICE_EXPORT_LEDGER: Final = "export_ledger"

TITLE_MAX: Final = 120
DESCRIPTION_MAX: Final = 2000
COMMENT_MAX: Final = 1000

_ENTRY: dict[vol.Marker, object] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}

SCHEMAS: Final[dict[str, vol.Schema]] = {
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


async def _decline(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    request_id: str = call.data[ATTR_REQUEST_ID]
    request = data.coordinator.data.requests.get(request_id)
    if request is None:
        raise _invalid("unknown_request", request_id=request_id)
    if data.outbox.pending_decision(request_id) is not None:
        raise _invalid("request_already_decided", request_id=request_id)
    if not request.pending:
        raise _invalid(
            "request_not_pending", request_id=request_id, status=request.status
        )
    try:
        await data.outbox.async_enqueue_decision(request_id, "decline")
    except AlreadyQueued as err:  # pragma: no cover - raced with the check above
        raise _invalid("request_already_decided", request_id=request_id) from err
    data.coordinator.async_mark_decided(request_id, "declined")
    return None


async def _revoke_share(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    share_id: str = call.data[ATTR_SHARE_ID]
    share = data.coordinator.data.shares.get(share_id)
    if share is None:
        raise _invalid("unknown_share", share_id=share_id)
    if not share.active:
        raise _invalid("share_not_active", share_id=share_id, status=share.status)
    try:
        revoked = await data.client.revoke_share(share_id)
    except PorchlightNotFound as err:
        raise _invalid("unknown_share", share_id=share_id) from err
    except PorchlightError as err:
        raise _hub_error(err) from err
    await data.ledger.async_append(
        KIND_SHARE_REVOKED,
        {"share_id": share_id, "request_id": share.request_id},
        durable=True,
    )
    await data.coordinator.async_share_deleted(
        ShareDeletion(
            share_id=share_id,
            request_id=share.request_id,
            reason="revoked",
            deleted_at=revoked.deleted_at or dt_util.utcnow(),
            clip_ids=tuple(c.clip_id for c in share.clips),
        )
    )
    data.coordinator.async_update_listeners()
    return None


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
    return entry.runtime_data.ledger.export(since)


Handler = Callable[[HomeAssistant, ServiceCall], Awaitable[ServiceResponse]]

SERVICES: Final[dict[str, tuple[Handler, SupportsResponse]]] = {
    SERVICE_DECLINE: (_decline, SupportsResponse.NONE),
    SERVICE_REVOKE_SHARE: (_revoke_share, SupportsResponse.NONE),
    SERVICE_POST_ALERT: (_post_alert, SupportsResponse.OPTIONAL),
    SERVICE_COMMENT_ALERT: (_comment_alert, SupportsResponse.OPTIONAL),
    SERVICE_GET_REQUEST: (_get_request, SupportsResponse.ONLY),
    SERVICE_EXPORT_LEDGER: (_export_ledger, SupportsResponse.ONLY),
}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register every Porchlight service."""
    for name, (handler, supports) in SERVICES.items():

        async def _call(
            call: ServiceCall, handler: Handler = handler
        ) -> ServiceResponse:
            return await handler(hass, call)

        hass.services.async_register(
            DOMAIN, name, _call, schema=SCHEMAS[name], supports_response=supports
        )
