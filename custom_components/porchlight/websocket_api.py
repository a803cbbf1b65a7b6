"""The consent panel's WebSocket commands (read-only; actions are services).

``porchlight/entries``, ``porchlight/requests``, ``porchlight/shares``,
``porchlight/ledger`` and ``porchlight/subscribe`` (the panel contract,
DESIGN §3.7). Every command is for administrators only: what agencies asked
for, what was shared and who looked at it is the household's to decide on
(principle 9). Decisions go through the services, so the outbox and the
ledger see a single path whatever the caller.

A refusal is raised as a translated ``ServiceValidationError``; Home
Assistant sends it in its standard error form (code ``home_assistant_error``,
the English text as ``message``, the reason as ``translation_key``), so the
panel shows the message as is and clients rely on the key.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Final

import voluptuous as vol
from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.websocket_api import async_register_command
from homeassistant.components.websocket_api.connection import ActiveConnection
from homeassistant.components.websocket_api.decorators import (
    async_response,
    require_admin,
    websocket_command,
)
from homeassistant.components.websocket_api.messages import event_message
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import VolDictType

from .const import DOMAIN
from .data import PorchlightConfigEntry
from .panel_data import Signer, ledger_page, requests_payload, shares_payload
from .panel_feed import async_get_feeds

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_LIMIT: Final = "limit"
ATTR_BEFORE_SEQ: Final = "before_seq"
LEDGER_LIMIT_DEFAULT: Final = 200
LEDGER_LIMIT_MAX: Final = 1000
# Long enough for a panel left open all day; the signature is bound to the
# session's refresh token, so logging out (or revoking it) ends it at once.
CLIP_URL_LIFETIME: Final = timedelta(days=1)

_ENTRY: Final[VolDictType] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}


class PanelError(ServiceValidationError):
    """A refused panel command, translated like a service's refusal."""

    def __init__(self, key: str, **placeholders: str) -> None:
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders=placeholders or None,
        )


def resolve_entry(hass: HomeAssistant, entry_id: str | None) -> PorchlightConfigEntry:
    """The loaded entry a command is for: named, or the only one.

    Raises:
        PanelError: Unknown, not loaded, none loaded, or several and none named.
    """
    if entry_id is not None:
        entry: PorchlightConfigEntry | None = hass.config_entries.async_get_entry(
            entry_id
        )
        if entry is None or entry.domain != DOMAIN:
            raise PanelError("unknown_entry", entry_id=entry_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise PanelError("entry_not_loaded", entry_title=entry.title)
        return entry
    loaded: list[PorchlightConfigEntry] = hass.config_entries.async_loaded_entries(
        DOMAIN
    )
    if not loaded:
        raise PanelError("no_loaded_entries")
    if len(loaded) > 1:
        raise PanelError("entry_required")
    return loaded[0]


def _signer(hass: HomeAssistant, connection: ActiveConnection) -> Signer:
    """Sign clip paths for this session only (as the media browser does)."""

    def sign(path: str) -> str:
        return async_sign_path(
            hass,
            path,
            CLIP_URL_LIFETIME,
            refresh_token_id=connection.refresh_token_id,
        )

    return sign


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _ledger_paging(msg: dict[str, Any]) -> tuple[int, int | None]:
    """The page size and the sequence number to page back from.

    Raises:
        PanelError: Either is not a whole number in range.
    """
    limit = msg.get(ATTR_LIMIT, LEDGER_LIMIT_DEFAULT)
    if not _is_whole(limit) or not 1 <= limit <= LEDGER_LIMIT_MAX:
        raise PanelError("invalid_ledger_limit", maximum=str(LEDGER_LIMIT_MAX))
    before = msg.get(ATTR_BEFORE_SEQ)
    if before is not None and (not _is_whole(before) or before < 1):
        raise PanelError("invalid_before_seq")
    return limit, before


@websocket_command({vol.Required("type"): "porchlight/entries"})
@require_admin
@callback
def ws_entries(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """The loaded homes, for the panel's picker."""
    connection.send_result(
        msg["id"],
        {
            "entries": [
                {"config_entry_id": entry.entry_id, "title": entry.title}
                for entry in hass.config_entries.async_loaded_entries(DOMAIN)
            ]
        },
    )


@websocket_command({vol.Required("type"): "porchlight/requests", **_ENTRY})
@require_admin
@callback
def ws_requests(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Pending and recent requests, each with its clips (signed URLs)."""
    entry = resolve_entry(hass, msg.get(ATTR_CONFIG_ENTRY_ID))
    connection.send_result(
        msg["id"], requests_payload(entry, _signer(hass, connection))
    )


@websocket_command({vol.Required("type"): "porchlight/shares", **_ENTRY})
@require_admin
@callback
def ws_shares(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Shares with their clips, expiry and every agency access."""
    entry = resolve_entry(hass, msg.get(ATTR_CONFIG_ENTRY_ID))
    feed = async_get_feeds(hass).feed(entry.entry_id)
    accesses = feed.accesses() if feed is not None else {}
    connection.send_result(msg["id"], shares_payload(entry, accesses))


@websocket_command(
    {
        vol.Required("type"): "porchlight/ledger",
        vol.Optional(ATTR_LIMIT): object,
        vol.Optional(ATTR_BEFORE_SEQ): object,
        **_ENTRY,
    }
)
@require_admin
@async_response
async def ws_ledger(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """A page of the consent ledger, newest first, and whether it verifies.

    The page is read without copying the ledger (recent entries come from
    memory, older ones from their segment in the executor), and the verdict
    is the ledger's standing one: nothing is re-hashed per page.
    """
    entry = resolve_entry(hass, msg.get(ATTR_CONFIG_ENTRY_ID))
    limit, before = _ledger_paging(msg)
    ledger = entry.runtime_data.ledger
    entries = await ledger.async_entries_page(limit, before)
    page = ledger_page(entries, ledger.verification, ledger.count, ledger.head)
    connection.send_result(msg["id"], {"config_entry_id": entry.entry_id, **page})


@websocket_command({vol.Required("type"): "porchlight/subscribe", **_ENTRY})
@require_admin
@callback
def ws_subscribe(
    hass: HomeAssistant, connection: ActiveConnection, msg: dict[str, Any]
) -> None:
    """Push ``{"kind": ...}`` whenever requests, shares or the ledger change."""
    entry = resolve_entry(hass, msg.get(ATTR_CONFIG_ENTRY_ID))
    msg_id: int = msg["id"]

    @callback
    def forward(kind: str) -> None:
        connection.send_message(event_message(msg_id, {"kind": kind}))

    connection.subscriptions[msg_id] = async_get_feeds(hass).async_subscribe(
        entry.entry_id, forward
    )
    connection.send_result(msg_id)


COMMANDS: Final = (ws_entries, ws_requests, ws_shares, ws_ledger, ws_subscribe)


@callback
def async_setup_websocket_api(hass: HomeAssistant) -> None:
    """Register the panel's commands, once per Home Assistant start."""
    for command in COMMANDS:
        async_register_command(hass, command)
