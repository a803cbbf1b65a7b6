"""``notify_nearby_alerts``: category and distance filters, and quiet hours."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .blueprints_helpers import (
    Home,
    Phone,
    add_home,
    add_phone,
    install_blueprints,
    settle,
    setup_automations,
)


def local_time(hour: int, minute: int = 0) -> datetime:
    """A moment at this local wall-clock time (Home Assistant's time zone)."""
    zone = dt_util.get_default_time_zone()
    return datetime(2026, 6, 1, hour, minute, tzinfo=zone)


@pytest.fixture
async def home(
    hass: HomeAssistant, tmp_path: Path, freezer: FrozenDateTimeFactory
) -> Home:
    freezer.move_to(local_time(12))
    install_blueprints(hass, tmp_path)
    return add_home(hass)


@pytest.fixture
def phone(hass: HomeAssistant, home: Home) -> Phone:
    return add_phone(hass, "Pixel")


async def notify(
    hass: HomeAssistant, home: Home, phones: list[Phone], **inputs: Any
) -> None:
    await setup_automations(
        hass,
        (
            "notify_nearby_alerts",
            {
                "neighbourhood_alerts": home.alerts,
                "notify_devices": [p.device_id for p in phones],
                **inputs,
            },
        ),
    )


def alert_ids(phone: Phone) -> list[str]:
    return [
        m["data"]["tag"].removeprefix("porchlight-alert-") for m in phone.messages()
    ]


async def test_notification_content_on_every_phone(
    hass: HomeAssistant, home: Home
) -> None:
    phones = [add_phone(hass, "Pixel"), add_phone(hass, "Sam's iPhone")]
    await notify(hass, home, phones)
    await home.alert(
        "suspicious", "alr_9", title="Someone trying car doors", distance_m=347.2
    )
    for p in phones:
        assert p.messages() == [
            {
                "title": "Suspicious activity nearby",
                "message": "Someone trying car doors (about 350 m from home)",
                "data": {"tag": "porchlight-alert-alr_9", "group": "porchlight-alerts"},
            }
        ]


async def test_a_title_that_looks_like_a_number_is_shown_as_written(
    hass: HomeAssistant, home: Home, phone: Phone
) -> None:
    await notify(hass, home, [phone])
    await home.alert("crime", "alr_1", title="1e3", distance_m=96)
    [message] = phone.messages()
    assert message["message"] == "1e3 (about 100 m from home)"


async def test_default_categories(
    hass: HomeAssistant, home: Home, phone: Phone
) -> None:
    await notify(hass, home, [phone])
    for index, category in enumerate(
        [
            "crime",
            "safety",
            "suspicious",
            "lost_pet",
            "found_pet",
            "fire",
            "community",
            "police",
        ]
    ):
        await home.alert(category, f"alr_{category}_{index}")
    assert alert_ids(phone) == [
        "alr_crime_0",
        "alr_safety_1",
        "alr_suspicious_2",
        "alr_fire_5",
        "alr_police_7",
    ]


async def test_chosen_categories(hass: HomeAssistant, home: Home, phone: Phone) -> None:
    await notify(hass, home, [phone], categories=["lost_pet", "found_pet"])
    await home.alert("crime", "alr_1")
    await home.alert("lost_pet", "alr_2")
    await home.alert("found_pet", "alr_3")
    await home.alert("police", "alr_4")
    assert alert_ids(phone) == ["alr_2", "alr_3"]


@pytest.mark.parametrize(
    ("distance", "notified"),
    [
        (0, True),
        (499.9, True),
        (500, True),
        (500.1, False),
        (None, False),
        ("near", False),
        (-5, False),
    ],
)
async def test_distance_filter(
    hass: HomeAssistant, home: Home, phone: Phone, distance: Any, notified: bool
) -> None:
    await notify(hass, home, [phone], max_distance_m=500)
    await home.alert("crime", "alr_1", distance_m=distance)
    assert alert_ids(phone) == (["alr_1"] if notified else [])


async def test_default_distance(hass: HomeAssistant, home: Home, phone: Phone) -> None:
    await notify(hass, home, [phone])
    await home.alert("crime", "alr_near", distance_m=800)
    await home.alert("crime", "alr_far", distance_m=801)
    assert alert_ids(phone) == ["alr_near"]


@pytest.mark.parametrize(
    ("inputs", "moment", "notified"),
    [
        pytest.param({}, (21, 59), True, id="default_before"),
        pytest.param({}, (22, 0), False, id="default_start"),
        pytest.param({}, (23, 30), False, id="default_night"),
        pytest.param({}, (0, 0), False, id="default_midnight"),
        pytest.param({}, (6, 59), False, id="default_morning"),
        pytest.param({}, (7, 0), True, id="default_end"),
        pytest.param(
            {"quiet_start": "13:00:00", "quiet_end": "15:00:00"},
            (14, 0),
            False,
            id="day_inside",
        ),
        pytest.param(
            {"quiet_start": "13:00:00", "quiet_end": "15:00:00"},
            (23, 0),
            True,
            id="day_outside",
        ),
        pytest.param(
            {"quiet_start": "08:00:00", "quiet_end": "08:00:00"},
            (8, 0),
            True,
            id="equal_none",
        ),
        pytest.param(
            {"quiet_start": "08:00:00", "quiet_end": "08:00:00"},
            (3, 0),
            True,
            id="equal_night",
        ),
    ],
)
async def test_quiet_hours(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    phone: Phone,
    inputs: dict[str, Any],
    moment: tuple[int, int],
    notified: bool,
) -> None:
    await notify(hass, home, [phone], **inputs)
    freezer.move_to(local_time(*moment))
    await home.alert("crime", "alr_1")
    assert alert_ids(phone) == (["alr_1"] if notified else [])


async def test_own_alerts(hass: HomeAssistant, home: Home) -> None:
    skipping, including = add_phone(hass, "Pixel"), add_phone(hass, "iPad")
    await setup_automations(
        hass,
        (
            "notify_nearby_alerts",
            {
                "neighbourhood_alerts": home.alerts,
                "notify_devices": [skipping.device_id],
            },
        ),
        (
            "notify_nearby_alerts",
            {
                "neighbourhood_alerts": home.alerts,
                "notify_devices": [including.device_id],
                "include_own": True,
            },
        ),
    )
    await home.alert("crime", "alr_mine", mine=True)
    await home.alert("crime", "alr_theirs", mine=False)
    assert alert_ids(skipping) == ["alr_theirs"]
    assert alert_ids(including) == ["alr_mine", "alr_theirs"]


async def test_only_new_alerts_are_notified(
    hass: HomeAssistant, home: Home, phone: Phone
) -> None:
    await notify(hass, home, [phone])
    await home.alert("crime", "alr_1")
    last = hass.states.get(home.alerts)
    assert last is not None
    hass.states.async_set(home.alerts, STATE_UNAVAILABLE, {})
    hass.states.async_set(home.alerts, last.state, last.attributes)
    hass.states.async_set(
        home.alerts, last.state, {**last.attributes, "friendly_name": "A"}
    )
    await settle(hass)
    await home.alert("crime", "")
    assert alert_ids(phone) == ["alr_1"]
