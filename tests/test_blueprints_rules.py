"""``decline_by_rule`` and ``share_with_trusted_agencies`` take the right decision.

Each rule is shown to decline on a match and to do nothing otherwise; the
automatic share happens only when agency, incident type and clip count all
fit. Whatever cannot be checked never leads to a share.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .blueprints_helpers import (
    Decisions,
    Home,
    add_home,
    advance,
    install_blueprints,
    mock_decisions,
    request_attributes,
    setup_automations,
)

GRACE = 5  # share_with_trusted_agencies' default grace period, in seconds


@pytest.fixture
async def home(hass: HomeAssistant, tmp_path: Path) -> Home:
    install_blueprints(hass, tmp_path)
    return add_home(hass)


@pytest.fixture
def decisions(hass: HomeAssistant, home: Home) -> Decisions:
    return mock_decisions(hass)


def window(hours: float) -> dict[str, str]:
    end = dt_util.utcnow().replace(microsecond=0) - timedelta(hours=1)
    return {
        "window_start": (end - timedelta(hours=hours)).isoformat(),
        "window_end": end.isoformat(),
    }


def without(key: str, request_id: str = "req_1") -> dict[str, Any]:
    attributes = request_attributes(request_id)
    del attributes[key]
    return attributes


def with_value(key: str, value: Any, request_id: str = "req_1") -> dict[str, Any]:
    return {**request_attributes(request_id), key: value}


# --------------------------------------------------------------------------
# decline_by_rule

RULES_OFF: dict[str, Any] = {"agency_kinds": []}

RULE_CASES = [
    # (rule inputs, attributes that match, attributes that do not)
    pytest.param(
        {},  # the default rule: federal agencies
        {"agency_kind": "federal", "agency": "FBI Field Office"},
        {"agency_kind": "police"},
        id="agency_kind_default_federal",
    ),
    pytest.param(
        {"agency_kinds": ["sheriff", "other"]},
        {"agency_kind": "other"},
        {"agency_kind": "federal"},
        id="agency_kind",
    ),
    pytest.param(
        {**RULES_OFF, "agency_names": ["  elm city POLICE ", "Harbour Patrol"]},
        {"agency": "Elm City Police"},
        {"agency": "Elm City Police Department"},
        id="agency_name",
    ),
    pytest.param(
        {**RULES_OFF, "incident_types": ["vandalism", "other"]},
        {"incident_type": "vandalism"},
        {"incident_type": "burglary"},
        id="incident_type",
    ),
    pytest.param(
        {**RULES_OFF, "max_window_hours": 2},
        window(2.25),
        window(2),
        id="window_length",
    ),
    pytest.param(
        {**RULES_OFF, "max_distance_m": 200},
        {"distance_m": 200.5},
        {"distance_m": 200},
        id="distance",
    ),
]


async def decline_by_rule(hass: HomeAssistant, home: Home, **inputs: Any) -> None:
    await setup_automations(
        hass, ("decline_by_rule", {"video_requests": home.requests, **inputs})
    )


@pytest.mark.parametrize(("rules", "match", "no_match"), RULE_CASES)
async def test_each_rule_declines_a_match_and_nothing_else(
    hass: HomeAssistant,
    home: Home,
    decisions: Decisions,
    rules: dict[str, Any],
    match: dict[str, Any],
    no_match: dict[str, Any],
) -> None:
    await decline_by_rule(hass, home, **rules)

    await home.request(attributes=request_attributes("req_ok", **no_match))
    assert decisions.declined() == []

    await home.request(attributes=request_attributes("req_bad", **match))
    assert decisions.declined() == [
        {"request_id": "req_bad", "config_entry_id": home.entry.entry_id}
    ]
    assert decisions.shared() == []


@pytest.mark.parametrize(
    ("rules", "attributes"),
    [
        pytest.param({}, without("agency_kind"), id="kind_missing"),
        pytest.param({}, with_value("agency_kind", "secret_police"), id="kind_unknown"),
        pytest.param(
            {**RULES_OFF, "agency_names": ["Harbour Patrol"]},
            without("agency"),
            id="agency_missing",
        ),
        pytest.param(
            {**RULES_OFF, "agency_names": ["Harbour Patrol"]},
            with_value("agency", "  "),
            id="agency_blank",
        ),
        pytest.param(
            {**RULES_OFF, "incident_types": ["vandalism"]},
            with_value("incident_type", "jaywalking"),
            id="incident_unknown",
        ),
        pytest.param(
            {**RULES_OFF, "incident_types": ["vandalism"]},
            without("incident_type"),
            id="incident_missing",
        ),
        pytest.param(
            {**RULES_OFF, "max_window_hours": 4},
            with_value("window_start", "last tuesday"),
            id="window_unreadable",
        ),
        pytest.param(
            {**RULES_OFF, "max_window_hours": 4},
            without("window_end"),
            id="window_end_missing",
        ),
        pytest.param(
            {**RULES_OFF, "max_window_hours": 4},
            with_value("window_start", "2026-06-01T10:00:00"),
            id="window_without_timezone",
        ),
        pytest.param(
            {**RULES_OFF, "max_window_hours": 4},
            {**request_attributes("req_1"), **window(-1)},
            id="window_backwards",
        ),
        pytest.param(
            {**RULES_OFF, "max_distance_m": 500},
            without("distance_m"),
            id="distance_missing",
        ),
        pytest.param(
            {**RULES_OFF, "max_distance_m": 500},
            with_value("distance_m", "near"),
            id="distance_not_a_number",
        ),
        pytest.param(
            {**RULES_OFF, "max_distance_m": 500},
            with_value("distance_m", True),
            id="distance_boolean",
        ),
    ],
)
async def test_a_rule_that_cannot_be_checked_declines(
    hass: HomeAssistant,
    home: Home,
    decisions: Decisions,
    rules: dict[str, Any],
    attributes: dict[str, Any],
) -> None:
    await decline_by_rule(hass, home, **rules)
    await home.request(attributes=attributes)
    assert decisions.declined() == [
        {"request_id": "req_1", "config_entry_id": home.entry.entry_id}
    ]
    assert decisions.shared() == []


async def test_rules_that_are_off_do_not_look_at_the_request(
    hass: HomeAssistant, home: Home, decisions: Decisions
) -> None:
    await decline_by_rule(hass, home, **RULES_OFF)
    await home.request(attributes={"request_id": "req_1", "agency_kind": "federal"})
    assert decisions.declined() == []


async def test_only_the_request_that_arrived_is_declined(
    hass: HomeAssistant, home: Home, decisions: Decisions
) -> None:
    await decline_by_rule(hass, home)
    await home.request(attributes=request_attributes("req_local"))
    await home.request(
        attributes=request_attributes("req_federal", agency_kind="federal")
    )
    await home.request(attributes=request_attributes("req_local_2"))
    # News about a federal request (it was updated, or declined already).
    for event_type in ("updated", "declined", "shared"):
        await home.request(
            event_type,
            request_attributes(f"req_{event_type}", agency_kind="federal"),
        )
    assert decisions.declined() == [
        {"request_id": "req_federal", "config_entry_id": home.entry.entry_id}
    ]


async def test_without_a_request_id_nothing_is_declined(
    hass: HomeAssistant, home: Home, decisions: Decisions
) -> None:
    await decline_by_rule(hass, home)
    await home.request(attributes=without("request_id") | {"agency_kind": "federal"})
    assert decisions.declined() == []


# --------------------------------------------------------------------------
# share_with_trusted_agencies


async def trusted(hass: HomeAssistant, home: Home, **inputs: Any) -> None:
    await setup_automations(
        hass,
        (
            "share_with_trusted_agencies",
            {
                "video_requests": home.requests,
                "trusted_agencies": ["Elm City Police", "County Sheriff"],
                **inputs,
            },
        ),
    )


async def test_shares_when_everything_fits_with_the_chosen_retention(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
) -> None:
    await trusted(hass, home, retention_days=7)
    await home.request(attributes=request_attributes("req_1", matching_clips=3))
    await advance(hass, freezer, GRACE - 1)
    assert decisions.shared() == []  # a decline may still come
    await advance(hass, freezer, 1)

    assert decisions.shared() == [
        {
            "request_id": "req_1",
            "retention_days": 7,
            "config_entry_id": home.entry.entry_id,
        }
    ]
    assert decisions.declined() == []


async def test_agency_names_ignore_case_and_spaces(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
) -> None:
    await trusted(hass, home, trusted_agencies=["  elm CITY police"])
    await home.request(attributes=request_attributes(agency="Elm City Police "))
    await advance(hass, freezer, GRACE)
    assert [c["request_id"] for c in decisions.shared()] == ["req_1"]
    assert decisions.shared()[0]["retention_days"] == 30


@pytest.mark.parametrize(
    "attributes",
    [
        pytest.param(request_attributes(agency="Harbour Patrol"), id="not_trusted"),
        pytest.param(
            request_attributes(agency_kind="federal"), id="trusted_name_federal_kind"
        ),
        pytest.param(request_attributes(incident_type="theft"), id="incident_type"),
        pytest.param(request_attributes(matching_clips=0), id="no_clips"),
        pytest.param(request_attributes(matching_clips=11), id="too_many_clips"),
        pytest.param(without("agency"), id="agency_missing"),
        pytest.param(without("agency_kind"), id="kind_missing"),
        pytest.param(with_value("agency_kind", "secret_police"), id="kind_unknown"),
        pytest.param(without("incident_type"), id="incident_missing"),
        pytest.param(with_value("incident_type", "jaywalking"), id="incident_unknown"),
        pytest.param(without("matching_clips"), id="clips_missing"),
        pytest.param(with_value("matching_clips", "3"), id="clips_text"),
        pytest.param(with_value("matching_clips", 2.5), id="clips_fraction"),
        pytest.param(with_value("matching_clips", True), id="clips_boolean"),
        pytest.param(without("request_id"), id="request_id_missing"),
    ],
)
async def test_nothing_is_shared_unless_everything_fits(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    attributes: dict[str, Any],
) -> None:
    await trusted(hass, home)
    await home.request(attributes=attributes)
    await advance(hass, freezer, GRACE)
    await advance(hass, freezer, 3600)
    assert decisions.shared() == []
    assert decisions.declined() == []


@pytest.mark.parametrize(
    ("clips", "shared"), [(1, False), (2, True), (3, True), (4, False)]
)
async def test_clip_count_limits(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    clips: int,
    shared: bool,
) -> None:
    await trusted(hass, home, min_clips=2, max_clips=3)
    await home.request(attributes=request_attributes(matching_clips=clips))
    await advance(hass, freezer, GRACE)
    assert len(decisions.share_all) == (1 if shared else 0)


async def test_only_new_requests_are_shared(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
) -> None:
    await trusted(hass, home)
    for event_type in ("updated", "shared", "declined"):
        await home.request(event_type, request_attributes(f"req_{event_type}"))
    await advance(hass, freezer, GRACE)
    assert decisions.shared() == []


@pytest.mark.parametrize("status", ["declined", "withdrawn", "expired"])
async def test_a_decline_or_end_during_the_grace_period_wins(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    status: str,
) -> None:
    await trusted(hass, home)
    await home.request(attributes=request_attributes("req_1"))
    await home.request(attributes=request_attributes("req_2"))
    await advance(hass, freezer, 1)
    await home.decided("req_1", status)
    await advance(hass, freezer, GRACE)
    # Only the request that was not decided elsewhere is shared.
    assert [c["request_id"] for c in decisions.shared()] == ["req_2"]
    assert decisions.declined() == []
