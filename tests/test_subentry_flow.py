"""The doorbell subentry flow: adopt, refuse what cannot work, reconfigure."""

from __future__ import annotations

from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.const import CONF_NAME, CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import entity_registry as er
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.porchlight.config_flow import PorchlightConfigFlow
from custom_components.porchlight.const import (
    CONF_CAMERA_ENTITY,
    CONF_HOME_ID,
    CONF_HUB_ID,
    CONF_MOTION_ENTITY,
    CONF_RECORD_SECONDS,
    CONF_TRIGGER_ENTITY,
    DOMAIN,
    SUBENTRY_DOORBELL,
)
from custom_components.porchlight.subentry_flow import DoorbellSubentryFlow

CAMERA = "camera.front_door"
BUTTON = "input_button.doorbell"
MOTION = "binary_sensor.porch_motion"


@pytest.fixture
def expected_lingering_timers() -> bool:
    """Home Assistant's own http config save may outlive a test here.

    A subentry flow loads the integration, whose dependencies set up
    Home Assistant's http component; after a test that enabled sockets (the
    panel's) its server starts and schedules a 180 s save of its own Store.
    That timer is Home Assistant's, not Porchlight's: the harness warns of it
    instead of failing.
    """
    return True


@pytest.fixture
def entry(hass: HomeAssistant) -> MockConfigEntry:
    """A paired home (not loaded: the flow needs only the entry)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Elm Street",
        unique_id="hub-1:home-1",
        data={
            CONF_URL: "http://127.0.0.1:1",
            CONF_TOKEN: "token",
            CONF_HOME_ID: "home-1",
            CONF_HUB_ID: "hub-1",
        },
    )
    entry.add_to_hass(hass)
    hass.states.async_set(CAMERA, "idle")
    hass.states.async_set(BUTTON, "unknown")
    hass.states.async_set(MOTION, "off")
    return entry


def _input(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        CONF_NAME: "Front door",
        CONF_CAMERA_ENTITY: CAMERA,
        CONF_TRIGGER_ENTITY: BUTTON,
        CONF_RECORD_SECONDS: 10,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


async def _start(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_DOORBELL), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return str(result["flow_id"])


async def _add(
    hass: HomeAssistant, entry: MockConfigEntry, **overrides: Any
) -> dict[str, Any]:
    flow_id = await _start(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        flow_id, _input(**overrides)
    )
    return dict(result)


def test_doorbell_is_the_supported_subentry_type(entry: MockConfigEntry) -> None:
    assert PorchlightConfigFlow.async_get_supported_subentry_types(entry) == {
        SUBENTRY_DOORBELL: DoorbellSubentryFlow
    }


async def test_add_doorbell(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    result = await _add(
        hass, entry, **{CONF_MOTION_ENTITY: MOTION, CONF_NAME: " Porch "}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (subentry,) = entry.subentries.values()
    assert subentry.subentry_type == SUBENTRY_DOORBELL
    assert subentry.title == "Porch"
    assert dict(subentry.data) == {
        CONF_CAMERA_ENTITY: CAMERA,
        CONF_TRIGGER_ENTITY: BUTTON,
        CONF_MOTION_ENTITY: MOTION,
        CONF_RECORD_SECONDS: 10,
    }


async def test_motion_is_optional_and_length_defaults(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    flow_id = await _start(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        flow_id,
        {CONF_NAME: "Side", CONF_CAMERA_ENTITY: CAMERA, CONF_TRIGGER_ENTITY: BUTTON},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    (subentry,) = entry.subentries.values()
    assert CONF_MOTION_ENTITY not in subentry.data
    assert subentry.data[CONF_RECORD_SECONDS] == 10


async def test_registered_but_offline_entities_count_as_existing(
    hass: HomeAssistant, entry: MockConfigEntry, entity_registry: er.EntityRegistry
) -> None:
    """A camera offline while it is adopted is still that camera."""
    entity_registry.async_get_or_create(
        "camera", "brand", "cam-1", suggested_object_id="garage"
    )
    result = await _add(hass, entry, **{CONF_CAMERA_ENTITY: "camera.garage"})
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize(
    ("overrides", "field", "error"),
    [
        (
            {CONF_CAMERA_ENTITY: "camera.nowhere"},
            CONF_CAMERA_ENTITY,
            "entity_not_found",
        ),
        (
            {CONF_TRIGGER_ENTITY: "event.nowhere"},
            CONF_TRIGGER_ENTITY,
            "entity_not_found",
        ),
        (
            {CONF_MOTION_ENTITY: "binary_sensor.nowhere"},
            CONF_MOTION_ENTITY,
            "entity_not_found",
        ),
        (
            {CONF_TRIGGER_ENTITY: MOTION, CONF_MOTION_ENTITY: MOTION},
            CONF_MOTION_ENTITY,
            "motion_is_trigger",
        ),
        ({CONF_NAME: "   "}, CONF_NAME, "name_empty"),
    ],
)
async def test_add_refuses_what_cannot_work(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    overrides: dict[str, Any],
    field: str,
    error: str,
) -> None:
    result = await _add(hass, entry, **overrides)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    assert not entry.subentries


async def test_wrong_domains_refused(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """The selectors filter domains in the UI; the flow re-checks for the API."""
    flow_id = await _start(hass, entry)
    flow = hass.config_entries.subentries._progress[flow_id]
    assert isinstance(flow, DoorbellSubentryFlow)
    hass.states.async_set("light.porch", "on")
    hass.states.async_set("sensor.porch", "1")
    _data, errors = flow._validate(
        _input(
            **{
                CONF_CAMERA_ENTITY: "light.porch",
                CONF_TRIGGER_ENTITY: "sensor.porch",
                CONF_MOTION_ENTITY: "not an entity id",
            }
        ),
        editing=None,
    )
    assert errors == {
        CONF_CAMERA_ENTITY: "wrong_domain",
        CONF_TRIGGER_ENTITY: "wrong_domain",
        CONF_MOTION_ENTITY: "entity_not_found",
    }


async def test_a_camera_is_adopted_once(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    assert (await _add(hass, entry))["type"] is FlowResultType.CREATE_ENTRY
    hass.states.async_set("event.other_bell", "unknown")
    result = await _add(
        hass, entry, **{CONF_NAME: "Again", CONF_TRIGGER_ENTITY: "event.other_bell"}
    )
    assert result["errors"] == {CONF_CAMERA_ENTITY: "camera_in_use"}
    assert len(entry.subentries) == 1


async def test_errors_keep_what_was_typed(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await _add(hass, entry, **{CONF_CAMERA_ENTITY: "camera.nowhere"})
    schema = result["data_schema"].schema
    suggested = {
        str(key): key.description.get("suggested_value")
        for key in schema
        if key.description
    }
    assert suggested[CONF_NAME] == "Front door"
    assert suggested[CONF_TRIGGER_ENTITY] == BUTTON


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, SUBENTRY_DOORBELL),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    return dict(result)


async def test_reconfigure(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await _add(hass, entry, **{CONF_MOTION_ENTITY: MOTION})
    (subentry,) = entry.subentries.values()
    result = await _reconfigure(hass, entry, subentry.subentry_id)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"name": "Front door"}
    suggested = {
        str(key): key.description.get("suggested_value")
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested[CONF_MOTION_ENTITY] == MOTION
    # The same camera is not "in use" by the doorbell being edited; motion is
    # removed by leaving it out.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        _input(**{CONF_NAME: "Porch", CONF_RECORD_SECONDS: 30}),
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    subentry = entry.subentries[subentry.subentry_id]
    assert subentry.title == "Porch"
    assert dict(subentry.data) == {
        CONF_CAMERA_ENTITY: CAMERA,
        CONF_TRIGGER_ENTITY: BUTTON,
        CONF_RECORD_SECONDS: 30,
    }


async def test_reconfigure_refuses_another_doorbells_camera(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    hass.states.async_set("camera.back", "idle")
    await _add(hass, entry)
    await _add(hass, entry, **{CONF_NAME: "Back", CONF_CAMERA_ENTITY: "camera.back"})
    back = next(s for s in entry.subentries.values() if s.title == "Back")
    result = await _reconfigure(hass, entry, back.subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], _input(**{CONF_NAME: "Back"})
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_CAMERA_ENTITY: "camera_in_use"}
    assert entry.subentries[back.subentry_id].data[CONF_CAMERA_ENTITY] == "camera.back"


async def test_record_seconds_bounds(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    """3 to 60 seconds: the form refuses anything else before the flow sees it."""
    for seconds in (2, 61):
        flow_id = await _start(hass, entry)
        with pytest.raises(InvalidData, match=CONF_RECORD_SECONDS):
            await hass.config_entries.subentries.async_configure(
                flow_id, _input(**{CONF_RECORD_SECONDS: seconds})
            )
    assert not entry.subentries
