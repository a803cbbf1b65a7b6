"""Config flow for Porchlight: pair this home with a neighbourhood hub.

Pairing spends a one-time code, and the hub retires the home's previous token
when a code is used. Every step that pairs therefore keeps the token it got:
if the home turns out to be configured already, that entry gets the new token
instead of the flow throwing it away (which would lock the entry out).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
)
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo

from .api import (
    HubHealth,
    PorchlightClient,
)
from .const import (
    CONF_HOME_ID,
    CONF_HUB_ID,
    CONF_PAIRING_CODE,
    DOMAIN,
    SUBENTRY_DOORBELL,
)
from .options_flow import PorchlightOptionsFlow
from .pairing_flow import (
    HubErrors,
    Paired,
    async_update_and_reload,
    may_follow_discovery,
    url_from_discovery,
)
from .subentry_flow import DoorbellSubentryFlow

URL_SELECTOR: Final = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
CODE_SELECTOR: Final = TextSelector()

STEP_USER_DATA_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_URL): URL_SELECTOR,
        vol.Required(CONF_PAIRING_CODE): CODE_SELECTOR,
    }
)
STEP_CODE_DATA_SCHEMA: Final = vol.Schema(
    {vol.Required(CONF_PAIRING_CODE): CODE_SELECTOR}
)
STEP_RECONFIGURE_DATA_SCHEMA: Final = vol.Schema({vol.Required(CONF_URL): URL_SELECTOR})


class PorchlightConfigFlow(ConfigFlow, domain=DOMAIN):
    """Pair Home Assistant with a Porchlight hub."""

    VERSION = 1
    MINOR_VERSION = 1

    _discovered_url: str
    _discovered_health: HubHealth

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> PorchlightOptionsFlow:
        """Alert and retention settings, changeable without pairing again."""
        return PorchlightOptionsFlow()

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Doorbells are adopted one by one, each its own subentry."""
        return {SUBENTRY_DOORBELL: DoorbellSubentryFlow}

    async def _async_pair(
        self, url: str, code: str, errors: dict[str, str]
    ) -> Paired | None:
        """Ask the hub who it is, then spend ``code``; None when it failed.

        The hub stores this home's name and location from what is sent here.
        """
        with HubErrors(errors):
            client = PorchlightClient(async_get_clientsession(self.hass), url)
            health = await client.health()
            pairing = await client.pair(
                code,
                name=self.hass.config.location_name,
                latitude=self.hass.config.latitude,
                longitude=self.hass.config.longitude,
            )
            return Paired(client.url, health, pairing)
        return None

    async def _async_health(
        self, url: str, errors: dict[str, str]
    ) -> tuple[str, HubHealth] | None:
        """Ask the hub at ``url`` who it is: (normalised URL, answer) or None."""
        with HubErrors(errors):
            client = PorchlightClient(async_get_clientsession(self.hass), url)
            return client.url, await client.health()
        return None

    async def _async_create_paired_entry(self, paired: Paired) -> ConfigFlowResult:
        """Create the entry, or hand the new token to the entry that exists."""
        await self.async_set_unique_id(paired.unique_id, raise_on_progress=False)
        self._abort_if_unique_id_configured(
            updates={CONF_URL: paired.url, CONF_TOKEN: paired.pairing.token}
        )
        return self.async_create_entry(title=paired.health.name, data=paired.data)

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the hub URL and a one-time pairing code, then pair."""
        errors: dict[str, str] = {}
        if user_input is not None:
            paired = await self._async_pair(
                user_input[CONF_URL], user_input[CONF_PAIRING_CODE], errors
            )
            if paired is not None:
                return await self._async_create_paired_entry(paired)
        suggested = {CONF_URL: user_input[CONF_URL]} if user_input else None
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                STEP_USER_DATA_SCHEMA, suggested
            ),
            errors=errors,
        )

    async def async_step_zeroconf(
        self, discovery_info: ZeroconfServiceInfo
    ) -> ConfigFlowResult:
        """A hub announced itself on the local network."""
        hub_id = discovery_info.properties.get(CONF_HUB_ID)
        port = discovery_info.port
        if not isinstance(hub_id, str) or not hub_id or port is None:
            return self.async_abort(reason="invalid_discovery")
        url = url_from_discovery(discovery_info)

        known = False
        for entry in self._async_current_entries(include_ignore=False):
            if entry.data.get(CONF_HUB_ID) != hub_id:
                continue
            known = True
            self._async_follow_hub(entry, url)
        if known:
            return self.async_abort(reason="already_configured")

        # The hub id is the flow's unique id until pairing tells the home id:
        # it dedupes concurrent discoveries and makes "ignore" stick.
        await self.async_set_unique_id(hub_id)
        self._abort_if_unique_id_configured()

        errors: dict[str, str] = {}
        answer = await self._async_health(url, errors)
        if answer is None:
            reason = "invalid_discovery" if CONF_URL in errors else "cannot_connect"
            return self.async_abort(reason=reason)
        self._discovered_url, health = answer
        if health.hub_id != hub_id:
            # Something else answers at the advertised address.
            return self.async_abort(reason="invalid_discovery")
        self._discovered_health = health
        self.context["title_placeholders"] = {"name": health.name}
        return await self.async_step_zeroconf_confirm()

    @callback
    def _async_follow_hub(self, entry: ConfigEntry, url: str) -> None:
        """Point a configured entry at the hub's new address, and retry it."""
        changed = may_follow_discovery(entry.data[CONF_URL]) and (
            self.hass.config_entries.async_update_entry(
                entry, data={**entry.data, CONF_URL: url}
            )
        )
        if changed and entry.update_listeners:
            return  # the entry's update listener reloads it
        if entry.state is ConfigEntryState.SETUP_RETRY or (
            changed and entry.state is ConfigEntryState.LOADED
        ):
            self.hass.config_entries.async_schedule_reload(entry.entry_id)

    async def async_step_zeroconf_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the pairing code for the discovered hub, then pair."""
        errors: dict[str, str] = {}
        if user_input is not None:
            paired = await self._async_pair(
                self._discovered_url, user_input[CONF_PAIRING_CODE], errors
            )
            if paired is not None:
                return await self._async_create_paired_entry(paired)
        return self.async_show_form(
            step_id="zeroconf_confirm",
            data_schema=STEP_CODE_DATA_SCHEMA,
            errors=errors,
            description_placeholders={
                "name": self._discovered_health.name,
                "url": self._discovered_url,
                "version": self._discovered_health.version,
            },
        )

    async def async_step_reauth(
        self, entry_data: Mapping[str, Any]
    ) -> ConfigFlowResult:
        """The hub refused the home's token (it was revoked or re-issued)."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Pair again with a new code for the same home."""
        entry = self._get_reauth_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            paired = await self._async_pair(
                entry.data[CONF_URL], user_input[CONF_PAIRING_CODE], errors
            )
            if paired is not None:
                if paired.unique_id != entry.unique_id:
                    self._async_keep_token_of_other_entry(paired)
                    return self.async_abort(
                        reason="wrong_home",
                        description_placeholders={"home_id": entry.data[CONF_HOME_ID]},
                    )
                async_update_and_reload(
                    self.hass, entry, {CONF_TOKEN: paired.pairing.token}, always=True
                )
                return self.async_abort(reason="reauth_successful")
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=STEP_CODE_DATA_SCHEMA,
            errors=errors,
            description_placeholders={
                "home_id": entry.data[CONF_HOME_ID],
                "url": entry.data[CONF_URL],
            },
        )

    @callback
    def _async_keep_token_of_other_entry(self, paired: Paired) -> None:
        """Hand the new token to the configured home a code belonged to.

        The hub retired that home's old token when the code was spent; keeping
        the new one is the only way not to lock that entry out.
        """
        other = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, paired.unique_id
        )
        if other is not None:
            async_update_and_reload(
                self.hass, other, {CONF_TOKEN: paired.pairing.token}, always=False
            )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Move the entry to the hub's new address; the token stays valid."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            answer = await self._async_health(user_input[CONF_URL], errors)
            if answer is not None:
                url, health = answer
                if health.hub_id != entry.data[CONF_HUB_ID]:
                    errors["base"] = "wrong_hub"
                else:
                    async_update_and_reload(
                        self.hass, entry, {CONF_URL: url}, always=True
                    )
                    return self.async_abort(reason="reconfigure_successful")
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                STEP_RECONFIGURE_DATA_SCHEMA, user_input or entry.data
            ),
            errors=errors,
            description_placeholders={"url": entry.data[CONF_URL]},
        )
