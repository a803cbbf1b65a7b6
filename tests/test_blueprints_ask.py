"""``ask_before_sharing``: the household is asked, and only its answer shares.

Every test asserts the complete list of decisions made, so a share or a
decline that should not happen fails the test as surely as a missing one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .blueprints_helpers import (
    Decisions,
    Home,
    Phone,
    add_home,
    add_phone,
    advance,
    install_blueprints,
    mock_decisions,
    request_attributes,
    settle,
    setup_automations,
)

GRACE = 15  # the blueprint's default grace period, in seconds
TIMEOUT = 2 * 3600  # its default time to answer


@pytest.fixture
async def home(hass: HomeAssistant, tmp_path: Path) -> Home:
    install_blueprints(hass, tmp_path)
    return add_home(hass)


@pytest.fixture
def decisions(hass: HomeAssistant, home: Home) -> Decisions:
    return mock_decisions(hass)


@pytest.fixture
def phone(hass: HomeAssistant, home: Home) -> Phone:
    return add_phone(hass, "Alex's Pixel 7")


async def ask(
    hass: HomeAssistant, home: Home, phones: list[Phone], **inputs: Any
) -> None:
    await setup_automations(
        hass,
        (
            "ask_before_sharing",
            {
                "video_requests": home.requests,
                "notify_devices": [p.device_id for p in phones],
                **inputs,
            },
        ),
    )


def questions(phone: Phone) -> list[dict[str, Any]]:
    return [m for m in phone.messages() if m["message"] != "clear_notification"]


def clears(phone: Phone) -> list[dict[str, Any]]:
    return [m for m in phone.messages() if m["message"] == "clear_notification"]


def actions(question: dict[str, Any]) -> dict[str, str]:
    """Button title -> action identifier."""
    return {a["title"]: a["action"] for a in question["data"]["actions"]}


async def answer(hass: HomeAssistant, action: str) -> None:
    hass.bus.async_fire("mobile_app_notification_action", {"action": action})
    await settle(hass)


def local(iso: str, fmt: str) -> str:
    parsed = dt_util.parse_datetime(iso)
    assert parsed is not None
    return dt_util.as_local(parsed).strftime(fmt)


async def test_notification_shows_the_request_and_offers_share_and_decline(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    request = await home.request(
        attributes=request_attributes(
            "req_7",
            matching_clips=4,
            agency="County Sheriff",
            agency_kind="sheriff",
            case_number="CS-77/a",
            incident_type="package_theft",
        )
    )
    # Nothing during the grace period, then one question.
    assert phone.messages() == []
    await advance(hass, freezer, GRACE)
    [question] = phone.messages()

    assert question["title"] == "Video request: County Sheriff"
    message = question["message"]
    assert "CS-77/a" in message
    assert "package theft" in message
    start = local(request["window_start"], "%a %d %b %H:%M")
    end_format = (
        "%H:%M"
        if local(request["window_start"], "%x") == local(request["window_end"], "%x")
        else "%a %d %b %H:%M"
    )
    end = local(request["window_end"], end_format)
    assert f"Window: {start} \u2013 {end}." in message
    assert "Matching clips: 4." in message
    assert question["data"]["tag"] == "porchlight-request-req_7"
    buttons = actions(question)
    assert list(buttons) == ["Share all", "Decline"]
    assert buttons["Share all"] != buttons["Decline"]
    assert decisions.shared() == []
    assert decisions.declined() == []


@pytest.mark.parametrize("case_number", ["1e5", "2026", "0042"])
async def test_details_are_shown_as_sent(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
    case_number: str,
) -> None:
    """A case number that looks like a number is still shown as written."""
    await ask(hass, home, [phone])
    await home.request(
        attributes=request_attributes("17", case_number=case_number, agency="112")
    )
    await advance(hass, freezer, GRACE)
    [question] = questions(phone)
    assert question["title"] == "Video request: 112"
    assert question["message"].startswith(f"Case {case_number} (burglary).")
    assert question["data"]["tag"] == "porchlight-request-17"
    await answer(hass, actions(question)["Decline"])
    assert decisions.declined() == [
        {"request_id": "17", "config_entry_id": home.entry.entry_id}
    ]


async def test_share_all_shares_that_request_and_clears_every_phone(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
) -> None:
    phones = [add_phone(hass, "Pixel"), add_phone(hass, "iPhone")]
    await ask(hass, home, phones, retention_days=7)
    await home.request(attributes=request_attributes("req_9"))
    await advance(hass, freezer, GRACE)
    [question] = questions(phones[0])
    assert questions(phones[1]) == [question]

    await answer(hass, actions(question)["Share all"])

    assert decisions.shared() == [
        {
            "request_id": "req_9",
            "retention_days": 7,
            "config_entry_id": home.entry.entry_id,
        }
    ]
    assert decisions.declined() == []
    for p in phones:
        assert clears(p) == [
            {
                "message": "clear_notification",
                "data": {"tag": "porchlight-request-req_9"},
            }
        ]
    # Answered: the timeout does nothing more.
    await advance(hass, freezer, TIMEOUT)
    assert len(decisions.share_all) == 1
    assert decisions.declined() == []


async def test_decline_declines_that_request(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    await home.request(attributes=request_attributes("req_3"))
    await advance(hass, freezer, GRACE)
    [question] = questions(phone)

    await answer(hass, actions(question)["Decline"])

    assert decisions.declined() == [
        {"request_id": "req_3", "config_entry_id": home.entry.entry_id}
    ]
    assert decisions.shared() == []
    assert len(clears(phone)) == 1
    await advance(hass, freezer, TIMEOUT)
    assert len(decisions.decline) == 1


@pytest.mark.parametrize(
    ("timeout_action", "declined"),
    [(None, True), ("decline", True), ("nothing", False)],
    ids=["default", "decline", "nothing"],
)
async def test_timeout_does_the_timeout_action(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
    timeout_action: str | None,
    declined: bool,
) -> None:
    inputs: dict[str, Any] = {"timeout": {"hours": 0, "minutes": 10, "seconds": 0}}
    if timeout_action is not None:
        inputs["timeout_action"] = timeout_action
    await ask(hass, home, [phone], **inputs)
    await home.request(attributes=request_attributes("req_5"))
    await advance(hass, freezer, GRACE)
    assert len(questions(phone)) == 1

    await advance(hass, freezer, 9 * 60)
    assert decisions.declined() == []
    await advance(hass, freezer, 61)

    expected = [{"request_id": "req_5", "config_entry_id": home.entry.entry_id}]
    assert decisions.declined() == (expected if declined else [])
    assert decisions.shared() == []
    assert len(clears(phone)) == 1
    # An answer after the timeout is nobody's answer.
    await answer(hass, actions(questions(phone)[0])["Share all"])
    assert decisions.shared() == []


async def test_two_requests_are_each_answered_by_their_own_buttons(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    await home.request(attributes=request_attributes("req_a"))
    await home.request(attributes=request_attributes("req_b"))
    await advance(hass, freezer, GRACE)
    asked = {q["data"]["tag"]: actions(q) for q in questions(phone)}
    assert sorted(asked) == ["porchlight-request-req_a", "porchlight-request-req_b"]
    a, b = asked["porchlight-request-req_a"], asked["porchlight-request-req_b"]
    assert set(a.values()).isdisjoint(b.values())

    await answer(hass, b["Decline"])
    assert decisions.declined() == [
        {"request_id": "req_b", "config_entry_id": home.entry.entry_id}
    ]
    assert decisions.shared() == []

    await answer(hass, a["Share all"])
    assert decisions.shared() == [
        {
            "request_id": "req_a",
            "retention_days": 30,
            "config_entry_id": home.entry.entry_id,
        }
    ]
    assert len(decisions.decline) == 1


async def test_an_action_from_another_run_is_ignored(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    # A first question about the same request, answered and finished.
    await home.request(attributes=request_attributes("req_1"))
    await advance(hass, freezer, GRACE)
    old = actions(questions(phone)[0])
    await answer(hass, old["Decline"])
    assert len(decisions.decline) == 1

    # The same request asked again (e.g. delivered again after a restart).
    await home.request(attributes=request_attributes("req_1"))
    await advance(hass, freezer, GRACE)
    new = actions(questions(phone)[1])
    assert set(new.values()).isdisjoint(old.values())

    await answer(hass, old["Share all"])
    await answer(hass, "PORCHLIGHT_SHARE_")
    await answer(hass, "share")
    assert decisions.shared() == []
    assert len(decisions.decline) == 1

    await answer(hass, new["Share all"])
    assert [c["request_id"] for c in decisions.shared()] == ["req_1"]


async def test_a_request_decided_during_the_grace_period_is_not_asked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    await home.request(attributes=request_attributes("req_1"))
    await home.decided("req_1", "declined")
    await advance(hass, freezer, GRACE)
    await advance(hass, freezer, TIMEOUT)

    assert phone.messages() == []
    assert decisions.shared() == []
    assert decisions.declined() == []


@pytest.mark.parametrize("status", ["shared", "declined", "withdrawn", "expired"])
async def test_a_request_decided_or_ended_while_waiting_clears_the_question(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
    status: str,
) -> None:
    await ask(hass, home, [phone])
    await home.request(attributes=request_attributes("req_1"))
    await advance(hass, freezer, GRACE)
    [question] = questions(phone)

    # Another request's news does not end the wait.
    await home.request(attributes=request_attributes("req_other"))
    await home.decided("req_other", "declined")
    assert clears(phone) == []

    await home.decided("req_1", status)
    assert clears(phone) == [
        {"message": "clear_notification", "data": {"tag": "porchlight-request-req_1"}}
    ]
    await answer(hass, actions(question)["Share all"])
    await advance(hass, freezer, TIMEOUT)
    assert decisions.shared() == []
    assert decisions.declined() == []


async def test_no_request_id_no_question_and_no_decision(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    broken = request_attributes("req_1")
    del broken["request_id"]
    await home.request(attributes=broken)
    await home.request(attributes={**request_attributes(), "request_id": ""})
    await home.request(attributes={**request_attributes(), "request_id": 17})
    await advance(hass, freezer, GRACE)
    await advance(hass, freezer, TIMEOUT)

    assert phone.messages() == []
    assert decisions.shared() == []
    assert decisions.declined() == []


async def test_only_new_requests_are_asked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    for event_type in ("updated", "shared", "declined"):
        await home.request(event_type, request_attributes(f"req_{event_type}"))
    await advance(hass, freezer, GRACE)
    assert phone.messages() == []


async def test_restored_or_reconnected_states_are_not_new_events(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    await home.request(attributes=request_attributes("req_1"))
    await advance(hass, freezer, GRACE)
    [question] = questions(phone)
    await answer(hass, actions(question)["Decline"])
    last = hass.states.get(home.requests)
    assert last is not None

    # The hub goes away and comes back: the same last event reappears.
    hass.states.async_set(home.requests, STATE_UNAVAILABLE, {})
    await settle(hass)
    hass.states.async_set(home.requests, last.state, last.attributes)
    await settle(hass)
    # The entity is renamed: only the friendly name changes.
    hass.states.async_set(
        home.requests, last.state, {**last.attributes, "friendly_name": "Requests"}
    )
    await settle(hass)
    # The entity is removed and restored (integration reload).
    hass.states.async_remove(home.requests)
    await settle(hass)
    hass.states.async_set(home.requests, last.state, last.attributes)
    await settle(hass)
    await advance(hass, freezer, GRACE)

    assert len(questions(phone)) == 1
    assert decisions.shared() == []
    assert len(decisions.decline) == 1


async def test_two_requests_in_the_same_millisecond_are_both_asked(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    when = dt_util.utcnow()
    await home.request(attributes=request_attributes("req_a"), when=when)
    await home.request(attributes=request_attributes("req_b"), when=when)
    await advance(hass, freezer, GRACE)
    assert sorted(q["data"]["tag"] for q in questions(phone)) == [
        "porchlight-request-req_a",
        "porchlight-request-req_b",
    ]


async def test_missing_details_are_shown_as_unknown(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    home: Home,
    decisions: Decisions,
    phone: Phone,
) -> None:
    await ask(hass, home, [phone])
    await home.request(
        attributes={
            "request_id": "req_bare",
            "window_start": "yesterday",
            "matching_clips": "many",
        }
    )
    await advance(hass, freezer, GRACE)
    [question] = questions(phone)
    assert question["title"] == "Video request: An unknown agency"
    assert question["message"] == (
        "Case unknown (unknown incident). Window: unknown. Matching clips: unknown."
    )
    # Declining an odd request is still the household's choice; sharing is too.
    await answer(hass, actions(question)["Decline"])
    assert decisions.declined() == [
        {"request_id": "req_bare", "config_entry_id": home.entry.entry_id}
    ]
