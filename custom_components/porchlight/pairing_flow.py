"""What the pairing steps share: the pairing's result, its errors, discovery.

Every step that talks to the hub shows the same errors for the same
failures, and every step that pairs keeps the token it got; these helpers
are that one vocabulary, kept out of the flow so the flow reads as steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from types import TracebackType
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from yarl import URL

from .api import (
    HubHealth,
    Pairing,
    PorchlightConnectionError,
    PorchlightInvalidResponse,
    PorchlightInvalidURL,
    PorchlightPairingError,
    PorchlightRateLimited,
    PorchlightRequestError,
)
from .const import CONF_HOME_ID, CONF_HUB_ID, CONF_PAIRING_CODE, LOGGER


@dataclass(frozen=True, slots=True)
class Paired:
    """What a successful pairing left us with."""

    url: str
    health: HubHealth
    pairing: Pairing

    @property
    def unique_id(self) -> str:
        """One entry per home per hub: a hub may serve many homes."""
        return f"{self.pairing.hub_id}:{self.pairing.home_id}"

    @property
    def data(self) -> dict[str, str]:
        """The entry's data; the token is what the hub issued just now."""
        return {
            CONF_URL: self.url,
            CONF_TOKEN: self.pairing.token,
            CONF_HOME_ID: self.pairing.home_id,
            CONF_HUB_ID: self.pairing.hub_id,
        }


class HubErrors:
    """Turn the client's exceptions into form errors.

    Every step that talks to the hub shows the same errors for the same
    failures, so the user learns one vocabulary. The exception is swallowed
    (``__exit__`` returns True, which also tells type checkers so): the
    caller finds ``errors`` filled in and shows its form again.
    """

    def __init__(self, errors: dict[str, str]) -> None:
        self._errors = errors

    def __enter__(self) -> None:
        """Nothing to set up."""

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        """Record the error for the form; let non-errors (cancellation) through."""
        if not isinstance(exc, Exception):
            return False
        if isinstance(exc, PorchlightInvalidURL):
            self._errors[CONF_URL] = "invalid_url"
        elif isinstance(exc, PorchlightRateLimited):
            self._errors["base"] = "rate_limited"
        elif isinstance(exc, PorchlightPairingError) and exc.code == "location_locked":
            # The hub keeps the operator's place for this home (DESIGN.md
            # §2.5); Home Assistant's location is too far from it.
            self._errors["base"] = "location_locked"
        elif isinstance(exc, PorchlightPairingError):
            self._errors[CONF_PAIRING_CODE] = "invalid_pairing_code"
        elif isinstance(
            exc,
            PorchlightConnectionError
            | PorchlightInvalidResponse
            | PorchlightRequestError,
        ):
            self._errors["base"] = "cannot_connect"
        else:
            LOGGER.error(
                "Unexpected error while talking to a Porchlight hub", exc_info=exc
            )
            self._errors["base"] = "unknown"
        return True


def url_from_discovery(info: ZeroconfServiceInfo) -> str:
    """The hub's base URL from its advertisement (IPv6 hosts need brackets)."""
    host = info.host if info.ip_address.version == 4 else f"[{info.host}]"
    return f"http://{host}:{info.port}"


def may_follow_discovery(current: str) -> bool:
    """Whether a discovered address may replace the URL an entry uses.

    Only plain ``http://`` URLs on an IP address follow the hub around: they
    are what discovery produced (or what a user typed from the hub's output)
    and go stale with DHCP. An ``https://`` URL or a host name is a deliberate
    choice; replacing it with a discovered ``http://`` address would silently
    send the home's token without TLS, or bypass the user's DNS.
    """
    parsed = URL(current)
    if parsed.scheme != "http" or parsed.host is None:
        return False
    try:
        ip_address(parsed.host)
    except ValueError:
        return False
    return True


@callback
def async_update_and_reload(
    hass: HomeAssistant,
    entry: ConfigEntry,
    data_updates: Mapping[str, Any],
    *,
    always: bool,
) -> None:
    """Update an entry's data so that it reloads exactly once.

    A changed entry that has its update listener (a loaded Porchlight entry)
    is reloaded by that listener; anything else (an entry that failed on the
    old token, or one that did not change) is reloaded here when ``always``
    asks for it. ``async_update_reload_and_abort`` would reload on top of the
    listener, which Home Assistant deprecates (it stops in 2026.12).
    """
    changed = hass.config_entries.async_update_entry(
        entry, data={**entry.data, **data_updates}
    )
    if changed and entry.update_listeners:
        return
    if changed or always:
        hass.config_entries.async_schedule_reload(entry.entry_id)
