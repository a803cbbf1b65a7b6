"""Services: the household's decisions and neighbourhood actions.

Registered once in ``async_setup`` (not per entry), as Home Assistant
recommends, so automations referring to them validate even while an entry is
still loading. Every input is checked before anything changes, and every
refusal is a translated ``ServiceValidationError`` naming what was wrong.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)

from . import services_alerts, services_decisions, services_queries
from .compat import async_register_admin_service
from .const import DOMAIN
from .service_schemas import (
    SCHEMAS,
    SERVICE_COMMENT_ALERT,
    SERVICE_DECLINE,
    SERVICE_EXPORT_LEDGER,
    SERVICE_GET_REQUEST,
    SERVICE_LIST_CLIPS,
    SERVICE_POST_ALERT,
    SERVICE_REVOKE_SHARE,
    SERVICE_SHARE_ALL,
    SERVICE_SHARE_CLIPS,
)

Handler = Callable[[HomeAssistant, ServiceCall], Awaitable[ServiceResponse]]

SERVICES: Final[dict[str, tuple[Handler, SupportsResponse]]] = {
    SERVICE_SHARE_ALL: (services_decisions.share_all, SupportsResponse.OPTIONAL),
    SERVICE_SHARE_CLIPS: (services_decisions.share_clips, SupportsResponse.OPTIONAL),
    SERVICE_LIST_CLIPS: (services_queries.list_clips, SupportsResponse.ONLY),
    SERVICE_DECLINE: (services_decisions.decline, SupportsResponse.OPTIONAL),
    SERVICE_REVOKE_SHARE: (services_decisions.revoke_share, SupportsResponse.OPTIONAL),
    SERVICE_POST_ALERT: (services_alerts.post_alert, SupportsResponse.OPTIONAL),
    SERVICE_COMMENT_ALERT: (services_alerts.comment_alert, SupportsResponse.OPTIONAL),
    SERVICE_GET_REQUEST: (services_queries.get_request, SupportsResponse.ONLY),
    SERVICE_EXPORT_LEDGER: (services_queries.export_ledger, SupportsResponse.ONLY),
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
