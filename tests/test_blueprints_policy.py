"""The consent policy in blueprints/README.md, run as written.

The five automations are read from the README's YAML, so the documented
policy is the tested one. Decisions are echoed back as the integration's
events, so the automations see each other's decisions, and the README's
promise about their order (a decline wins, nobody is asked about a request
already decided) is checked.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util import slugify
from homeassistant.util.yaml import parse_yaml

from .blueprints_helpers import (
    BLUEPRINTS,
    Decisions,
    Home,
    Phone,
    add_home,
    add_phone,
    advance,
    fake_switch,
    install_blueprints,
    mock_decisions,
    request_attributes,
    settle,
)

README = BLUEPRINTS.parents[1] / "README.md"
STRINGS = (
    Path(__file__).parents[1] / "custom_components" / "porchlight" / "strings.json"
)
PLACEHOLDER_DEVICE = "0123456789abcdef0123456789abcdef"
GRACE_ASK = 15
GRACE_TRUSTED = 5


def policy_from_readme() -> list[dict[str, Any]]:
    blocks = re.findall(r"```yaml\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    [policy] = [b for b in blocks if "use_blueprint" in b]
    automations = parse_yaml(policy)
    assert isinstance(automations, list)
    return automations


def with_phone(value: Any, device_id: str) -> Any:
    """The README's placeholder device id replaced by the test phone's."""
    if isinstance(value, dict):
        return {k: with_phone(v, device_id) for k, v in value.items()}
    if isinstance(value, list):
        return [with_phone(v, device_id) for v in value]
    return device_id if value == PLACEHOLDER_DEVICE else value


class Policy:
    """The home, phone and recorded decisions the policy works with."""

    def __init__(self, home: Home, phone: Phone, decisions: Decisions) -> None:
        self.home = home
        self.phone = phone
        self.decisions = decisions

    def questions(self) -> list[dict[str, Any]]:
        return [m for m in self.phone.messages() if "actions" in m.get("data", {})]

    def alerts(self) -> list[dict[str, Any]]:
        return [
            m for m in self.phone.messages() if "porchlight-alert" in str(m.get("data"))
        ]


@pytest.fixture
async def policy(hass: HomeAssistant, tmp_path: Path) -> Policy:
    install_blueprints(hass, tmp_path)
    home = add_home(hass)
    phone = add_phone(hass, "Alex's phone")
    decisions = mock_decisions(hass, home)
    for person in ("person.alex", "person.sam"):
        hass.states.async_set(person, "home")
    hass.states.async_set("input_boolean.porchlight_opt_out", "off")
    config = [with_phone(a, phone.device_id) for a in policy_from_readme()]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    states = hass.states.async_all("automation")
    assert len(states) == 5
    assert all(s.state == "on" for s in states), states
    return Policy(home, phone, decisions)


async def test_the_readme_policy_uses_the_entities_the_integration_creates(
    policy: Policy,
) -> None:
    """For a home called "Home", the entity ids follow the entities' names."""
    strings = json.loads(STRINGS.read_text(encoding="utf-8"))["entity"]
    expected = {
        policy.home.requests: ("event", "video_requests"),
        policy.home.alerts: ("event", "neighbourhood_alerts"),
        policy.home.switch: ("switch", "video_requests"),
    }
    text = README.read_text(encoding="utf-8")
    for entity_id, (domain, key) in expected.items():
        name = strings[domain][key]["name"]
        assert entity_id == f"{domain}.{slugify(f'Home {name}')}"
        assert f"{entity_id}\n" in text


async def test_a_trusted_agency_gets_footage_without_asking(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, policy: Policy
) -> None:
    await policy.home.request(attributes=request_attributes("req_1", matching_clips=3))
    await advance(hass, freezer, GRACE_TRUSTED)
    assert policy.decisions.shared() == [
        {
            "request_id": "req_1",
            "retention_days": 14,
            "config_entry_id": policy.home.entry.entry_id,
        }
    ]
    await advance(hass, freezer, GRACE_ASK)
    await advance(hass, freezer, 5 * 3600)
    assert policy.questions() == []
    assert policy.decisions.declined() == []


