"""The repair issue a full disk raises, and its withdrawal.

Raised once instead of an error in the log at every ring; withdrawn by the
next clip stored, so the household sees it go when space returns.
"""

from __future__ import annotations

from pathlib import Path

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN


def disk_full_issue_id(entry_id: str) -> str:
    """The repair issue raised while this entry's clips cannot be stored."""
    return f"disk_full_{entry_id}"


def raise_disk_full(
    hass: HomeAssistant, entry_id: str, doorbell: str, path: Path
) -> None:
    """Say which doorbell's footage could not be stored, and on which disk."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        disk_full_issue_id(entry_id),
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="disk_full",
        translation_placeholders={"doorbell": doorbell, "path": str(path)},
    )


def clear_disk_full(hass: HomeAssistant, entry_id: str) -> None:
    """A clip was stored: there is space again."""
    ir.async_delete_issue(hass, DOMAIN, disk_full_issue_id(entry_id))
