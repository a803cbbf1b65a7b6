"""Differences between the Home Assistant releases Porchlight supports.

Every item names the release that lets it go: once the oldest supported
release (hacs.json) has the newer behaviour, delete the item and call Home
Assistant directly.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import voluptuous as vol
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.helpers import service as service_helper

# ---------------------------------------------------------------------------
# Admin services with a response (panel backend, issue 11).
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
    if _ADMIN_TAKES_RESPONSE:  # pragma: no cover - only the newest line has it
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
