"""What every service handler needs: its entry, and translated refusals.

Every refusal is a translated ``ServiceValidationError`` naming what was
wrong, and every hub failure one ``HomeAssistantError``, so automations see
the same wording whichever service refused them.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .api import PorchlightError
from .const import DOMAIN
from .data import PorchlightConfigEntry
from .service_schemas import ATTR_CONFIG_ENTRY_ID


def invalid(key: str, **placeholders: str) -> ServiceValidationError:
    """A refusal of the caller's input, in the household's language."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders or None,
    )


def hub_error(err: PorchlightError) -> HomeAssistantError:
    """The hub failed, not the caller: a different message, not a validation error."""
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
            raise invalid("unknown_entry", entry_id=entry_id)
        if entry.state is not ConfigEntryState.LOADED:
            raise invalid("entry_not_loaded", entry_title=entry.title)
        return entry
    loaded = hass.config_entries.async_loaded_entries(DOMAIN)
    if not loaded:
        raise invalid("no_loaded_entries")
    if len(loaded) > 1:
        raise invalid("multiple_entries")
    return loaded[0]


def check_length(field: str, value: str, maximum: int) -> str:
    """The text without surrounding space, refused when empty or too long."""
    value = value.strip()
    if not value:
        raise invalid("text_empty", field=field)
    if len(value) > maximum:
        raise invalid("text_too_long", field=field, maximum=str(maximum))
    return value
