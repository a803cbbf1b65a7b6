"""The consent panel's WebSocket commands and admin services, against the real hub.

Every command is used as the panel uses it (a WebSocket client logged in as
an administrator) and refused to a user who is not one; every refusal is
checked for its translation key and its rendered English text.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import Unauthorized, UnknownUser
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
)
from pytest_homeassistant_custom_component.typing import (
    ClientSessionGenerator,
    WebSocketGenerator,
)

import custom_components.porchlight as integration
from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight import outbox_item as outbox_mod
from custom_components.porchlight import services_decisions
from custom_components.porchlight.clips import Clip
from custom_components.porchlight.const import (
    CONF_CAMERA_ENTITY,
    CONF_RECORD_SECONDS,
    CONF_TRIGGER_ENTITY,
    DOMAIN,
    SUBENTRY_DOORBELL,
)
from custom_components.porchlight.data import PorchlightConfigEntry
from custom_components.porchlight.sealing import sealed_size

from .e2e import eventually, pair_entry, post_request, request_held, wait_for
from .hub.conftest import Client, HubHarness
from .ledger_helpers import edit_ledger_entry
from .panel_client import PanelClient

STRINGS = json.loads(
    (Path(integration.__file__).parent / "strings.json").read_text(encoding="utf-8")
)
COMMANDS = (
    "porchlight/requests",
    "porchlight/shares",
    "porchlight/ledger",
    "porchlight/subscribe",
)
DECISIONS = ("share_all", "share_clips", "decline", "revoke_share")
JPEG = b"\xff\xd8snapshot\xff\xd9"
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"video" * 40


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and retry within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MAX", 0.2)
    # A loaded test machine must not turn "shared" into "queued".
    monkeypatch.setattr(services_decisions, "SHARE_ACK_TIMEOUT", 30.0)


# ------------------------------------------------------------------ helpers


def assert_refused(error: dict[str, Any], key: str, **placeholders: str) -> None:
    """A translated refusal: its key, its placeholders and its English text."""
    assert error["code"] == "home_assistant_error", error
    assert error["translation_domain"] == DOMAIN
    assert error["translation_key"] == key
    given = error["translation_placeholders"] or {}
    assert given == placeholders
    template = STRINGS["exceptions"][key]["message"]
    # Home Assistant drops the template's trailing full stop before filling it.
    assert error["message"] == template.rstrip(".").format(**given)


def requests_of(entry: PorchlightConfigEntry) -> dict[str, Any]:
    return entry.runtime_data.coordinator.data.requests  # type: ignore[return-value]


def iso_time(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


async def add_clip(
    entry: PorchlightConfigEntry,
    hub: HubHarness,
    doorbell: str,
    hours_ago: float,
    content_type: str = "image/jpeg",
    data: bytes = JPEG,
) -> Clip:
    start = hub.clock.now() - timedelta(hours=hours_ago)
    clip: Clip = await entry.runtime_data.clips.async_add(
        doorbell,
        "camera.porch",
        start,
        start + timedelta(seconds=10),
        content_type,
        data,
    )
    return clip


async def pending(
    hass: HomeAssistant,
    hub: HubHarness,
    entry: PorchlightConfigEntry,
    agency: Client,
    case: str = "2026-0042",
) -> dict[str, Any]:
    request = await post_request(hass, hub, agency, case)
    # Its arrival is ledgered just after it shows (after its agency's key pin).
    await wait_for(lambda: request_held(entry, request["id"]))
    return request


async def panel(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, token: str | None = None
) -> PanelClient:
    if token is None:
        return PanelClient(await hass_ws_client(hass))
    return PanelClient(await hass_ws_client(hass, token))


async def call_service(
    client: PanelClient, service: str, data: dict[str, Any]
) -> dict[str, Any]:
    """A Porchlight service, called as the panel calls it."""
    return await client.send(
        "call_service",
        domain=DOMAIN,
        service=service,
        service_data=data,
        return_response=True,
    )


def add_subentry(
    hass: HomeAssistant, entry: PorchlightConfigEntry, title: str, data: dict[str, Any]
) -> str:
    subentry = ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type=SUBENTRY_DOORBELL,
        title=title,
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, subentry)
    return subentry.subentry_id


# ----------------------------------------------------------------- requests


async def test_requests_with_signed_clips(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_client_no_auth: ClientSessionGenerator,
    hass_access_token: str,
    real_hub: HubHarness,
) -> None:
    entry = await pair_entry(hass, real_hub)
    front = add_subentry(
        hass,
        entry,
        "Front door",
        {
            CONF_CAMERA_ENTITY: "camera.porch",
            CONF_TRIGGER_ENTITY: "binary_sensor.bell",
            CONF_RECORD_SECONDS: 3,
        },
    )
    # A doorbell damaged on disk is still named by its subentry.
    damaged = add_subentry(hass, entry, "Back door", {CONF_RECORD_SECONDS: 3})
    await hass.async_block_till_done()
    await wait_for(lambda: front in entry.runtime_data.doorbells)
    await wait_for(lambda: entry.runtime_data.listener.connected)
    video = await add_clip(entry, real_hub, front, 2.5, "video/mp4", MP4)
    snapshot = await add_clip(entry, real_hub, damaged, 2.0)
    orphan = await add_clip(entry, real_hub, "removed-doorbell", 1.5)
    await add_clip(entry, real_hub, front, 0.5)  # after the window
    agency = await real_hub.add_agency("Springfield PD")
    request = await pending(hass, real_hub, entry, agency)
    client = await panel(hass, hass_ws_client)

    result = await client.result("porchlight/requests")

    assert result["config_entry_id"] == entry.entry_id
    assert result["home"] == {
        "latitude": hass.config.latitude,
        "longitude": hass.config.longitude,
    }
    assert result["retention"] == {"default_days": 30, "max_days": 90}
    (listed,) = result["requests"]
    for key in ("id", "case_number", "incident_type", "description", "contact"):
        assert listed[key] == request[key]
    assert listed["agency"] == "Springfield PD"
    assert listed["agency_kind"] == "police"
    assert listed["area"] == request["area"]
    assert listed["distance_m"] == pytest.approx(0, abs=1)
    for key in ("window_start", "window_end", "created_at", "expires_at"):
        assert iso_time(listed[key]) == iso_time(request[key])
    assert iso_time(listed["updated_at"]) >= iso_time(request["created_at"])
    assert listed["status"] == "pending"
    assert listed["decision"] is None
    assert listed["queued"] is False
    assert listed["share_id"] is None
    assert listed["policy_violation"] is None
    clips = {c["id"]: c for c in listed["clips"]}
    assert list(clips) == [video.clip_id, snapshot.clip_id, orphan.clip_id]
    shown = clips[video.clip_id]
    assert {k: v for k, v in shown.items() if k != "url"} == {
        "id": video.clip_id,
        "doorbell": front,
        "doorbell_name": "Front door",
        "start": video.start.isoformat(),
        "end": video.end.isoformat(),
        "kind": "video",
        "content_type": "video/mp4",
        "size": len(MP4),
    }
    assert clips[snapshot.clip_id]["doorbell_name"] == "Back door"
    assert clips[snapshot.clip_id]["kind"] == "snapshot"
    assert clips[orphan.clip_id]["doorbell_name"] == "camera.porch"

    # The URL works without a login, for this clip only and only while the
    # session that asked for it lasts.
    path = f"/api/porchlight/clips/{entry.entry_id}/{video.clip_id}"
    assert shown["url"].startswith(f"{path}?authSig=")
    http = await hass_client_no_auth()
    response = await http.get(shown["url"])
    assert response.status == 200
    assert await response.read() == MP4
    assert response.headers["Content-Type"] == "video/mp4"
    assert (await http.get(path)).status == 401
    signature = shown["url"].split("?", 1)[1]
    other = f"/api/porchlight/clips/{entry.entry_id}/{snapshot.clip_id}?{signature}"
    assert (await http.get(other)).status == 401
    await client.ws.close()
    refresh_token = hass.auth.async_validate_access_token(hass_access_token)
    assert refresh_token is not None
    hass.auth.async_remove_refresh_token(refresh_token)
    await hass.async_block_till_done()
    assert (await http.get(shown["url"])).status == 401


async def test_request_order_decisions_and_queue(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    inside = [await add_clip(entry, real_hub, "front", h) for h in (2.5, 2.0)]
    agency = await real_hub.add_agency()
    first = await pending(hass, real_hub, entry, agency, "CASE-A")
    real_hub.clock.advance(timedelta(minutes=1))
    second = await pending(hass, real_hub, entry, agency, "CASE-B")
    real_hub.clock.advance(timedelta(minutes=1))
    third = await pending(hass, real_hub, entry, agency, "CASE-C")
    client = await panel(hass, hass_ws_client)

    listed = (await client.result("porchlight/requests"))["requests"]
    assert [r["id"] for r in listed] == [first["id"], second["id"], third["id"]]

    answer = await call_service(
        client, "share_all", {"request_id": first["id"], "retention_days": 7}
    )
    assert answer["success"], answer
    share_id = answer["result"]["response"]["share_id"]
    assert share_id
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)

    # The hub is away: the decline waits in the outbox and shows as queued.
    await real_hub.stop()
    await wait_for(lambda: not entry.runtime_data.listener.connected)
    answer = await call_service(client, "decline", {"request_id": second["id"]})
    assert answer["success"], answer
    assert answer["result"]["response"] == {
        "request_id": second["id"],
        "decision": "decline",
        "status": "queued",
    }

    listed = (await client.result("porchlight/requests"))["requests"]
    # Pending first, then the others by when the hub last changed them.
    assert [r["id"] for r in listed] == [third["id"], second["id"], first["id"]]
    assert [r["status"] for r in listed] == ["pending", "declined", "shared"]
    assert [r["decision"] for r in listed] == [None, "decline", "share"]
    assert [r["queued"] for r in listed] == [False, True, False]
    assert listed[2]["share_id"] == share_id
    # A decided request shows the clips it shared.
    assert [c["id"] for c in listed[2]["clips"]] == [c.clip_id for c in inside]
    assert listed[1]["clips"] == []

    await real_hub.start()
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)
    listed = (await client.result("porchlight/requests"))["requests"]
    declined = next(r for r in listed if r["id"] == second["id"])
    assert declined["queued"] is False
    assert declined["status"] == "declined"
    assert declined["decision"] == "decline"


async def test_a_queued_share_shows_its_clips_before_the_hub_has_it(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    clip = await add_clip(entry, real_hub, "front", 2.0)
    agency = await real_hub.add_agency()
    request = await pending(hass, real_hub, entry, agency)
    await real_hub.stop()
    await wait_for(lambda: not entry.runtime_data.listener.connected)
    client = await panel(hass, hass_ws_client)

    answer = await call_service(
        client,
        "share_clips",
        {"request_id": request["id"], "clip_ids": [clip.clip_id], "retention_days": 3},
    )
    assert answer["success"], answer
    assert answer["result"]["response"]["status"] == "queued"

    (listed,) = (await client.result("porchlight/requests"))["requests"]
    assert listed["status"] == "shared"
    assert listed["decision"] == "share"
    assert listed["queued"] is True
    assert listed["share_id"] is None
    assert [c["id"] for c in listed["clips"]] == [clip.clip_id]
    (queued,) = (await client.result("porchlight/shares"))["shares"]
    assert queued == {
        "share_id": None,
        "request_id": request["id"],
        "agency": "City Police",
        "case_number": request["case_number"],
        "status": "queued",
        "queued": True,
        "retention_days": 3,
        "created_at": entry.runtime_data.outbox.items()[0].created_at,
        "expires_at": None,
        "deleted_at": None,
        "clips": [
            {
                "clip_id": clip.clip_id,
                "camera": clip.camera,
                "start": clip.start.isoformat(),
                "end": clip.end.isoformat(),
                "content_type": "image/jpeg",
                # What goes to the hub: the clip sealed to the agency.
                "size": sealed_size(clip.size),
                "uploaded": False,
            }
        ],
        "accesses": [],
    }


# ------------------------------------------------------------------- shares


async def test_shares_with_accesses_and_revocation(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    inside = [
        await add_clip(entry, real_hub, "front", h, data=JPEG + bytes([n]))
        for n, h in enumerate((2.5, 2.0))
    ]
    agency = await real_hub.add_agency("Springfield PD")
    older = await pending(hass, real_hub, entry, agency, "CASE-OLD")
    request = await pending(hass, real_hub, entry, agency, "CASE-NEW")
    client = await panel(hass, hass_ws_client)
    assert (await client.result("porchlight/shares")) == {
        "config_entry_id": entry.entry_id,
        "shares": [],
    }
    subscription = await client.subscribe()

    old_answer = await call_service(
        client, "share_all", {"request_id": older["id"], "retention_days": 2}
    )
    answer = await call_service(
        client, "share_all", {"request_id": request["id"], "retention_days": 7}
    )
    assert old_answer["success"], old_answer
    assert answer["success"], answer
    old_share = old_answer["result"]["response"]["share_id"]
    share_id = answer["result"]["response"]["share_id"]
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=20)
    await entry.runtime_data.coordinator.async_refresh()
    await client.wait_kind(subscription, "shares")

    status, body = await agency.call(
        "GET", f"/api/v1/agency/requests/{request['id']}/shares"
    )
    assert status == 200, body
    hub_clip = body["shares"][0]["clips"][0]
    status, old_body = await agency.call(
        "GET", f"/api/v1/agency/requests/{older['id']}/shares"
    )
    assert status == 200, old_body
    old_url = old_body["shares"][0]["clips"][0]["url"]
    downloaded = next(
        c.clip_id for c in inside if c.sha256 == hub_clip["plaintext_sha256"]
    )
    url = hub_clip["url"]
    status, _ = await agency.call("GET", url)
    assert status == 200
    # The hub reports the access on the stream; the panel is told (other
    # share changes, such as an upload finishing, may be told first).
    shares = (await client.result("porchlight/shares"))["shares"]
    while not any(s["accesses"] for s in shares):
        await client.wait_kind(subscription, "shares")
        shares = (await client.result("porchlight/shares"))["shares"]
    # Active shares, soonest expiry first.
    assert [s["share_id"] for s in shares] == [old_share, share_id]
    shown = shares[1]
    accessed_at = shown["accesses"][0]["accessed_at"]
    assert shown["accesses"] == [
        {"clip_id": downloaded, "agency": "Springfield PD", "accessed_at": accessed_at}
    ]
    assert iso_time(accessed_at) <= real_hub.clock.now()
    assert shown["request_id"] == request["id"]
    assert shown["agency"] == "Springfield PD"
    assert shown["case_number"] == "CASE-NEW"
    assert shown["status"] == "active"
    assert shown["queued"] is False
    assert shown["retention_days"] == 7
    assert shown["deleted_at"] is None
    expected = iso_time(shown["created_at"]) + timedelta(days=7)
    assert iso_time(shown["expires_at"]) == expected
    assert [c["clip_id"] for c in shown["clips"]] == [c.clip_id for c in inside]
    assert all(c["uploaded"] for c in shown["clips"])
    assert shares[0]["accesses"] == []

    answer = await call_service(client, "revoke_share", {"share_id": share_id})
    assert answer["success"], answer
    assert answer["result"]["response"] == {"share_id": share_id, "status": "revoked"}
    await client.wait_kind(subscription, "shares")
    shares = (await client.result("porchlight/shares"))["shares"]
    assert [(s["share_id"], s["status"]) for s in shares] == [
        (old_share, "active"),
        (share_id, "revoked"),
    ]
    assert shares[1]["deleted_at"] is not None
    # What the ledger knows survives a reload: accesses are read back from it.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.listener.connected)
    # An access the panel has not asked about yet is not lost either.
    await real_hub.stop()
    await real_hub.start()
    await wait_for(lambda: entry.runtime_data.listener.connected, within=10)
    status, _ = await agency.call("GET", old_url)
    assert status == 200
    await eventually(lambda: _accesses_in_ledger(entry, 2), within=10)
    client = await panel(hass, hass_ws_client)
    shares = (await client.result("porchlight/shares"))["shares"]
    assert shares[1]["accesses"] == shown["accesses"]
    assert [a["agency"] for a in shares[0]["accesses"]] == ["Springfield PD"]
    # A share whose request the hub no longer lists keeps its place, unnamed.
    requests_of(entry).pop(older["id"])
    shares = (await client.result("porchlight/shares"))["shares"]
    assert (shares[0]["agency"], shares[0]["case_number"]) == (None, None)


async def _accesses_in_ledger(entry: PorchlightConfigEntry, count: int) -> bool:
    entries = (await entry.runtime_data.ledger.async_export())["entries"]
    return sum(e["kind"] == "share_accessed" for e in entries) == count


async def test_a_share_waiting_for_its_revocation_is_queued(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    """An outbox item about a share (not a decision) marks the share queued."""
    entry = await pair_entry(hass, real_hub)
    await add_clip(entry, real_hub, "front", 2.0)
    agency = await real_hub.add_agency()
    request = await pending(hass, real_hub, entry, agency)
    client = await panel(hass, hass_ws_client)
    answer = await call_service(client, "share_all", {"request_id": request["id"]})
    share_id = answer["result"]["response"]["share_id"]
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)
    outbox = entry.runtime_data.outbox
    outbox._items.append(
        outbox_mod.OutboxItem(
            id="revocation-1",
            request_id=request["id"],
            body={"share_id": share_id},
            created_at="2026-12-01T07:00:00+00:00",
            kind="revocation",
            share_id=share_id,
        )
    )

    (shown,) = (await client.result("porchlight/shares"))["shares"]
    assert shown["share_id"] == share_id
    assert shown["status"] == "queued"
    assert shown["queued"] is True
    outbox._items.clear()


# ------------------------------------------------------------------- ledger


async def test_ledger_pages_newest_first(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    for case in ("CASE-1", "CASE-2", "CASE-3"):
        await pending(hass, real_hub, entry, agency, case)
    export = await entry.runtime_data.ledger.async_export()
    newest_first = list(reversed(export["entries"]))
    assert len(newest_first) >= 3
    client = await panel(hass, hass_ws_client)

    whole = await client.result("porchlight/ledger")
    assert whole == {
        "config_entry_id": entry.entry_id,
        "verified": True,
        "count": len(newest_first),
        "head": export["head"],
        "entries": newest_first,
    }
    paged: list[dict[str, Any]] = []
    before: int | None = None
    while True:
        extra = {} if before is None else {"before_seq": before}
        page = await client.result("porchlight/ledger", limit=2, **extra)
        if not page["entries"]:
            break
        assert len(page["entries"]) <= 2
        paged.extend(page["entries"])
        before = page["entries"][-1]["seq"]
    assert paged == newest_first
    top = await client.result("porchlight/ledger", limit=1000, before_seq=10**9)
    assert top["entries"] == newest_first

    for bad in (0, 1001, "5", True, 2.5, None):
        error = await client.error("porchlight/ledger", limit=bad)
        assert_refused(error, "invalid_ledger_limit", maximum="1000")
    for bad in (0, -3, "7", False):
        error = await client.error("porchlight/ledger", before_seq=bad)
        assert_refused(error, "invalid_before_seq")
    error = await client.error("porchlight/ledger", page=2)
    assert error["code"] == "invalid_format"


async def test_ledger_that_does_not_verify(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    real_hub: HubHarness,
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    for case in ("CASE-1", "CASE-2", "CASE-3"):
        await pending(hass, real_hub, entry, agency, case)
    assert await hass.config_entries.async_unload(entry.entry_id)

    def edit() -> None:
        edit_ledger_entry(
            hass, entry.entry_id, 0, lambda e: e["data"].update(edited="by hand")
        )
        edit_ledger_entry(hass, entry.entry_id, 1, lambda e: e.update(seq="two"))

    await hass.async_add_executor_job(edit)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    client = await panel(hass, hass_ws_client)

    ledger = await client.result("porchlight/ledger")

    assert ledger["verified"] is False
    assert "entry 1 " in ledger["problem"]
    assert ledger["entries"][-1]["data"]["edited"] == "by hand"
    # A damaged entry is still shown, in its place in the chain.
    page = await client.result("porchlight/ledger", before_seq=3)
    assert [e["seq"] for e in page["entries"]] == ["two", 1]


# ---------------------------------------------------------------- subscribe


async def test_subscribe_names_what_changed(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    client = await panel(hass, hass_ws_client)
    subscription = await client.subscribe()

    request = await pending(hass, real_hub, entry, agency)
    assert await client.kinds(subscription) == {"requests", "ledger"}

    # News that changes nothing the panel shows is not pushed.
    home = Client(real_hub, entry.data["token"], entry.data["home_id"])
    status, _ = await home.call("PATCH", "/api/v1/home", {"name": "Renamed"})
    assert status == 200
    await wait_for(lambda: entry.runtime_data.coordinator.data.home.name == "Renamed")
    await add_clip(entry, real_hub, "front", 0.5)  # outside the window
    assert await client.kinds(subscription) == set()

    await add_clip(entry, real_hub, "front", 2.0)  # inside it
    assert await client.kinds(subscription) == {"requests"}

    await hass.services.async_call(
        DOMAIN, "decline", {"request_id": request["id"]}, blocking=True
    )
    await wait_for(lambda: not entry.runtime_data.outbox.items())
    assert "requests" in await client.kinds(subscription)

    answer = await client.send("unsubscribe_events", subscription=subscription)
    assert answer["success"], answer
    await pending(hass, real_hub, entry, agency, "CASE-LATER")
    assert await client.kinds(subscription) == set()


async def test_subscription_outlives_a_reload(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    client = await panel(hass, hass_ws_client)
    subscription = await client.subscribe(config_entry_id=entry.entry_id)

    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert await client.kinds(subscription) == {"requests", "shares", "ledger"}
    agency = await real_hub.add_agency()
    await pending(hass, real_hub, entry, agency)
    assert "requests" in await client.kinds(subscription)

    assert await hass.config_entries.async_unload(entry.entry_id)
    assert await client.kinds(subscription) == {"requests", "shares", "ledger"}
    error = await client.error("porchlight/requests", config_entry_id=entry.entry_id)
    assert_refused(error, "entry_not_loaded", entry_title=entry.title)


# ---------------------------------------------------------- entry resolution


async def test_entries_and_entry_resolution(
    hass: HomeAssistant, hass_ws_client: WebSocketGenerator, real_hub: HubHarness
) -> None:
    first = await pair_entry(hass, real_hub)
    second = await pair_entry(hass, real_hub)
    other = MockConfigEntry(domain="not_porchlight")
    other.add_to_hass(hass)
    client = await panel(hass, hass_ws_client)

    entries = (await client.result("porchlight/entries"))["entries"]
    assert sorted(e["config_entry_id"] for e in entries) == sorted(
        [first.entry_id, second.entry_id]
    )
    assert {e["title"] for e in entries} == {first.title, second.title}
    for command in COMMANDS:
        assert_refused(await client.error(command), "entry_required")
        for unknown in ("nope", other.entry_id):
            error = await client.error(command, config_entry_id=unknown)
            assert_refused(error, "unknown_entry", entry_id=unknown)
    for command in COMMANDS[:3]:
        result = await client.result(command, config_entry_id=second.entry_id)
        assert result["config_entry_id"] == second.entry_id

    # A subscription follows its own home only.
    subscription = await client.subscribe(config_entry_id=second.entry_id)
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    for entry in (first, second):
        await wait_for(lambda entry=entry: request["id"] in requests_of(entry))
    await client.kinds(subscription)
    await hass.services.async_call(
        DOMAIN,
        "decline",
        {"request_id": request["id"], "config_entry_id": first.entry_id},
        blocking=True,
    )
    await wait_for(lambda: not first.runtime_data.outbox.items())
    assert await client.kinds(subscription) == set()

    assert await hass.config_entries.async_unload(second.entry_id)
    for command in COMMANDS:
        error = await client.error(command, config_entry_id=second.entry_id)
        assert_refused(error, "entry_not_loaded", entry_title=second.title)
    result = await client.result("porchlight/requests")
    assert result["config_entry_id"] == first.entry_id
    assert await hass.config_entries.async_unload(first.entry_id)
    assert (await client.result("porchlight/entries")) == {"entries": []}
    for command in COMMANDS:
        assert_refused(await client.error(command), "no_loaded_entries")


# ----------------------------------------------------------- administrators


async def test_only_administrators_use_the_panel(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    hass_read_only_access_token: str,
    real_hub: HubHarness,
) -> None:
    entry = await pair_entry(hass, real_hub)
    await add_clip(entry, real_hub, "front", 2.0)
    agency = await real_hub.add_agency()
    request = await pending(hass, real_hub, entry, agency)
    before = entry.runtime_data.ledger.count
    reader = await panel(hass, hass_ws_client, hass_read_only_access_token)

    for command in ("porchlight/entries", *COMMANDS):
        error = await reader.error(command)
        assert error["code"] == "unauthorized", (command, error)
    for service, data in (
        ("share_all", {"request_id": request["id"]}),
        ("share_clips", {"request_id": request["id"], "clip_ids": ["x"]}),
        ("decline", {"request_id": request["id"]}),
        ("revoke_share", {"share_id": "s1"}),
    ):
        answer = await call_service(reader, service, data)
        assert not answer["success"]
        assert answer["error"]["message"] == "Unauthorized", (service, answer)
    # Reading the ledger through its service stays open to every user.
    answer = await call_service(reader, "export_ledger", {})
    assert answer["success"], answer
    assert entry.runtime_data.ledger.count == before
    assert not entry.runtime_data.outbox.items()
    assert requests_of(entry)[request["id"]].pending


async def test_decisions_refuse_other_users_but_not_automations(
    hass: HomeAssistant,
    hass_admin_user: MockUser,
    hass_read_only_user: MockUser,
    real_hub: HubHarness,
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request = await pending(hass, real_hub, entry, agency)
    data = {"request_id": request["id"]}
    calls = {
        "share_all": data,
        "share_clips": {**data, "clip_ids": ["x"]},
        "decline": data,
        "revoke_share": {"share_id": "s1"},
    }
    assert set(calls) == set(DECISIONS)

    for user_id, error in (
        (hass_read_only_user.id, Unauthorized),
        ("no-such-user", UnknownUser),
    ):
        for service, service_data in calls.items():
            with pytest.raises(error):
                await hass.services.async_call(
                    DOMAIN,
                    service,
                    service_data,
                    blocking=True,
                    context=Context(user_id=user_id),
                )
    assert not entry.runtime_data.outbox.items()

    # An automation runs as the system, whoever fired its trigger.
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "trigger": {"platform": "event", "event_type": "porch_answer"},
                "action": {
                    "action": f"{DOMAIN}.decline",
                    "data": {"request_id": "{{ trigger.event.data.request_id }}"},
                },
            }
        },
    )
    hass.bus.async_fire(
        "porch_answer", data, context=Context(user_id=hass_read_only_user.id)
    )
    await hass.async_block_till_done()
    await eventually(lambda: _declined_at_hub(real_hub, request["id"]), within=10)
    kinds = [
        e["kind"] for e in (await entry.runtime_data.ledger.async_export())["entries"]
    ]
    assert "decision" in kinds

    # An administrator decides in person, and gets the answer back.
    second = await pending(hass, real_hub, entry, agency, "CASE-ADMIN")
    answer = await hass.services.async_call(
        DOMAIN,
        "decline",
        {"request_id": second["id"]},
        blocking=True,
        return_response=True,
        context=Context(user_id=hass_admin_user.id),
    )
    assert answer == {
        "request_id": second["id"],
        "decision": "decline",
        "status": "queued",
    }


async def _declined_at_hub(hub: HubHarness, request_id: str) -> bool:
    # Agencies never see declines per request (DESIGN.md §2.5): the hub's
    # own records say.
    return (await hub.decisions(request_id))["decline"] == 1
