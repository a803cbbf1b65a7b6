"""Options: which alerts matter to this home, and how long footage is kept."""

from __future__ import annotations

from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from .const import (
    CONF_ALERT_CATEGORIES,
    CONF_ALERT_MAX_AGE_HOURS,
    CONF_ALERT_RADIUS_M,
    CONF_CLIP_RETENTION_DAYS,
    CONF_SHARE_RETENTION_DAYS,
    DEFAULT_ALERT_MAX_AGE_HOURS,
    DEFAULT_ALERT_RADIUS_M,
    DEFAULT_CLIP_RETENTION_DAYS,
    DEFAULT_SHARE_RETENTION_DAYS,
)
from .models import ALERT_CATEGORIES


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
