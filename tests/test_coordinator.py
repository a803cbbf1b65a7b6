"""The coordinator against the real hub: stream news, resyncs, ageing, failures.

The hub's clock is a ManualClock: retention is reached by moving it, never by
sleeping. Home Assistant's own timers are fired one by one where possible, so a
resync or an age check is known to come from its timer and not from a stream
reconnect.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from homeassistant.config_entries import SOURCE_REAUTH
from homeassistant.const import STATE_OFF, STATE_ON, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.coordinator import (
    EVENT_SHARE_ACCESSED,
    EVENT_SHARE_DELETED,
    FRESH_FOR,
    RESYNC_INTERVAL,
)
from custom_components.porchlight.data import PorchlightConfigEntry
from porchlight_hub import admin
from porchlight_hub.context import HUB

from .e2e import entity_id, pair_entry, post_request, wait_for
from .hub.conftest import Client, HubHarness, clip_bytes, make_share, offset, upload


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


def home_client(hub: HubHarness, entry: PorchlightConfigEntry) -> Client:
    """The paired home, speaking to the hub with Home Assistant's token."""
    return Client(hub, entry.data["token"], entry.data["home_id"])


def ledger_entries(entry: PorchlightConfigEntry, kind: str) -> list[dict[str, Any]]:
    return [
        e["data"]
        for e in reversed(entry.runtime_data.ledger.recent_entries())
        if e["kind"] == kind
    ]


def state(hass: HomeAssistant, platform: str, key: str) -> Any:
    found = hass.states.get(entity_id(hass, platform, key))
    assert found is not None
    return found


