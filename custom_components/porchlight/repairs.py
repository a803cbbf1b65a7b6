"""Repair flows: the household accepts an agency's changed keys.

A changed key is exactly what a compromised hub would present (to read the
footage sealed to it, or to sign requests itself), so nothing changes until
a person who can compare fingerprints with the agency confirms it. The dialog
shows the old and new fingerprints; accepting pins the new keys in the
consent ledger and re-checks the agency's waiting requests.
"""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .compat import RepairsFlowResult
from .const import DOMAIN
from .trust import ISSUE_KEY_CHANGED
from .vetting import AgencyKeys


class AgencyKeysFlow(RepairsFlow):
    """Show old and new fingerprints; on confirmation, pin the new keys."""

    def __init__(self, issue_id: str, data: dict[str, Any]) -> None:
        self._issue_id = issue_id
        self._data = data

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Go straight to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Accept the keys, or show them."""
        entry = self.hass.config_entries.async_get_entry(str(self._data["entry_id"]))
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="entry_not_loaded")
        if user_input is not None:
            keys = AgencyKeys(
                str(self._data["agency_id"]),
                str(self._data["signing_key"]),
                str(self._data["recipient"]),
            )
            coordinator = entry.runtime_data.coordinator
            await coordinator.trust.async_accept(str(self._data["agency"]), keys)
            await coordinator.async_request_refresh()
            return self.async_create_entry(data={})
        issue = _placeholders(self.hass, self._issue_id)
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders=issue,
        )


def _placeholders(hass: HomeAssistant, issue_id: str) -> dict[str, str]:
    """The fingerprints the issue was raised with."""
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    if issue is None or issue.translation_placeholders is None:
        return {}
    return dict(issue.translation_placeholders)


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, Any] | None
) -> RepairsFlow:
    """The flow for one of Porchlight's fixable issues."""
    if issue_id.startswith(ISSUE_KEY_CHANGED) and data is not None:
        return AgencyKeysFlow(issue_id, data)
    return ConfirmRepairFlow()
