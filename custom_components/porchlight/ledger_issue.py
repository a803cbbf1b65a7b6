"""Where a ledger lives, and how its failures reach the household.

Kept apart from the ledger itself so that the diagnostics, the panel and the
repair flow can find a ledger's folder and issue without loading it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import STORAGE_DIR

from .const import DOMAIN
from .ledger_chain import LedgerVerification

LEDGER_DIR: Final = "porchlight_ledger"


class LedgerStorageError(HomeAssistantError):
    """The ledger's files could not be written or read; nothing was recorded."""


def issue_id(entry_id: str) -> str:
    """The repair issue raised when this entry's ledger does not verify."""
    return f"ledger_broken_{entry_id}"


def ledger_dir(hass: HomeAssistant, entry_id: str) -> Path:
    """The folder holding one config entry's ledger.

    Raises:
        ValueError: ``entry_id`` would name another folder.
    """
    if entry_id in {"", ".", ".."} or "/" in entry_id or "\\" in entry_id:
        raise ValueError(f"not a config entry id: {entry_id!r}")
    return Path(hass.config.path(STORAGE_DIR, LEDGER_DIR, entry_id))


def legacy_path(hass: HomeAssistant, entry_id: str) -> Path:
    """Where releases before issue 12 kept the ledger (one ``Store`` file)."""
    return Path(hass.config.path(STORAGE_DIR, f"{DOMAIN}.ledger.{entry_id}"))


def storage_error(err: OSError, key: str) -> LedgerStorageError:
    """The translated error for a failed read or write, with the system's reason."""
    return LedgerStorageError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"error": err.strerror or str(err)},
    )


def update_issue(
    hass: HomeAssistant, entry_id: str, result: LedgerVerification
) -> None:
    """Raise the repair issue while the chain is broken, withdraw it once it holds."""
    if result.ok:
        ir.async_delete_issue(hass, DOMAIN, issue_id(entry_id))
        return
    entry = hass.config_entries.async_get_entry(entry_id)
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id(entry_id),
        is_fixable=False,
        is_persistent=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="ledger_broken",
        translation_placeholders={
            "entry_title": entry.title if entry is not None else entry_id,
            "seq": str(result.broken_at),
            "reason": result.reason or "",
        },
    )
