"""Config flow for Porchlight: pair this home with a neighbourhood hub.

Pairing spends a one-time code, and the hub retires the home's previous token
when a code is used. Every step that pairs therefore keeps the token it got:
if the home turns out to be configured already, that entry gets the new token
instead of the flow throwing it away (which would lock the entry out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from types import TracebackType
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import (
    ConfigEntry,
    ConfigEntryState,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from yarl import URL

from .api import (
    HubHealth,
    Pairing,
    PorchlightClient,
    PorchlightConnectionError,
    PorchlightInvalidResponse,
    PorchlightInvalidURL,
    PorchlightPairingError,
    PorchlightRateLimited,
    PorchlightRequestError,
)
from .const import (
    CONF_ALERT_CATEGORIES,
    CONF_ALERT_MAX_AGE_HOURS,
    CONF_ALERT_RADIUS_M,
    CONF_CLIP_RETENTION_DAYS,
    CONF_HOME_ID,
    CONF_HUB_ID,
    CONF_PAIRING_CODE,
    CONF_SHARE_RETENTION_DAYS,
    DEFAULT_ALERT_MAX_AGE_HOURS,
    DEFAULT_ALERT_RADIUS_M,
    DEFAULT_CLIP_RETENTION_DAYS,
    DEFAULT_SHARE_RETENTION_DAYS,
    DOMAIN,
    LOGGER,
    SUBENTRY_DOORBELL,
)
from .models import ALERT_CATEGORIES
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


def _number(minimum: int, maximum: int, unit: str, step: int = 1) -> NumberSelector:
    """A box for whole numbers: sliders are too coarse for ranges this wide."""
    return NumberSelector(
        NumberSelectorConfig(
            min=minimum,
            max=maximum,
            step=step,
            unit_of_measurement=unit,
            mode=NumberSelectorMode.BOX,
        )
    )


OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Required(CONF_ALERT_RADIUS_M, default=DEFAULT_ALERT_RADIUS_M): _number(
            100, 10000, "m", step=50
        ),
        vol.Required(
            CONF_ALERT_CATEGORIES, default=list(ALERT_CATEGORIES)
        ): SelectSelector(
            SelectSelectorConfig(
                options=list(ALERT_CATEGORIES),
                multiple=True,
                mode=SelectSelectorMode.LIST,
                translation_key=CONF_ALERT_CATEGORIES,
            )
        ),
        vol.Required(
            CONF_ALERT_MAX_AGE_HOURS, default=DEFAULT_ALERT_MAX_AGE_HOURS
        ): _number(1, 168, "h"),
        vol.Required(
            CONF_CLIP_RETENTION_DAYS, default=DEFAULT_CLIP_RETENTION_DAYS
        ): _number(1, 365, "d"),
        vol.Required(
            CONF_SHARE_RETENTION_DAYS, default=DEFAULT_SHARE_RETENTION_DAYS
        ): _number(1, 90, "d"),
    }
)
NUMBER_OPTIONS: Final = (
    CONF_ALERT_RADIUS_M,
    CONF_ALERT_MAX_AGE_HOURS,
    CONF_CLIP_RETENTION_DAYS,
    CONF_SHARE_RETENTION_DAYS,
)


@dataclass(frozen=True, slots=True)
class _Paired:
    """What a successful pairing left us with."""

    url: str
    health: HubHealth
    pairing: Pairing

    @property
    def unique_id(self) -> str:
        return f"{self.pairing.hub_id}:{self.pairing.home_id}"

    @property
    def data(self) -> dict[str, str]:
        return {
            CONF_URL: self.url,
            CONF_TOKEN: self.pairing.token,
            CONF_HOME_ID: self.pairing.home_id,
            CONF_HUB_ID: self.pairing.hub_id,
        }


class _HubErrors:
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


def _url_from_discovery(info: ZeroconfServiceInfo) -> str:
    """The hub's base URL from its advertisement (IPv6 hosts need brackets)."""
    host = info.host if info.ip_address.version == 4 else f"[{info.host}]"
    return f"http://{host}:{info.port}"


def _may_follow_discovery(current: str) -> bool:
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
def _async_update_and_reload(
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
    ) -> _Paired | None:
        """Ask the hub who it is, then spend ``code``; None when it failed.

        The hub stores this home's name and location from what is sent here.
        """
        with _HubErrors(errors):
            client = PorchlightClient(async_get_clientsession(self.hass), url)
            health = await client.health()
            pairing = await client.pair(
                code,
                name=self.hass.config.location_name,
                latitude=self.hass.config.latitude,
                longitude=self.hass.config.longitude,
            )
            return _Paired(client.url, health, pairing)
        return None

    async def _async_health(
        self, url: str, errors: dict[str, str]
    ) -> tuple[str, HubHealth] | None:
        """Ask the hub at ``url`` who it is: (normalised URL, answer) or None."""
        with _HubErrors(errors):
            client = PorchlightClient(async_get_clientsession(self.hass), url)
            return client.url, await client.health()
        return None

    async def _async_create_paired_entry(self, paired: _Paired) -> ConfigFlowResult:
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
        url = _url_from_discovery(discovery_info)

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
        changed = _may_follow_discovery(entry.data[CONF_URL]) and (
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
                _async_update_and_reload(
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
    def _async_keep_token_of_other_entry(self, paired: _Paired) -> None:
        """Hand the new token to the configured home a code belonged to.

        The hub retired that home's old token when the code was spent; keeping
        the new one is the only way not to lock that entry out.
        """
        other = self.hass.config_entries.async_entry_for_domain_unique_id(
            DOMAIN, paired.unique_id
        )
        if other is not None:
            _async_update_and_reload(
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
                    _async_update_and_reload(
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


class PorchlightOptionsFlow(OptionsFlow):
    """Which alerts matter to this home, and how long footage is kept."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the options; store whole numbers and categories in a stable order."""
        errors: dict[str, str] = {}
        if user_input is not None:
            chosen = set(user_input[CONF_ALERT_CATEGORIES])
            if not chosen:
                errors[CONF_ALERT_CATEGORIES] = "no_categories"
            else:
                options: dict[str, Any] = {
                    key: int(user_input[key]) for key in NUMBER_OPTIONS
                }
                options[CONF_ALERT_CATEGORIES] = [
                    category for category in ALERT_CATEGORIES if category in chosen
                ]
                return self.async_create_entry(data=options)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(
                OPTIONS_SCHEMA, user_input or self.config_entry.options
            ),
            errors=errors,
        )
