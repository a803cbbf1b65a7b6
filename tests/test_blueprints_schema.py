"""The five blueprints are valid for Home Assistant and keep their contract.

Each file is checked by Home Assistant's own blueprint schema and, once its
inputs are filled in, by its automation schema (triggers, conditions and
actions, as Home Assistant validates them when the automation is saved). The
multi-selects must offer exactly the values the hub and integration know.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
from homeassistant.components.automation.config import (
    AUTOMATION_BLUEPRINT_SCHEMA,
    async_validate_config_item,
)
from homeassistant.components.blueprint.errors import MissingInput
from homeassistant.components.blueprint.models import Blueprint
from homeassistant.core import HomeAssistant
from homeassistant.helpers.selector import selector
from homeassistant.util.yaml import load_yaml

from custom_components.porchlight import models
from porchlight_hub import settings

from .blueprints_helpers import (
    BLUEPRINTS,
    NAMES,
    REPOSITORY,
    add_home,
    add_phone,
    install_blueprints,
)

README = BLUEPRINTS.parents[1] / "README.md"
RAW = "https://raw.githubusercontent.com/porchlight-home/porchlight/main/blueprints/automation/porchlight"


def load(name: str) -> Blueprint:
    data = load_yaml(BLUEPRINTS / f"{name}.yaml")
    assert isinstance(data, dict)
    return Blueprint(
        data,
        path=f"porchlight/{name}.yaml",
        expected_domain="automation",
        schema=AUTOMATION_BLUEPRINT_SCHEMA,
    )


def select_values(selector: dict[str, Any]) -> list[str]:
    options = selector["select"]["options"]
    return [o if isinstance(o, str) else o["value"] for o in options]


def test_the_folder_holds_exactly_the_five_blueprints() -> None:
    assert sorted(p.stem for p in BLUEPRINTS.glob("*.yaml")) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_metadata(name: str) -> None:
    blueprint = load(name)
    meta = blueprint.metadata
    assert meta["domain"] == "automation"
    assert meta["source_url"] == (
        f"{REPOSITORY}/blob/main/blueprints/automation/porchlight/{name}.yaml"
    )
    assert meta["homeassistant"]["min_version"] == "2025.4.0"
    # The running Home Assistant satisfies it (validate() lists problems).
    assert blueprint.validate() is None
    assert meta["name"].startswith("Porchlight")
    # What it does and what it never does.
    assert "never" in meta["description"]
    assert len(meta["description"]) > 200


@pytest.mark.parametrize("name", NAMES)
def test_inputs_are_in_sections_with_selectors(name: str) -> None:
    blueprint = load(name)
    sections = blueprint.metadata["input"]
    assert sections
    for section in sections.values():
        assert "input" in section, "every input belongs to a section"
        assert section["name"]
    for key, spec in blueprint.inputs.items():
        assert spec["name"], key
        assert "selector" in spec, key
        # Defaults must pass their own selector.
        if "default" in spec:
            validate: Any = selector(spec["selector"])
            validate(spec["default"])


def porchlight_entity_inputs(blueprint: Blueprint) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for key, spec in blueprint.inputs.items():
        entity = spec["selector"].get("entity")
        if entity is None:
            continue
        for flt in entity.get("filter", []):
            if flt.get("integration") == "porchlight":
                found[key] = flt["domain"]
    return found


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ask_before_sharing", {"video_requests": ["event"]}),
        ("decline_by_rule", {"video_requests": ["event"]}),
        ("share_with_trusted_agencies", {"video_requests": ["event"]}),
        ("opt_out_when", {"video_requests_switch": ["switch"]}),
        ("notify_nearby_alerts", {"neighbourhood_alerts": ["event"]}),
    ],
)
def test_porchlight_entities_are_filtered_to_the_integration(
    name: str, expected: dict[str, list[str]]
) -> None:
    blueprint = load(name)
    assert porchlight_entity_inputs(blueprint) == expected
    for key in expected:
        assert "default" not in blueprint.inputs[key]


@pytest.mark.parametrize(
    "name", ["ask_before_sharing", "notify_nearby_alerts"], ids=str
)
def test_phones_are_mobile_app_devices(name: str) -> None:
    spec = load(name).inputs["notify_devices"]
    device = spec["selector"]["device"]
    assert device["multiple"] is True
    assert device["filter"] == [{"integration": "mobile_app"}]


@pytest.mark.parametrize(
    ("name", "key", "values"),
    [
        ("decline_by_rule", "agency_kinds", settings.AGENCY_KINDS),
        ("decline_by_rule", "incident_types", settings.INCIDENT_TYPES),
        ("share_with_trusted_agencies", "agency_kinds", settings.AGENCY_KINDS),
        ("share_with_trusted_agencies", "incident_types", settings.INCIDENT_TYPES),
        ("notify_nearby_alerts", "categories", settings.ALERT_CATEGORIES),
    ],
)
def test_multi_selects_offer_the_hub_values(
    name: str, key: str, values: tuple[str, ...]
) -> None:
    spec = load(name).inputs[key]
    assert spec["selector"]["select"]["multiple"] is True
    assert select_values(spec["selector"]) == list(values)
    assert set(spec["default"]) <= set(values)


def test_hub_and_integration_agree_on_the_values() -> None:
    assert settings.AGENCY_KINDS == models.AGENCY_KINDS
    assert settings.INCIDENT_TYPES == models.INCIDENT_TYPES
    assert settings.ALERT_CATEGORIES == models.ALERT_CATEGORIES


@pytest.mark.parametrize(
    ("name", "variable", "values"),
    [
        ("decline_by_rule", "known_agency_kinds", settings.AGENCY_KINDS),
        ("decline_by_rule", "known_incident_types", settings.INCIDENT_TYPES),
    ],
)
def test_known_values_used_to_fail_closed(
    name: str, variable: str, values: tuple[str, ...]
) -> None:
    assert load(name).data["variables"][variable] == list(values)


def test_ask_before_sharing_contract_inputs() -> None:
    inputs = load("ask_before_sharing").inputs
    assert inputs["timeout_action"]["default"] == "decline"
    assert select_values(inputs["timeout_action"]["selector"]) == [
        "decline",
        "nothing",
    ]
    assert "duration" in inputs["timeout"]["selector"]


def minimal_inputs(
    home_requests: str, home_alerts: str, switch: str, phone: str
) -> dict[str, dict[str, Any]]:
    return {
        "ask_before_sharing": {
            "video_requests": home_requests,
            "notify_devices": [phone],
        },
        "decline_by_rule": {"video_requests": home_requests},
        "share_with_trusted_agencies": {
            "video_requests": home_requests,
            "trusted_agencies": ["Elm City Police"],
        },
        "opt_out_when": {
            "video_requests_switch": switch,
            "toggles": ["input_boolean.away"],
        },
        "notify_nearby_alerts": {
            "neighbourhood_alerts": home_alerts,
            "notify_devices": [phone],
        },
    }


@pytest.mark.parametrize("name", NAMES)
async def test_automation_schema_accepts_the_blueprint(
    hass: HomeAssistant, tmp_path: Path, name: str
) -> None:
    install_blueprints(hass, tmp_path)
    home = add_home(hass)
    phone = add_phone(hass, "Pixel")
    inputs = minimal_inputs(home.requests, home.alerts, home.switch, phone.device_id)
    config = await async_validate_config_item(
        hass,
        "test",
        {
            "id": "test",
            "alias": name,
            "use_blueprint": {
                "path": f"porchlight/{name}.yaml",
                "input": inputs[name],
            },
        },
    )
    assert config is not None
    assert config.validation_status == "ok", config.validation_error
    assert config["triggers"]
    assert config["actions"]


@pytest.mark.parametrize("name", NAMES)
async def test_missing_required_input_is_refused(
    hass: HomeAssistant, tmp_path: Path, name: str
) -> None:
    install_blueprints(hass, tmp_path)
    with pytest.raises(MissingInput):
        await async_validate_config_item(
            hass,
            "test",
            {
                "alias": name,
                "use_blueprint": {"path": f"porchlight/{name}.yaml", "input": {}},
            },
        )


def test_readme_documents_every_blueprint() -> None:
    text = README.read_text(encoding="utf-8")
    links = re.findall(
        r"https://my\.home-assistant\.io/redirect/blueprint_import/"
        r"\?blueprint_url=([^\s)\"'>]+)",
        text,
    )
    for name in NAMES:
        raw = f"{RAW}/{name}.yaml"
        assert quote(raw, safe="") in links, name
        assert f"## `{name}`" in text, name
        for key in load(name).inputs:
            assert f"`{key}`" in text, (name, key)
    assert {unquote(link) for link in links} == {f"{RAW}/{n}.yaml" for n in NAMES}
    assert "use_blueprint" in text, "a complete consent policy in YAML"
