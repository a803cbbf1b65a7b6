"""``opt_out_when``: the switch follows the condition, also across a restart.

The switch's services are stand-ins that change its state, so each test can
assert the exact list of switch calls; the end-to-end module shows the real
switch opting the home out at the hub.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import CoreState, HomeAssistant

from .blueprints_helpers import (
    Home,
    add_home,
    fake_switch,
    install_blueprints,
    settle,
    setup_automations,
)

TOGGLE = "input_boolean.porchlight_opt_out"
SCHEDULE = "schedule.night"
ALARM = "binary_sensor.alarm_armed_away"
PEOPLE = ["person.alex", "person.sam"]


@pytest.fixture
async def home(hass: HomeAssistant, tmp_path: Path) -> Home:
    install_blueprints(hass, tmp_path)
    home = add_home(hass)
    for entity_id in (TOGGLE, SCHEDULE, ALARM):
        hass.states.async_set(entity_id, "off")
    for person in PEOPLE:
        hass.states.async_set(person, "home")
    return home


@pytest.fixture
def switch_calls(hass: HomeAssistant, home: Home) -> list[tuple[str, str]]:
    return fake_switch(hass, home.switch)


async def opt_out_when(hass: HomeAssistant, home: Home, **inputs: Any) -> None:
    await setup_automations(
        hass,
        ("opt_out_when", {"video_requests_switch": home.switch, **inputs}),
    )
    await settle(hass)


async def set_state(hass: HomeAssistant, entity_id: str, state: str) -> None:
    hass.states.async_set(entity_id, state)
    await settle(hass)


def off(home: Home) -> tuple[str, str]:
    return ("turn_off", home.switch)


def on(home: Home) -> tuple[str, str]:
    return ("turn_on", home.switch)


@pytest.mark.parametrize(
    ("inputs", "entity_id", "start", "end"),
    [
        pytest.param({"toggles": [TOGGLE]}, TOGGLE, "on", "off", id="input_boolean"),
        pytest.param({"toggles": [ALARM]}, ALARM, "on", "off", id="binary_sensor"),
        pytest.param({"schedules": [SCHEDULE]}, SCHEDULE, "on", "off", id="schedule"),
    ],
)
async def test_off_when_the_condition_starts_and_on_when_it_ends(
    hass: HomeAssistant,
    home: Home,
    switch_calls: list[tuple[str, str]],
    inputs: dict[str, Any],
    entity_id: str,
    start: str,
    end: str,
) -> None:
    await opt_out_when(hass, home, **inputs)
    assert switch_calls == []

    await set_state(hass, entity_id, start)
    assert switch_calls == [off(home)]
    assert hass.states.get(home.switch).state == "off"  # type: ignore[union-attr]

    await set_state(hass, entity_id, end)
    assert switch_calls == [off(home), on(home)]
    assert hass.states.get(home.switch).state == "on"  # type: ignore[union-attr]


async def test_nobody_home(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    await opt_out_when(hass, home, people=PEOPLE)
    await set_state(hass, PEOPLE[0], "not_home")
    assert switch_calls == []  # Sam is still home
    await set_state(hass, PEOPLE[1], "Work")
    assert switch_calls == [off(home)]
    await set_state(hass, PEOPLE[1], "home")
    assert switch_calls == [off(home), on(home)]


async def test_any_condition_holding_keeps_the_home_opted_out(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    await opt_out_when(hass, home, toggles=[TOGGLE], schedules=[SCHEDULE])
    await set_state(hass, SCHEDULE, "on")
    await set_state(hass, TOGGLE, "on")
    await set_state(hass, SCHEDULE, "off")
    assert switch_calls == [off(home)]
    await set_state(hass, TOGGLE, "off")
    assert switch_calls == [off(home), on(home)]


async def test_unknown_states_keep_the_home_opted_out(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    await opt_out_when(hass, home, toggles=[TOGGLE], people=["person.alex"])
    await set_state(hass, TOGGLE, STATE_UNAVAILABLE)
    assert switch_calls == [off(home)]
    await set_state(hass, TOGGLE, "off")
    assert switch_calls == [off(home), on(home)]
    await set_state(hass, "person.alex", "unknown")
    assert switch_calls == [off(home), on(home), off(home)]


async def test_turn_back_on_can_be_left_to_the_household(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    await opt_out_when(hass, home, toggles=[TOGGLE], turn_back_on=False)
    await set_state(hass, TOGGLE, "on")
    await set_state(hass, TOGGLE, "off")
    assert switch_calls == [off(home)]


async def test_attribute_changes_and_other_entities_do_nothing(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    await opt_out_when(hass, home, people=["person.alex"])
    hass.states.async_set("person.alex", "home", {"latitude": 52.1})
    await settle(hass)
    await set_state(hass, TOGGLE, "on")  # not chosen
    assert switch_calls == []


async def test_without_any_condition_it_never_touches_the_switch(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    hass.states.async_set(home.switch, "off")
    await opt_out_when(hass, home)
    hass.bus.async_fire("automation_reloaded")
    await set_state(hass, home.switch, STATE_UNAVAILABLE)
    await set_state(hass, home.switch, "off")
    assert switch_calls == []


async def test_the_switch_is_set_right_when_it_comes_back(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    await opt_out_when(hass, home, toggles=[TOGGLE])
    # The hub is unreachable while the condition starts: nothing to switch.
    await set_state(hass, home.switch, STATE_UNAVAILABLE)
    await set_state(hass, TOGGLE, "on")
    assert switch_calls == []
    # Back, and still receiving requests: opted out now.
    await set_state(hass, home.switch, "on")
    assert switch_calls == [off(home)]
    # A change by hand is not fought.
    await set_state(hass, home.switch, "on")
    assert switch_calls == [off(home)]


async def test_reloading_automations_applies_the_condition(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    await opt_out_when(hass, home, toggles=[TOGGLE])
    hass.states.async_set(TOGGLE, "on", {"friendly_name": "x"})  # attribute only
    hass.states.async_set(TOGGLE, "on")
    await settle(hass)
    switch_calls.clear()
    hass.states.async_set(home.switch, "on")
    hass.bus.async_fire("automation_reloaded")
    await settle(hass)
    assert switch_calls == [off(home)]


# --------------------------------------------------------------------------
# Across a Home Assistant restart: the automation starts with Home Assistant
# and finds the switch as the hub kept it (the opt-out lives at the hub).


async def start(hass: HomeAssistant) -> None:
    await hass.async_start()
    await settle(hass)


@pytest.mark.parametrize(
    ("switch", "toggle", "expected"),
    [
        pytest.param("on", "on", "turn_off", id="started_while_down"),
        pytest.param("off", "off", "turn_on", id="ended_while_down"),
        pytest.param("off", "on", None, id="still_holds"),
        pytest.param("on", "off", None, id="still_clear"),
    ],
)
async def test_at_start_the_switch_follows_the_condition(
    hass: HomeAssistant,
    home: Home,
    switch_calls: list[tuple[str, str]],
    switch: str,
    toggle: str,
    expected: str | None,
) -> None:
    hass.set_state(CoreState.not_running)
    hass.states.async_set(home.switch, switch)
    hass.states.async_set(TOGGLE, toggle)
    await opt_out_when(hass, home, toggles=[TOGGLE])
    assert switch_calls == []

    await start(hass)
    assert switch_calls == ([] if expected is None else [(expected, home.switch)])


async def test_condition_started_before_a_restart_ends_after_it(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    # Before the restart the automation opted the home out; the hub kept it.
    hass.set_state(CoreState.not_running)
    hass.states.async_set(home.switch, "off")
    hass.states.async_set(TOGGLE, "on")
    await opt_out_when(hass, home, toggles=[TOGGLE])
    await start(hass)
    assert switch_calls == []

    await set_state(hass, TOGGLE, "off")
    assert switch_calls == [on(home)]
    await set_state(hass, TOGGLE, "on")
    assert switch_calls == [on(home), off(home)]


async def test_hub_unreachable_at_start_then_back(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    hass.set_state(CoreState.not_running)
    hass.states.async_set(home.switch, STATE_UNAVAILABLE)
    hass.states.async_set(TOGGLE, "on")
    await opt_out_when(hass, home, toggles=[TOGGLE])
    await start(hass)
    assert switch_calls == []

    await set_state(hass, home.switch, "on")
    assert switch_calls == [off(home)]


async def test_switch_added_after_start(
    hass: HomeAssistant, home: Home, switch_calls: list[tuple[str, str]]
) -> None:
    """Porchlight set up late (its hub was slow): the switch appears later."""
    hass.states.async_remove(home.switch)
    hass.states.async_set(TOGGLE, "off")
    await opt_out_when(hass, home, toggles=[TOGGLE])
    await set_state(hass, home.switch, "off")
    assert switch_calls == [on(home)]