def bus_events(hass: HomeAssistant, event_type: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []

    @callback
    def _record(event: Event) -> None:
        seen.append(dict(event.data))

    hass.bus.async_listen(event_type, _record)
    return seen


async def share_one_clip(
    hass: HomeAssistant,
    hub: HubHarness,
    entry: PorchlightConfigEntry,
    agency: Client,
    retention_days: int | None = None,
) -> tuple[dict[str, Any], dict[str, Any], str]:
    """The home shares and uploads one clip; returns request, share, clip URL."""
    request = await post_request(hass, hub, agency)
    await wait_for(lambda: request["id"] in requests_of(entry))
    home = home_client(hub, entry)
    data = clip_bytes(4096, seed=7)
    share = await make_share(
        hub, home, request["id"], {"clip-9": data}, retention_days=retention_days
    )
    status, body = await upload(home, share["share_id"], "clip-9", data)
    assert status == 201, body
    await entry.runtime_data.coordinator.async_refresh()
    status, listing = await agency.call(
        "GET", f"/api/v1/agency/requests/{request['id']}/shares"
    )
    assert status == 200
    return request, share, listing["shares"][0]["clips"][0]["url"]


async def test_share_accessed_is_ledgered_and_fired(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency("City Police", "police")
    accessed = bus_events(hass, EVENT_SHARE_ACCESSED)
    request, share, url = await share_one_clip(hass, real_hub, entry, agency)
    assert ledger_entries(entry, "share_accessed") == []

    status, body = await agency.call("GET", url)
    assert status == 200
    assert body == clip_bytes(4096, seed=7)

    await wait_for(lambda: ledger_entries(entry, "share_accessed"))
    (logged,) = ledger_entries(entry, "share_accessed")
    assert logged["share_id"] == share["share_id"]
    assert logged["request_id"] == request["id"]
    assert logged["clip_id"] == "clip-9"
    assert logged["agency"] == "City Police"
    assert dt_util.parse_datetime(logged["accessed_at"]) is not None
    assert accessed == [
        {
            "config_entry_id": entry.entry_id,
            "share_id": share["share_id"],
            "request_id": request["id"],
            "clip_id": "clip-9",
            "agency": "City Police",
        }
    ]
    # An access changes no count.
    assert state(hass, "sensor", "active_shares").state == "1"


async def test_share_deleted_by_retention(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    deleted = bus_events(hass, EVENT_SHARE_DELETED)
    request, share, url = await share_one_clip(
        hass, real_hub, entry, agency, retention_days=1
    )
    assert state(hass, "sensor", "active_shares").state == "1"

    real_hub.clock.advance(timedelta(days=1, minutes=1))

    await wait_for(lambda: ledger_entries(entry, "share_deleted"))
    (logged,) = ledger_entries(entry, "share_deleted")
    assert logged == {
        "share_id": share["share_id"],
        "request_id": request["id"],
        "reason": "expired",
        "clip_ids": ["clip-9"],
    }
    assert deleted == [
        {
            "config_entry_id": entry.entry_id,
            "share_id": share["share_id"],
            "request_id": request["id"],
            "reason": "expired",
        }
    ]
    await wait_for(lambda: state(hass, "sensor", "active_shares").state == "0")
    status, _ = await agency.call("GET", url)
    assert status == 410
    assert ledger_entries(entry, "share_revoked") == []


async def test_opt_out_from_another_client(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    home = home_client(real_hub, entry)
    assert state(hass, "switch", "video_requests").state == STATE_ON

    status, body = await home.call("PATCH", "/api/v1/home", {"opted_out": True})
    assert status == 200, body
    await wait_for(lambda: state(hass, "switch", "video_requests").state == STATE_OFF)
    assert ledger_entries(entry, "opt_out") == [{"source": "hub"}]

    # A change of name only is no opt-in or opt-out.
    status, _ = await home.call("PATCH", "/api/v1/home", {"name": "Renamed"})
    assert status == 200
    await wait_for(lambda: entry.runtime_data.coordinator.data.home.name == "Renamed")
    assert ledger_entries(entry, "opt_in") == []

    status, _ = await home.call("PATCH", "/api/v1/home", {"opted_out": False})
    assert status == 200
    await wait_for(lambda: state(hass, "switch", "video_requests").state == STATE_ON)
    assert ledger_entries(entry, "opt_in") == [{"source": "hub"}]
    assert len(ledger_entries(entry, "opt_out")) == 1


async def test_opt_out_seen_only_by_the_resync(
    hass: HomeAssistant, real_hub: HubHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await pair_entry(hass, real_hub)
    broker = real_hub.runner.app[HUB].broker
    publish = broker.publish
    monkeypatch.setattr(
        broker,
        "publish",
        lambda home_id, type_, data: (
            None if type_ == "home.updated" else publish(home_id, type_, data)
        ),
    )
    status, _ = await home_client(real_hub, entry).call(
        "PATCH", "/api/v1/home", {"opted_out": True}
    )
    assert status == 200
    assert state(hass, "switch", "video_requests").state == STATE_ON

    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()

    assert state(hass, "switch", "video_requests").state == STATE_OFF
    assert ledger_entries(entry, "opt_out") == [{"source": "hub"}]


def _fire_scheduled_resync(hass: HomeAssistant, entry: PorchlightConfigEntry) -> None:
    """Run the coordinator's own timer, and only it.

    ``async_fire_time_changed`` would also fire the stream's receive timeout,
    whose reconnect resyncs too and would hide a broken timer.
    """
    coordinator = entry.runtime_data.coordinator
    cancel = coordinator._unsub_refresh  # the scheduled timer
    assert cancel is not None
    handle = cancel.__self__  # type: ignore[attr-defined]
    assert isinstance(handle, asyncio.TimerHandle)
    due_in = handle.when() - hass.loop.time()
    interval = RESYNC_INTERVAL.total_seconds()
    assert interval - 2 <= due_in <= interval + 1
    handle._run()
    handle.cancel()


async def test_scheduled_resync_finds_a_lost_request_once(
    hass: HomeAssistant, real_hub: HubHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    coordinator = entry.runtime_data.coordinator
    broker = real_hub.runner.app[HUB].broker
    publish = broker.publish
    dropped: list[str] = []

    def lossy(home_id: str, type_: str, data: dict[str, Any]) -> None:
        if type_ == "request.received" and not dropped:
            dropped.append(data["id"])
            return
        publish(home_id, type_, data)

    monkeypatch.setattr(broker, "publish", lossy)
    received: list[str] = []
    fired: set[str] = set()
    event_id = entity_id(hass, "event", "video_requests")

    @callback
    def _on_state(event: Event) -> None:
        # An event entity's state is the time it last fired; a reconnect only
        # takes it through "unavailable" and back to the same time.
        new = event.data["new_state"]
        if new is None or event.data["entity_id"] != event_id:
            return
        if new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN) or new.state in fired:
            return
        fired.add(new.state)
        if new.attributes.get("event_type") == "received":
            received.append(new.attributes["request_id"])

    hass.bus.async_listen("state_changed", _on_state)

    request = await post_request(hass, real_hub, agency)
    assert dropped == [request["id"]]
    await asyncio.sleep(0.2)
    assert request["id"] not in coordinator.data.requests
    assert received == []

    _fire_scheduled_resync(hass, entry)
    await wait_for(lambda: request["id"] in coordinator.data.requests)
    # "received" fires once the request is in the ledger (written in the
    # executor), a moment after the data shows it.
    await wait_for(lambda: received == [request["id"]])
    await hass.async_block_till_done()

    assert received == [request["id"]]
    assert hass.states.get(event_id).attributes["case_number"] == "2026-0042"
    assert state(hass, "sensor", "pending_video_requests").state == "1"
    assert entry.runtime_data.listener.connected
    # The next timer is set again, ten minutes out.
    assert coordinator._unsub_refresh is not None

    # Neither a second resync, a reconnect nor the hub's own update of the
    # request makes it new again.
    await coordinator.async_refresh()
    await real_hub.restart()
    await wait_for(lambda: entry.runtime_data.listener.connected, within=10)
    status, _ = await agency.call(
        "POST", f"/api/v1/agency/requests/{request['id']}/withdraw"
    )
    assert status == 200
    await wait_for(lambda: current(entry, request["id"]).status == "withdrawn")
    # The state shows the update a moment before its ledger entry is written.
    await wait_for(lambda: ledger_entries(entry, "request_updated") != [])
    await hass.async_block_till_done()
    assert received == [request["id"]]
    assert [r["request_id"] for r in ledger_entries(entry, "request_received")] == [
        request["id"]
    ]
    assert ledger_entries(entry, "request_updated") == [
        {"request_id": request["id"], "status": "withdrawn"}
    ]


async def test_resync_failure_makes_entities_unavailable_once_stale(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    coordinator = entry.runtime_data.coordinator
    await real_hub.stop()
    await coordinator.async_refresh()
    # The last good resync still shows until it is stale.
    assert coordinator.last_update_success
    assert coordinator.fresh
    assert state(hass, "sensor", "nearby_alerts").state != "unavailable"
    async_fire_time_changed(hass, dt_util.utcnow() + FRESH_FOR + timedelta(seconds=1))
    await hass.async_block_till_done()
    assert not coordinator.fresh
    assert state(hass, "sensor", "nearby_alerts").state == "unavailable"


async def test_old_alert_ages_out_of_count_and_map(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    registry = er.async_get(hass)
    neighbour = await real_hub.add_home(
        "Neighbour", *offset(hass.config.latitude, hass.config.longitude, north_m=250)
    )
    margin = 2.0
    max_age = entry.runtime_data.coordinator.alert_max_age
    # Posted by the hub's clock so that it turns too old ``margin`` s from now.
    real_hub.clock.set(datetime.now(UTC) - max_age + timedelta(seconds=margin))
    status, old = await neighbour.call(
        "POST", "/api/v1/alerts", {"category": "crime", "title": "Old news"}
    )
    assert status == 201
    posted = datetime.now(UTC)
    real_hub.clock.set(datetime.now(UTC))
    status, fresh = await neighbour.call(
        "POST", "/api/v1/alerts", {"category": "crime", "title": "Fresh news"}
    )
    assert status == 201

    await wait_for(lambda: len(hass.states.async_all("geo_location")) == 2)
    assert state(hass, "sensor", "nearby_alerts").state == "2"
    (old_marker,) = [
        s.entity_id
        for s in hass.states.async_all("geo_location")
        if s.attributes["alert_id"] == old["id"]
    ]
    assert registry.async_get(old_marker) is not None

    await asyncio.sleep(
        max(0.0, margin - (datetime.now(UTC) - posted).total_seconds()) + 0.2
    )
    # The age check runs every minute; nothing else is due that soon.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=61))

    # Synchronously, before any resync could have run.
    assert registry.async_get(old_marker) is None
    await hass.async_block_till_done()
    assert hass.states.get(old_marker) is None
    markers = hass.states.async_all("geo_location")
    assert [m.attributes["alert_id"] for m in markers] == [fresh["id"]]
    assert state(hass, "sensor", "nearby_alerts").state == "1"
    assert entry.runtime_data.listener.connected


@pytest.mark.parametrize("stream_sees_it", [True, False], ids=["stream", "outbox"])
async def test_refused_decision_shows_hub_status_again(
    hass: HomeAssistant, real_hub: HubHarness, stream_sees_it: bool
) -> None:
    """The request is withdrawn while the decline waits in the outbox.

    Either the stream tells first (the hub's answer replaces the local one at
    once) or, with the stream still down, the outbox's refusal fetches it.
    """
    entry = await pair_entry(hass, real_hub)
    data = entry.runtime_data
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)
    await wait_for(lambda: request["id"] in requests_of(entry))
    updates = bus_state_events(hass, entity_id(hass, "event", "video_requests"))

    await real_hub.stop()
    await wait_for(lambda: not data.listener.connected)
    await hass.services.async_call(
        DOMAIN, "decline", {"request_id": request["id"]}, blocking=True
    )
    assert current(entry, request["id"]).status == "declined"
    # The last resync is fresh: the count still shows, without the decline.
    assert state(hass, "sensor", "pending_video_requests").state == "0"
    # Home Assistant holds on to the decision while the agency withdraws.
    await data.outbox.async_stop()
    if not stream_sees_it:
        await data.listener.async_stop()
    await real_hub.start()
    status, _ = await agency.call(
        "POST", f"/api/v1/agency/requests/{request['id']}/withdraw"
    )
    assert status == 200
    if stream_sees_it:
        await wait_for(lambda: current(entry, request["id"]).status == "withdrawn")
    else:
        assert current(entry, request["id"]).status == "declined"
    assert len(data.outbox.items()) == 1

    data.outbox.async_start()

    await wait_for(lambda: not data.outbox.items(), within=10)
    (failed,) = ledger_entries(entry, "decision_failed")
    assert failed["request_id"] == request["id"]
    assert failed["decision"] == "decline"
    assert 400 <= failed["status"] < 500
    assert "decision_delivered" not in [e["kind"] for e in data.ledger.recent_entries()]
    await wait_for(lambda: current(entry, request["id"]).status == "withdrawn")
    # The entry is written (in the executor) just after the state changes.
    await wait_for(
        lambda: (
            ledger_entries(entry, "request_updated")
            == [{"request_id": request["id"], "status": "withdrawn"}]
        )
    )
    if not stream_sees_it:
        data.listener.async_start()
    await wait_for(lambda: data.listener.connected)
    await wait_for(lambda: updates and updates[-1] == ("updated", "withdrawn"))
    await wait_for(lambda: state(hass, "sensor", "pending_video_requests").state == "0")
    assert (await agency.hub.decisions(request["id"]))["decline"] == 0


def bus_state_events(hass: HomeAssistant, event_id: str) -> list[tuple[str, str]]:
    """(event type, request status) each time the event entity fires."""
    fired: list[tuple[str, str]] = []
    seen: set[str] = set()

    @callback
    def _on_state(event: Event) -> None:
        new = event.data["new_state"]
        if event.data["entity_id"] != event_id or new is None:
            return
        if new.state in (STATE_UNAVAILABLE, STATE_UNKNOWN) or new.state in seen:
            return
        seen.add(new.state)
        fired.append((new.attributes["event_type"], new.attributes["status"]))

    hass.bus.async_listen("state_changed", _on_state)
    return fired


async def test_revoked_token_fails_the_resync_with_reauth(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    coordinator = entry.runtime_data.coordinator
    # The open stream outlives the revocation; the next resync does not.
    await admin.revoke_home(real_hub.engine, entry.data["home_id"])

    await coordinator.async_refresh()

    assert not coordinator.last_update_success
    assert coordinator.last_exception.translation_key == "auth_failed"
    await hass.async_block_till_done()
    assert any(
        flow["context"]["source"] == SOURCE_REAUTH
        for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    )


async def test_invalid_stream_messages_warn_once(
    hass: HomeAssistant, real_hub: HubHarness, caplog: pytest.LogCaptureFixture
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    broker = real_hub.runner.app[HUB].broker
    home_id = entry.data["home_id"]
    with caplog.at_level(logging.DEBUG, logger="custom_components.porchlight"):
        for _ in range(3):
            broker.publish(home_id, "alert.created", {"id": "a1"})
        broker.publish(home_id, "telepathy", {})
        request = await post_request(hass, real_hub, agency)
        await wait_for(
            lambda: request["id"] in entry.runtime_data.coordinator.data.requests
        )
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "invalid message" in r.getMessage()
    ]
    again = [r for r in caplog.records if "invalid hub payload again" in r.getMessage()]
    assert len(warnings) == 2, warnings
    assert any("telepathy" in w for w in warnings)
    assert len(again) == 2
    assert entry.runtime_data.listener.connected
    assert entry.runtime_data.coordinator.data.alerts == {}


class _Clips:
    """A stand-in for the local clip library, which this issue does not build."""

    def __init__(self, clips: list[dict[str, Any]]) -> None:
        self.clips = clips
        self.asked: list[tuple[datetime, datetime]] = []

    def _within(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        self.asked.append((start, end))
        return [c for c in self.clips if c["start"] < end and c["end"] > start]

    def count(self, start: datetime, end: datetime) -> int:
        return len(self._within(start, end))

    def describe(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        return [
            {"clip_id": c["clip_id"], "start": c["start"].isoformat()}
            for c in self._within(start, end)
        ]


async def test_matching_clips_come_from_the_clip_library(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    now = real_hub.clock.now()
    library = _Clips(
        [
            {
                "clip_id": "inside",
                "start": now - timedelta(hours=2),
                "end": now - timedelta(hours=2) + timedelta(seconds=10),
            },
            {
                "clip_id": "outside",
                "start": now - timedelta(minutes=10),
                "end": now - timedelta(minutes=9),
            },
        ]
    )
    entry.runtime_data.coordinator.clip_provider = library
    request = await post_request(hass, real_hub, agency)
    await wait_for(
        lambda: (
            state(hass, "event", "video_requests").attributes.get("request_id")
            == request["id"]
        )
    )
    assert state(hass, "event", "video_requests").attributes["matching_clips"] == 1
    pending = state(hass, "sensor", "pending_video_requests").attributes["requests"]
    assert pending[0]["matching_clips"] == 1

    result = await hass.services.async_call(
        DOMAIN,
        "get_request",
        {"request_id": request["id"]},
        blocking=True,
        return_response=True,
    )
    assert result["matching_clips"] == 1
    assert [c["clip_id"] for c in result["clips"]] == ["inside"]
    window = (
        dt_util.parse_datetime(request["window_start"]),
        dt_util.parse_datetime(request["window_end"]),
    )
    assert set(library.asked) == {window}