async def test_a_rule_beats_a_trusted_agency(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, policy: Policy
) -> None:
    end = dt_util.utcnow().replace(microsecond=0) - timedelta(hours=1)
    too_long = {
        "window_start": (end - timedelta(hours=8)).isoformat(),
        "window_end": end.isoformat(),
    }
    await policy.home.request(attributes=request_attributes("req_1") | too_long)
    assert policy.decisions.declined() == [
        {"request_id": "req_1", "config_entry_id": policy.home.entry.entry_id}
    ]
    await advance(hass, freezer, GRACE_TRUSTED)
    await advance(hass, freezer, GRACE_ASK)
    await advance(hass, freezer, 5 * 3600)
    assert policy.decisions.shared() == []
    assert policy.questions() == []
    assert len(policy.decisions.decline) == 1


@pytest.mark.parametrize(
    "attributes",
    [
        pytest.param(
            request_attributes("req_1", agency="FBI", agency_kind="federal"),
            id="federal",
        ),
        pytest.param(request_attributes("req_1", incident_type="other"), id="other"),
        pytest.param(request_attributes("req_1", distance_m=520.0), id="far"),
    ],
)
async def test_excluded_requests_are_declined_without_asking(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    policy: Policy,
    attributes: dict[str, Any],
) -> None:
    await policy.home.request(attributes=attributes)
    await advance(hass, freezer, GRACE_ASK)
    assert [c["request_id"] for c in policy.decisions.declined()] == ["req_1"]
    assert policy.decisions.shared() == []
    assert policy.questions() == []


async def test_anything_else_is_asked_and_shared_on_a_tap(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, policy: Policy
) -> None:
    await policy.home.request(
        attributes=request_attributes(
            "req_1",
            agency="County Sheriff",
            agency_kind="sheriff",
            incident_type="theft",
        )
    )
    await advance(hass, freezer, GRACE_ASK)
    [question] = policy.questions()
    share = next(
        a["action"] for a in question["data"]["actions"] if a["title"] == "Share all"
    )
    hass.bus.async_fire("mobile_app_notification_action", {"action": share})
    await settle(hass)
    assert policy.decisions.shared() == [
        {
            "request_id": "req_1",
            "retention_days": 7,
            "config_entry_id": policy.home.entry.entry_id,
        }
    ]
    assert policy.decisions.declined() == []


async def test_an_unanswered_question_is_declined_after_four_hours(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, policy: Policy
) -> None:
    await policy.home.request(
        attributes=request_attributes(
            "req_1", agency="County Sheriff", agency_kind="sheriff"
        )
    )
    await advance(hass, freezer, GRACE_ASK)
    assert len(policy.questions()) == 1
    await advance(hass, freezer, 4 * 3600 - 60)
    assert policy.decisions.declined() == []
    await advance(hass, freezer, 61)
    assert policy.decisions.declined() == [
        {"request_id": "req_1", "config_entry_id": policy.home.entry.entry_id}
    ]
    assert policy.decisions.shared() == []


async def test_opted_out_while_nobody_is_home_or_on_request(
    hass: HomeAssistant, policy: Policy
) -> None:
    calls = fake_switch(hass, policy.home.switch)
    hass.states.async_set("person.alex", "not_home")
    await settle(hass)
    assert calls == []
    hass.states.async_set("person.sam", "not_home")
    await settle(hass)
    assert calls == [("turn_off", policy.home.switch)]
    hass.states.async_set("person.sam", "home")
    await settle(hass)
    hass.states.async_set("input_boolean.porchlight_opt_out", "on")
    await settle(hass)
    assert calls == [
        ("turn_off", policy.home.switch),
        ("turn_on", policy.home.switch),
        ("turn_off", policy.home.switch),
    ]


async def test_alerts_within_a_kilometre_outside_quiet_hours(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, policy: Policy
) -> None:
    zone = dt_util.get_default_time_zone()
    freezer.move_to(dt_util.now(zone).replace(hour=12, minute=0))
    await policy.home.alert("lost_pet", "alr_1", distance_m=990)
    await policy.home.alert("community", "alr_2", distance_m=100)
    await policy.home.alert("crime", "alr_3", distance_m=1010)
    freezer.move_to(dt_util.now(zone).replace(hour=22, minute=45))
    await policy.home.alert("crime", "alr_4", distance_m=100)
    assert [m["data"]["tag"] for m in policy.alerts()] == ["porchlight-alert-alr_1"]
