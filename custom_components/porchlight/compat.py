"""Every difference between the supported Home Assistant releases, in one place.

Porchlight supports an oldest line (2025.4) and a newest line (DESIGN.md
§3.6). Where the two need different code, the difference lives here, and
nowhere else, so that moving the oldest line up is a matter of deleting
items. Each item names the release that lets it go: once the oldest supported
release is at least that one, delete the item and use the newer API directly.

Features are detected by looking at the API itself rather than by comparing
version numbers, so a release between the two lines gets whatever it has.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, Final

import voluptuous as vol
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import service as service_helper
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.storage import Store

# --- Store(serialize_in_event_loop=False) -------------------------------------
# Lets go with: the release that added the parameter (2025.4 lacks it).
# Without it, a Store serialises its data to JSON in the event loop before
# handing the write to the executor; the clip index and the outbox grow with
# use, so their writes belong off the loop.
STORE_KWARGS: Final[dict[str, Any]] = (
    {"serialize_in_event_loop": False}
    if "serialize_in_event_loop" in inspect.signature(Store.__init__).parameters
    else {}
)


# --- DeviceInfo via_device_id --------------------------------------------------
# Lets go with: 2026.8, which added `via_device_id` (to DeviceInfo and
# async_get_or_create) and deprecated `via_device`, whose identifiers are no
# longer unique across config entries. 2025.4 knows only `via_device`.
HAS_VIA_DEVICE_ID: Final = "via_device_id" in (
    inspect.signature(dr.DeviceRegistry.async_get_or_create).parameters
)


def via_device(identifier: tuple[str, str], device_id: str) -> DeviceInfo:
    """The DeviceInfo keys that hang a device under another.

    ``identifier`` is the parent's identifier, ``device_id`` its registry id;
    each release takes the one it understands.
    """
    if HAS_VIA_DEVICE_ID:
        return DeviceInfo(via_device_id=device_id)  # type: ignore[typeddict-unknown-key,unused-ignore]
    return DeviceInfo(via_device=identifier)  # type: ignore[typeddict-unknown-key,unused-ignore]


def device_by_identifier(
    registry: dr.DeviceRegistry, identifier: tuple[str, str], config_entry_id: str
) -> dr.DeviceEntry | None:
    """The entry's device with this identifier.

    Lets go with: 2026.8, which added ``async_get_device_by_identifier`` and
    deprecated ``async_get_device`` (identifiers are unique per config entry
    only from then on).
    """
    if HAS_VIA_DEVICE_ID:
        return registry.async_get_device_by_identifier(  # type: ignore[attr-defined,no-any-return,unused-ignore]
            identifier, config_entry_id
        )
    device = registry.async_get_device(identifiers={identifier})
    if device is None or config_entry_id not in device.config_entries:
        return None
    return device


# --- Admin services with a response -------------------------------------------
#
# Home Assistant 2025.4's ``async_register_admin_service`` takes no
# ``supports_response`` and drops the handler's response; 2026.10's takes
# both. Goes when the oldest supported release has ``supports_response``
# there (2026.10 does, 2025.4 does not).

type AdminHandler = Callable[[ServiceCall], Awaitable[ServiceResponse]]

_ADMIN_TAKES_RESPONSE = (
    "supports_response"
    in inspect.signature(service_helper.async_register_admin_service).parameters
)


@callback
def async_register_admin_service(
    hass: HomeAssistant,
    domain: str,
    service: str,
    handler: AdminHandler,
    schema: vol.Schema,
    supports_response: SupportsResponse,
) -> None:
    """Register a service that only administrators (and automations) may call.

    A call with a user context from a user who is not an administrator is
    refused with ``Unauthorized``; a call without one (an automation, a
    script, Home Assistant itself) runs as the system.
    """
    if _ADMIN_TAKES_RESPONSE:
        register: Any = service_helper.async_register_admin_service
        register(hass, domain, service, handler, schema, supports_response)
        return

    async def admin_only(call: ServiceCall) -> ServiceResponse:
        # Home Assistant 2025.4's own admin check, keeping the response.
        if call.context.user_id:
            user = await hass.auth.async_get_user(call.context.user_id)
            if user is None:
                raise UnknownUser(context=call.context)
            if not user.is_admin:
                raise Unauthorized(context=call.context)
        return await handler(call)

    hass.services.async_register(domain, service, admin_only, schema, supports_response)


# --- Repair flow results --------------------------------------------------------
# Lets go with: the release whose repairs component exports
# ``RepairsFlowResult`` (2026.10 does; 2025.4's steps return the generic
# ``FlowResult``). Both are the same dict at run time.
try:
    from homeassistant.components.repairs import (  # type: ignore[attr-defined,unused-ignore]
        RepairsFlowResult as _RepairsFlowResult,
    )
except ImportError:  # pragma: no cover - 2025.4
    from homeassistant.data_entry_flow import (  # type: ignore[assignment,no-redef,unused-ignore]
        FlowResult as _RepairsFlowResult,
    )

type RepairsFlowResult = _RepairsFlowResult
