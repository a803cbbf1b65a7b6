"""Services against the real hub: every refusal is translated and changes nothing.

Each refusal is checked for its translation key, its rendered English message
(so a placeholder missing from strings.json fails here) and for leaving the
hub, the ledger and the outbox exactly as they were.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.util import dt as dt_util

import custom_components.porchlight as integration
from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.data import PorchlightConfigEntry

from .e2e import (
    entity_id,
    eventually,
    pair_entry,
    post_request,
    request_held,
    wait_for,
)
from .hub.conftest import Client, HubHarness, clip_bytes, make_share, offset, upload

STRINGS = json.loads(
    (Path(integration.__file__).parent / "strings.json").read_text(encoding="utf-8")
)


def requests_of(entry: PorchlightConfigEntry) -> dict[str, Any]:
    """The entry's requests now (a resync replaces the whole state)."""
    return entry.runtime_data.coordinator.data.requests  # type: ignore[return-value]


def current(entry: PorchlightConfigEntry, request_id: str) -> Any:
    """One request as the entry holds it now."""
    return requests_of(entry)[request_id]


@pytest.fixture(autouse=True)
def fast_reconnect(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)


# ------------------------------------------------------------------ helpers


def assert_translated(err: HomeAssistantError, key: str, **placeholders: str) -> None:
    """The error names its key, and its English text renders every placeholder."""
    assert err.translation_domain == DOMAIN
    assert err.translation_key == key
    template = STRINGS["exceptions"][key]["message"]
    given = err.translation_placeholders or {}
    for name, value in placeholders.items():
        assert given[name] == value, (name, given)
    # str.format raises KeyError for a placeholder the error did not supply.
    # Home Assistant drops the template's trailing full stop before filling it.
    assert str(err) == template.rstrip(".").format(**given)
    assert "{" not in str(err)


async def call(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    *,
    response: bool = False,
) -> Any:
    """Call a Porchlight service and wait for it."""
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


async def refused(
    hass: HomeAssistant,
    service: str,
    data: dict[str, Any],
    key: str,
    *,
    response: bool = False,
    **placeholders: str,
) -> ServiceValidationError:
    """Call, expect a translated ServiceValidationError with ``key``."""
    with pytest.raises(ServiceValidationError) as info:
        await call(hass, service, data, response=response)
    assert_translated(info.value, key, **placeholders)
    return info.value


def local_state(entry: PorchlightConfigEntry) -> tuple[Any, ...]:
    """What a refused call must not touch on the Home Assistant side."""
    data = entry.runtime_data
    return (
        data.ledger.count,
        data.ledger.head,
        [item.to_dict() for item in data.outbox.items()],
        {r.id: r.status for r in data.coordinator.data.requests.values()},
        {s.share_id: s.status for s in data.coordinator.data.shares.values()},
    )


def home_client(hub: HubHarness, entry: PorchlightConfigEntry) -> Client:
    """The paired home, speaking to the hub with Home Assistant's token."""
    return Client(hub, entry.data["token"], entry.data["home_id"])


async def agency_view(agency: Client, request_id: str) -> dict[str, Any]:
    status, body = await agency.call("GET", f"/api/v1/agency/requests/{request_id}")
    assert status == 200, body
    return dict(body)


def kinds(entry: PorchlightConfigEntry) -> list[str]:
    return [e["kind"] for e in reversed(entry.runtime_data.ledger.recent_entries())]


def state_of(hass: HomeAssistant, platform: str, key: str) -> str:
    state = hass.states.get(entity_id(hass, platform, key))
    assert state is not None
    return state.state


async def pending_request(
    hass: HomeAssistant,
    hub: HubHarness,
    entry: PorchlightConfigEntry,
    agency: Client,
    case: str = "2026-0042",
) -> dict[str, Any]:
    """Post a request and wait until the entry holds it as pending."""
    request = await post_request(hass, hub, agency, case)
    await wait_for(lambda: request_held(entry, request["id"]))
    return request


