"""Adopting a doorbell: a config subentry per camera the household chooses.

Any camera in Home Assistant can be a Porchlight doorbell, so the flow asks
for entities rather than devices of a brand. What it checks is what would
otherwise fail silently at the first ring: an entity that does not exist, a
trigger that cannot mean a ring, a camera already adopted (two doorbells
recording the same camera would file every visitor twice).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import voluptuous as vol
from homeassistant.config_entries import ConfigSubentryFlow, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.core import split_entity_id
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)

from .const import (
    CONF_CAMERA_ENTITY,
    CONF_MOTION_ENTITY,
    CONF_RECORD_SECONDS,
    CONF_TRIGGER_ENTITY,
    DEFAULT_RECORD_SECONDS,
    MAX_RECORD_SECONDS,
    MIN_RECORD_SECONDS,
    MOTION_DOMAINS,
    SUBENTRY_DOORBELL,
    TRIGGER_DOMAINS,
)

RECORD_SECONDS_SELECTOR: Final = NumberSelector(
    NumberSelectorConfig(
        min=MIN_RECORD_SECONDS,
        max=MAX_RECORD_SECONDS,
        step=1,
        unit_of_measurement="s",
        mode=NumberSelectorMode.BOX,
    )
)


def doorbell_schema(defaults: Mapping[str, Any]) -> vol.Schema:
    """The doorbell form, prefilled with what the household chose before.

    Suggested values (not defaults) are used for the optional motion entity,
    so clearing it in a reconfigure really removes it.
    """

    def suggested(key: str) -> dict[str, Any]:
        value = defaults.get(key)
        return {"suggested_value": value} if value else {}

    return vol.Schema(
        {
            vol.Required(CONF_NAME, description=suggested(CONF_NAME)): TextSelector(),
            vol.Required(
                CONF_CAMERA_ENTITY, description=suggested(CONF_CAMERA_ENTITY)
            ): EntitySelector(EntitySelectorConfig(domain="camera")),
            vol.Required(
                CONF_TRIGGER_ENTITY, description=suggested(CONF_TRIGGER_ENTITY)
            ): EntitySelector(EntitySelectorConfig(domain=list(TRIGGER_DOMAINS))),
            vol.Optional(
                CONF_MOTION_ENTITY, description=suggested(CONF_MOTION_ENTITY)
            ): EntitySelector(EntitySelectorConfig(domain=list(MOTION_DOMAINS))),
            vol.Required(
                CONF_RECORD_SECONDS,
                default=defaults.get(CONF_RECORD_SECONDS, DEFAULT_RECORD_SECONDS),
            ): RECORD_SECONDS_SELECTOR,
        }
    )


class DoorbellSubentryFlow(ConfigSubentryFlow):
    """Add or reconfigure one doorbell of a paired home."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Choose the camera, the ring and, optionally, motion."""
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input, editing=None)
            if not errors:
                return self.async_create_entry(
                    title=user_input[CONF_NAME].strip(), data=data
                )
        return self.async_show_form(
            step_id="user",
            data_schema=doorbell_schema(user_input or {}),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a doorbell's entities or recording length, keeping its clips."""
        subentry = self._get_reconfigure_subentry()
        errors: dict[str, str] = {}
        if user_input is not None:
            data, errors = self._validate(user_input, editing=subentry.subentry_id)
            if not errors:
                return self.async_update_and_abort(
                    self._get_entry(),
                    subentry,
                    title=user_input[CONF_NAME].strip(),
                    data=data,
                )
        current = user_input or {CONF_NAME: subentry.title, **subentry.data}
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=doorbell_schema(current),
            errors=errors,
            description_placeholders={"name": subentry.title},
        )

    def _validate(
        self, user_input: Mapping[str, Any], editing: str | None
    ) -> tuple[dict[str, Any], dict[str, str]]:
        """The subentry data for this input, or the errors to show."""
        errors: dict[str, str] = {}
        if not str(user_input.get(CONF_NAME, "")).strip():
            errors[CONF_NAME] = "name_empty"
        camera = user_input[CONF_CAMERA_ENTITY]
        trigger = user_input[CONF_TRIGGER_ENTITY]
        motion = user_input.get(CONF_MOTION_ENTITY) or None
        if error := self._entity_error(camera, ("camera",)):
            errors[CONF_CAMERA_ENTITY] = error
        elif self._adopted_elsewhere(camera, editing):
            errors[CONF_CAMERA_ENTITY] = "camera_in_use"
        if error := self._entity_error(trigger, TRIGGER_DOMAINS):
            errors[CONF_TRIGGER_ENTITY] = error
        if motion is not None:
            if motion == trigger:
                errors[CONF_MOTION_ENTITY] = "motion_is_trigger"
            elif error := self._entity_error(motion, MOTION_DOMAINS):
                errors[CONF_MOTION_ENTITY] = error
        data: dict[str, Any] = {
            CONF_CAMERA_ENTITY: camera,
            CONF_TRIGGER_ENTITY: trigger,
            CONF_RECORD_SECONDS: int(user_input[CONF_RECORD_SECONDS]),
        }
        if motion is not None:
            data[CONF_MOTION_ENTITY] = motion
        return data, errors

    def _entity_error(self, entity_id: str, domains: tuple[str, ...]) -> str | None:
        """Why this entity cannot serve, or None.

        An entity counts as existing when it has a state or a registry entry:
        a camera that is offline while the doorbell is added is still that
        camera, and the recorder copes with it being unavailable.
        """
        try:
            domain = split_entity_id(entity_id)[0]
        except ValueError:
            return "entity_not_found"
        if domain not in domains:
            return "wrong_domain"
        if (
            self.hass.states.get(entity_id) is None
            and er.async_get(self.hass).async_get(entity_id) is None
        ):
            return "entity_not_found"
        return None

    def _adopted_elsewhere(self, camera: str, editing: str | None) -> bool:
        """Whether another doorbell of this home already records this camera."""
        return any(
            subentry.subentry_type == SUBENTRY_DOORBELL
            and subentry.subentry_id != editing
            and subentry.data.get(CONF_CAMERA_ENTITY) == camera
            for subentry in self._get_entry().subentries.values()
        )
