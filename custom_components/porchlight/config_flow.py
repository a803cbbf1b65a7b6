"""Config flow for Porchlight: pair this home with a neighbourhood hub."""

from __future__ import annotations

from typing import Any

import voluptuous as vol
from homeassistant.config_entries import ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)

from .api import (
    PorchlightClient,
    PorchlightConnectionError,
    PorchlightInvalidResponse,
    PorchlightInvalidURL,
    PorchlightPairingError,
    PorchlightRateLimited,
    PorchlightRequestError,
)
from .const import CONF_HOME_ID, CONF_HUB_ID, CONF_PAIRING_CODE, DOMAIN, LOGGER

STEP_USER_DATA_SCHEMA = vol.Schema(
    {
        vol.Required(CONF_URL): TextSelector(
            TextSelectorConfig(type=TextSelectorType.URL)
        ),
        vol.Required(CONF_PAIRING_CODE): TextSelector(),
    }
)


class PorchlightConfigFlow(ConfigFlow, domain=DOMAIN):
    """Pair Home Assistant with a Porchlight hub."""

    VERSION = 1
    MINOR_VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the hub URL and a one-time pairing code, then pair."""
        errors: dict[str, str] = {}
        if user_input is not None:
            try:
                client = PorchlightClient(
                    async_get_clientsession(self.hass), user_input[CONF_URL]
                )
                health = await client.health()
                pairing = await client.pair(
                    user_input[CONF_PAIRING_CODE],
                    name=self.hass.config.location_name,
                    latitude=self.hass.config.latitude,
                    longitude=self.hass.config.longitude,
                )
            except PorchlightInvalidURL:
                errors[CONF_URL] = "invalid_url"
            except PorchlightRateLimited:
                errors["base"] = "rate_limited"
            except PorchlightPairingError:
                errors[CONF_PAIRING_CODE] = "invalid_pairing_code"
            except (
                PorchlightConnectionError,
                PorchlightInvalidResponse,
                PorchlightRequestError,
            ):
                errors["base"] = "cannot_connect"
            except Exception:
                LOGGER.exception("Unexpected error while pairing with a hub")
                errors["base"] = "unknown"
            else:
                await self.async_set_unique_id(f"{pairing.hub_id}:{pairing.home_id}")
                self._abort_if_unique_id_configured()
                return self.async_create_entry(
                    title=health.name,
                    data={
                        CONF_URL: client.url,
                        CONF_TOKEN: pairing.token,
                        CONF_HOME_ID: pairing.home_id,
                        CONF_HUB_ID: pairing.hub_id,
                    },
                )
        suggested = {CONF_URL: user_input[CONF_URL]} if user_input else None
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                STEP_USER_DATA_SCHEMA, suggested
            ),
            errors=errors,
        )