async def shared_and_uploaded(
    hass: HomeAssistant,
    hub: HubHarness,
    entry: PorchlightConfigEntry,
    agency: Client,
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The home shares one clip over HTTP and uploads it.

    Returns the request, the share and the agency's download path. Home
    Assistant learns of the share on its next resync, run here directly.
    """
    request = await pending_request(hass, hub, entry, agency)
    home = home_client(hub, entry)
    data = clip_bytes(2048)
    share = await make_share(hub, home, request["id"], {"clip-1": data})
    status, body = await upload(home, share["share_id"], "clip-1", data)
    assert status == 201, body
    await entry.runtime_data.coordinator.async_refresh()
    assert share["share_id"] in entry.runtime_data.coordinator.data.shares
    status, listing = await agency.call(
        "GET", f"/api/v1/agency/requests/{request['id']}/shares"
    )
    assert status == 200, listing
    (entry_share,) = listing["shares"]
    (clip,) = entry_share["clips"]
    assert clip["available"] is True
    return request, share, clip["url"]


# ------------------------------------------------------------------- decline


async def test_decline_unknown_request(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await pending_request(hass, real_hub, entry, agency)
    before = local_state(entry)

    await refused(
        hass,
        "decline",
        {"request_id": "no-such-request"},
        "unknown_request",
        request_id="no-such-request",
    )

    assert local_state(entry) == before
    assert (await agency.hub.decisions(request["id"]))["decline"] == 0


async def test_decline_twice_while_queued_then_after_delivery(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await pending_request(hass, real_hub, entry, agency)

    await real_hub.stop()
    await wait_for(lambda: not entry.runtime_data.listener.connected)
    await call(hass, "decline", {"request_id": request["id"]})
    assert len(entry.runtime_data.outbox.items()) == 1
    before = local_state(entry)

    await refused(
        hass,
        "decline",
        {"request_id": request["id"]},
        "request_already_decided",
        request_id=request["id"],
    )
    assert local_state(entry) == before
    assert kinds(entry).count("decision") == 1

    await real_hub.start()
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=10)
    await eventually(lambda: _declines_are(agency, request["id"], 1), within=10)
    await wait_for(lambda: current(entry, request["id"]).status == "declined")
    before = local_state(entry)

    await refused(
        hass,
        "decline",
        {"request_id": request["id"]},
        "request_not_pending",
        request_id=request["id"],
        status="declined",
    )
    assert local_state(entry) == before
    assert (await agency.hub.decisions(request["id"]))["decline"] == 1


async def _declines_are(agency: Client, request_id: str, count: int) -> bool:
    return bool((await agency.hub.decisions(request_id))["decline"] == count)


async def test_decline_withdrawn_request(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await pending_request(hass, real_hub, entry, agency)

    status, body = await agency.call(
        "POST", f"/api/v1/agency/requests/{request['id']}/withdraw"
    )
    assert status == 200, body
    await wait_for(lambda: current(entry, request["id"]).status == "withdrawn")
    assert state_of(hass, "sensor", "pending_video_requests") == "0"
    before = local_state(entry)

    await refused(
        hass,
        "decline",
        {"request_id": request["id"]},
        "request_not_pending",
        request_id=request["id"],
        status="withdrawn",
    )
    assert local_state(entry) == before
    assert not entry.runtime_data.outbox.items()
    assert (await agency.hub.decisions(request["id"]))["decline"] == 0


# ---------------------------------------------------------- entry resolution


async def test_unknown_and_unloaded_entries(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await pending_request(hass, real_hub, entry, agency)

    await refused(
        hass,
        "decline",
        {"request_id": request["id"], "config_entry_id": "nope"},
        "unknown_entry",
        entry_id="nope",
    )
    assert not entry.runtime_data.outbox.items()

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await refused(
        hass,
        "decline",
        {"request_id": request["id"], "config_entry_id": entry.entry_id},
        "entry_not_loaded",
        entry_title=entry.title,
    )
    await refused(hass, "export_ledger", {}, "no_loaded_entries", response=True)
    await refused(
        hass,
        "post_alert",
        {"category": "crime", "title": "Anyone?"},
        "no_loaded_entries",
    )
    assert (await agency.hub.decisions(request["id"]))["decline"] == 0


async def test_entry_of_another_integration_is_unknown(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    from pytest_homeassistant_custom_component.common import MockConfigEntry

    await pair_entry(hass, real_hub)
    other = MockConfigEntry(domain="not_porchlight")
    other.add_to_hass(hass)
    await refused(
        hass,
        "export_ledger",
        {"config_entry_id": other.entry_id},
        "unknown_entry",
        response=True,
        entry_id=other.entry_id,
    )


async def test_two_entries_need_a_choice(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    first = await pair_entry(hass, real_hub)
    second = await pair_entry(hass, real_hub)
    assert first.unique_id != second.unique_id
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    assert await real_hub.reached(request["id"]) == 2
    for entry in (first, second):
        await wait_for(lambda entry=entry: request_held(entry, request["id"]))
    before = (local_state(first), local_state(second))

    await refused(hass, "decline", {"request_id": request["id"]}, "multiple_entries")
    await refused(hass, "export_ledger", {}, "multiple_entries", response=True)
    assert (local_state(first), local_state(second)) == before

    await call(
        hass,
        "decline",
        {"request_id": request["id"], "config_entry_id": second.entry_id},
    )
    await eventually(lambda: _declines_are(agency, request["id"], 1))
    await wait_for(lambda: not second.runtime_data.outbox.items())
    assert "decision" in kinds(second)
    assert "decision" not in kinds(first)
    assert local_state(first) == before[0]
    assert current(first, request["id"]).pending

    export = await call(
        hass, "export_ledger", {"config_entry_id": first.entry_id}, response=True
    )
    assert "decision" not in [e["kind"] for e in export["entries"]]


# ---------------------------------------------------------------- post_alert


@pytest.mark.parametrize(
    ("data", "key", "placeholders"),
    [
        pytest.param(
            {"category": "weather", "title": "Storm"},
            "invalid_category",
            {"category": "weather"},
            id="unknown-category",
        ),
        pytest.param(
            {"category": "police", "title": "I am the law"},
            "invalid_category",
            {"category": "police"},
            id="agency-only-category",
        ),
        pytest.param(
            {"category": "crime", "title": "   "},
            "text_empty",
            {"field": "title"},
            id="empty-title",
        ),
        pytest.param(
            {"category": "crime", "title": "x" * 121},
            "text_too_long",
            {"field": "title", "maximum": "120"},
            id="title-121",
        ),
        pytest.param(
            {"category": "crime", "title": "Ok", "description": "d" * 2001},
            "text_too_long",
            {"field": "description", "maximum": "2000"},
            id="description-2001",
        ),
    ],
)
async def test_post_alert_refused(
    hass: HomeAssistant,
    real_hub: HubHarness,
    data: dict[str, Any],
    key: str,
    placeholders: dict[str, str],
) -> None:
    entry = await pair_entry(hass, real_hub)
    home = home_client(real_hub, entry)
    before = local_state(entry)

    err = await refused(hass, "post_alert", data, key, **placeholders)
    if key == "invalid_category":
        assert "police" not in err.translation_placeholders["categories"]
        assert "crime" in err.translation_placeholders["categories"]

    assert local_state(entry) == before
    status, alerts = await home.call("GET", "/api/v1/alerts")
    assert status == 200
    assert alerts["alerts"] == []


async def test_post_alert_reaches_a_neighbour(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    await pair_entry(hass, real_hub)
    neighbour = await real_hub.add_home(
        "Neighbour", *offset(hass.config.latitude, hass.config.longitude, east_m=200)
    )
    stream = await neighbour.stream()
    title = "x" * 120

    result = await call(
        hass,
        "post_alert",
        {"category": "lost_pet", "title": f"  {title}  ", "description": "d" * 2000},
        response=True,
    )

    assert result["category"] == "lost_pet"
    assert result["title"] == title
    message = await stream.next("alert.created")
    assert message["data"]["id"] == result["alert_id"]
    assert message["data"]["title"] == title
    assert message["data"]["description"] == "d" * 2000


# ------------------------------------------------------------- comment_alert


async def test_comment_alert(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)
    neighbour = await real_hub.add_home(
        "Neighbour", *offset(hass.config.latitude, hass.config.longitude, east_m=200)
    )
    status, alert = await neighbour.call(
        "POST", "/api/v1/alerts", {"category": "suspicious", "title": "Van"}
    )
    assert status == 201, alert
    stream = await neighbour.stream()
    before = local_state(entry)

    await refused(
        hass,
        "comment_alert",
        {"alert_id": "no-such-alert", "text": "Seen it"},
        "unknown_alert",
        alert_id="no-such-alert",
    )
    await refused(
        hass,
        "comment_alert",
        {"alert_id": alert["id"], "text": "c" * 1001},
        "text_too_long",
        field="text",
        maximum="1000",
    )
    await refused(
        hass,
        "comment_alert",
        {"alert_id": alert["id"], "text": " \n "},
        "text_empty",
        field="text",
    )
    assert local_state(entry) == before
    await stream.nothing("alert.comment")

    result = await call(
        hass,
        "comment_alert",
        {"alert_id": alert["id"], "text": "It left"},
        response=True,
    )
    assert result["alert_id"] == alert["id"]
    message = await stream.next("alert.comment")
    assert message["data"]["alert_id"] == alert["id"]
    assert message["data"]["comment"]["id"] == result["comment_id"]
    assert message["data"]["comment"]["text"] == "It left"


# -------------------------------------------------------------- revoke_share


async def test_revoke_share(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    deleted_events: list[dict[str, Any]] = []
    hass.bus.async_listen(
        f"{DOMAIN}_share_deleted", lambda e: deleted_events.append(e.data)
    )
    before = local_state(entry)

    await refused(
        hass,
        "revoke_share",
        {"share_id": "no-such-share"},
        "unknown_share",
        share_id="no-such-share",
    )
    assert local_state(entry) == before

    request, share, url = await shared_and_uploaded(hass, real_hub, entry, agency)
    share_id = share["share_id"]
    assert state_of(hass, "sensor", "active_shares") == "1"
    status, _ = await agency.call("GET", url)
    assert status == 200

    await call(hass, "revoke_share", {"share_id": share_id})

    assert state_of(hass, "sensor", "active_shares") == "0"
    status, body = await agency.call("GET", url)
    assert status == 410, body
    # The hub announces the revocation on the stream as well. The stream is
    # in order: once a later request has arrived, that announcement has too.
    await pending_request(hass, real_hub, entry, agency, "CASE-AFTER")
    export = await entry.runtime_data.ledger.async_export()
    revoked = [e for e in export["entries"] if e["kind"] == "share_revoked"]
    deleted = [e for e in export["entries"] if e["kind"] == "share_deleted"]
    assert [e["data"]["share_id"] for e in revoked] == [share_id]
    assert len(deleted) == 1
    assert deleted[0]["data"] == {
        "share_id": share_id,
        "request_id": request["id"],
        "reason": "revoked",
        "clip_ids": ["clip-1"],
    }
    assert [e["share_id"] for e in deleted_events] == [share_id]
    assert export["verified"] is True

    before = local_state(entry)
    await refused(
        hass,
        "revoke_share",
        {"share_id": share_id},
        "share_not_active",
        share_id=share_id,
        status="revoked",
    )
    assert local_state(entry) == before


# ----------------------------------------------------------------- hub down


async def test_revoke_while_the_hub_is_down_is_kept(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    _, share, url = await shared_and_uploaded(hass, real_hub, entry, agency)
    share_id = share["share_id"]

    await real_hub.stop()
    await wait_for(lambda: not entry.runtime_data.listener.connected)
    data = {"share_id": share_id}
    result = await call(hass, "revoke_share", data, response=True)
    assert result == {"share_id": share_id, "status": "queued"}
    # Asking again while it waits queues nothing more.
    assert await call(hass, "revoke_share", data, response=True) == result
    assert len(entry.runtime_data.outbox.items()) == 1

    await real_hub.start()
    await wait_for(lambda: entry.runtime_data.outbox.items() == [], within=15)
    await wait_for(lambda: state_of(hass, "sensor", "active_shares") == "0")
    status, _ = await agency.call("GET", url)
    assert status == 410
    export = await entry.runtime_data.ledger.async_export()
    kinds = [e["kind"] for e in export["entries"]]
    assert kinds.count("share_revoked") == 1
    assert kinds.count("revocation_delivered") == 1
    assert export["verified"] is True


async def test_hub_down_refuses_hub_calls(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    neighbour = await real_hub.add_home(
        "Neighbour", *offset(hass.config.latitude, hass.config.longitude, east_m=200)
    )
    status, alert = await neighbour.call(
        "POST", "/api/v1/alerts", {"category": "crime", "title": "Broken window"}
    )
    assert status == 201
    _, _share, url = await shared_and_uploaded(hass, real_hub, entry, agency)

    await real_hub.stop()
    await wait_for(lambda: not entry.runtime_data.listener.connected)
    before = local_state(entry)

    for service, data in (
        ("post_alert", {"category": "crime", "title": "Anyone?"}),
        ("comment_alert", {"alert_id": alert["id"], "text": "Me too"}),
    ):
        with pytest.raises(HomeAssistantError) as info:
            await call(hass, service, data)
        assert not isinstance(info.value, ServiceValidationError), service
        assert_translated(info.value, "hub_error")
        assert local_state(entry) == before, service

    await real_hub.start()
    status, _ = await agency.call("GET", url)
    assert status == 200
    status, comments = await neighbour.call("GET", f"/api/v1/alerts/{alert['id']}")
    assert status == 200
    assert comments.get("comments", []) == []


# ---------------------------------------------------- get_request and export


async def test_get_request(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency("County Sheriff", "sheriff")
    request = await pending_request(hass, real_hub, entry, agency)

    result = await call(
        hass, "get_request", {"request_id": request["id"]}, response=True
    )

    assert result["request_id"] == request["id"]
    assert result["agency"] == "County Sheriff"
    assert result["agency_kind"] == "sheriff"
    assert result["contact"] == "Det. Smith, 555-0100"
    assert result["description"] == "Break-in on Elm Street"
    assert result["status"] == "pending"
    assert result["matching_clips"] == 0
    assert result["clips"] == []
    assert result["share_id"] is None
    await refused(
        hass,
        "get_request",
        {"request_id": "missing"},
        "unknown_request",
        response=True,
        request_id="missing",
    )


async def test_export_ledger_since(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    first = await pending_request(hass, real_hub, entry, agency, "CASE-1")
    everything = await call(hass, "export_ledger", {}, response=True)
    cut = dt_util.parse_datetime(everything["entries"][-1]["ts"])
    assert cut is not None
    cut += timedelta(microseconds=1)
    second = await pending_request(hass, real_hub, entry, agency, "CASE-2")

    recent = await call(
        hass, "export_ledger", {"since": cut.isoformat()}, response=True
    )

    assert recent["verified"] is True
    assert [e["data"]["request_id"] for e in recent["entries"]] == [second["id"]]
    assert recent["count"] == 1
    full = await call(hass, "export_ledger", {}, response=True)
    assert [
        e["data"]["request_id"]
        for e in full["entries"]
        if e["kind"] == "request_received"
    ] == [first["id"], second["id"]]


async def test_hub_with_stricter_limits_refuses(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    """A hub's operator may set tighter limits; the hub's reason is passed on."""
    entry = await pair_entry(hass, real_hub)
    neighbour = await real_hub.add_home(
        "Neighbour", *offset(hass.config.latitude, hass.config.longitude, east_m=200)
    )
    status, alert = await neighbour.call(
        "POST", "/api/v1/alerts", {"category": "crime", "title": "Broken window"}
    )
    assert status == 201
    policy = real_hub.settings.policy
    policy.title_max = 10
    policy.comment_max = 5
    before = local_state(entry)

    err = await refused(
        hass, "post_alert", {"category": "crime", "title": "Eleven char"}, "hub_refused"
    )
    assert "title" in err.translation_placeholders["error"]
    err = await refused(
        hass,
        "comment_alert",
        {"alert_id": alert["id"], "text": "Six ch"},
        "hub_refused",
    )
    assert "text" in err.translation_placeholders["error"]
    assert local_state(entry) == before
    status, listing = await neighbour.call("GET", "/api/v1/alerts")
    assert [a["id"] for a in listing["alerts"]] == [alert["id"]]
