"""Tests for the outbox: decisions survive hub outages and restarts.

Delivery runs against the real hub on loopback; the few answers the real hub
never gives (429, 5xx, garbage) come from a tiny aiohttp server.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest.mock import patch

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.porchlight import outbox as outbox_module
from custom_components.porchlight import outbox_item, outbox_repairs
from custom_components.porchlight.api import PorchlightClient, PorchlightRequestError
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.ledger import ConsentLedger
from custom_components.porchlight.ledger_chain import (
    KIND_DECISION,
    KIND_DECISION_DELIVERED,
    KIND_DECISION_FAILED,
)
from custom_components.porchlight.outbox import Outbox
from custom_components.porchlight.outbox_item import AlreadyQueued, OutboxItem

from .hub.conftest import Client, HubHarness, clip_entry, open_request
from .ledger_helpers import ledger_file_entries

ENTRY_ID = "entry-1"
OUTBOX_KEY = f"{DOMAIN}.outbox.{ENTRY_ID}"

type MakeOutbox = Callable[..., Awaitable[Outbox]]


@pytest.fixture
async def make_outbox(hass: HomeAssistant) -> AsyncIterator[MakeOutbox]:
    """Build loaded outboxes (with a fresh ledger) and stop them all afterwards."""
    made: list[Outbox] = []

    async def factory(client: PorchlightClient, **kwargs: Any) -> Outbox:
        ledger = ConsentLedger(hass, ENTRY_ID)
        await ledger.async_load()
        outbox = Outbox(hass, ENTRY_ID, client, ledger, **kwargs)
        await outbox.async_load()
        made.append(outbox)
        return outbox

    yield factory
    for outbox in made:
        await outbox.async_stop()


@dataclass
class Home:
    """A paired home at the real hub, an agency, and the home's client."""

    hub: HubHarness
    home: Client
    agency: Client
    client: PorchlightClient

    async def request(self, **overrides: Any) -> str:
        return str((await open_request(self.hub, self.agency, **overrides))["id"])

    async def hub_request(self, request_id: str) -> dict[str, Any]:
        status, body = await self.home.call("GET", f"/api/v1/requests/{request_id}")
        assert status == 200, body
        return dict(body)

    def clip(self, clip_id: str = "c1") -> dict[str, Any]:
        when = self.hub.clock.now() - timedelta(hours=2)
        # Sealed, as every share is; these tests upload nothing.
        return clip_entry(clip_id, b"footage-" + clip_id.encode(), when)


@pytest.fixture
async def home(real_hub: HubHarness) -> Home:
    home = await real_hub.add_home("Home")
    agency = await real_hub.add_agency("City Police", "police")
    client = PorchlightClient(real_hub.session, real_hub.url, home.secret)
    return Home(real_hub, home, agency, client)


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def later(hass: HomeAssistant, seconds: float = 301) -> None:
    """Let backoff timers due within ``seconds`` fire, then settle."""
    async_fire_time_changed(hass, datetime.now(UTC) + timedelta(seconds=seconds))
    await settle(hass)


def ledger_entries(hass: HomeAssistant) -> list[dict[str, Any]]:
    """The ledger as on disk (what a restart would read)."""
    return ledger_file_entries(hass, ENTRY_ID)


def stored_items(hass_storage: dict[str, Any]) -> list[dict[str, Any]]:
    return list(hass_storage[OUTBOX_KEY]["data"]["items"])


# --- Delivery to the real hub ----------------------------------------------


async def test_share_is_stored_before_it_is_sent_and_delivered(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    request_id = await home.request()
    delivered: list[tuple[OutboxItem, dict[str, Any]]] = []
    outbox = await make_outbox(
        home.client, on_delivered=lambda item, resp: delivered.append((item, resp))
    )
    seen_on_send: list[tuple[list[Any], list[Any]]] = []
    real_decide = home.client.decide

    async def spy(request_id: str, body: dict[str, Any]) -> dict[str, Any]:
        seen_on_send.append(
            (
                stored_items(hass_storage),
                [e["kind"] for e in ledger_entries(hass)],
            )
        )
        return await real_decide(request_id, body)

    clip = home.clip("c1")
    with patch.object(home.client, "decide", spy):
        item = await outbox.async_enqueue_decision(
            request_id,
            "share",
            retention_days=7,
            clips=[clip],
            recipient_fingerprint="f" * 32,
        )
        await settle(hass)

    # When the hub was first asked, the item and its ledger entry were on disk.
    items_then, kinds_then = seen_on_send[0]
    assert [i["id"] for i in items_then] == [item.id]
    assert items_then[0]["body"]["idempotency_key"] == item.idempotency_key
    assert kinds_then == [KIND_DECISION]

    assert outbox.items() == []
    assert stored_items(hass_storage) == []
    assert outbox.pending_decision(request_id) is None
    entries = ledger_entries(hass)
    assert [e["kind"] for e in entries] == [KIND_DECISION, KIND_DECISION_DELIVERED]
    assert entries[0]["data"] == {
        "request_id": request_id,
        "decision": "share",
        "idempotency_key": item.idempotency_key,
        "retention_days": 7,
        "clip_ids": ["c1"],
        # What was sealed to whom: the plaintext's and the ciphertext's hashes.
        "clips": [
            {k: clip[k] for k in ("clip_id", "plaintext_sha256", "sha256", "size")}
        ],
        "agency_recipient_fingerprint": "f" * 32,
    }
    hub_view = await home.hub_request(request_id)
    assert hub_view["decision"] == "share"
    assert entries[1]["data"] == {
        "request_id": request_id,
        "decision": "share",
        "idempotency_key": item.idempotency_key,
        "share_id": hub_view["share_id"],
    }
    assert len(delivered) == 1
    assert delivered[0][0].share_id == hub_view["share_id"]
    assert delivered[0][1]["share_id"] == hub_view["share_id"]
    assert delivered[0][1]["retention_days"] == 7
    assert not outbox.retry_scheduled
    assert (await outbox.ledger.async_verify()).ok


async def test_decline_with_async_callback(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    request_id = await home.request()
    done = asyncio.Event()

    async def on_delivered(item: OutboxItem, response: dict[str, Any]) -> None:
        assert response["status"] == "declined"
        done.set()

    outbox = await make_outbox(home.client, on_delivered=on_delivered)
    await outbox.async_enqueue_decision(request_id, "decline")
    await settle(hass)
    assert done.is_set()
    assert (await home.hub_request(request_id))["decision"] == "decline"
    delivered = ledger_entries(hass)[-1]
    assert delivered["kind"] == KIND_DECISION_DELIVERED
    assert "share_id" not in delivered["data"]


async def test_hub_down_then_back(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    request_id = await home.request()
    outbox = await make_outbox(home.client)
    await home.hub.stop()

    item = await outbox.async_enqueue_decision(request_id, "decline")
    # Persisted before the hub was even tried.
    assert [i["id"] for i in stored_items(hass_storage)] == [item.id]
    assert [e["kind"] for e in ledger_entries(hass)] == [KIND_DECISION]
    await settle(hass)
    assert outbox.pending_decision(request_id) is item
    assert item.attempts == 1
    assert item.last_error
    assert outbox.retry_scheduled

    # Still down at the first retry: the item stays, attempts are saved.
    await later(hass)
    assert item.attempts == 2
    assert outbox.retry_scheduled
    await later(hass, 2)  # the delayed save of the attempt count
    assert stored_items(hass_storage)[0]["attempts"] == 2

    await home.hub.start()
    await later(hass)
    assert outbox.items() == []
    assert not outbox.retry_scheduled
    assert (await home.hub_request(request_id))["decision"] == "decline"
    assert ledger_entries(hass)[-1]["kind"] == KIND_DECISION_DELIVERED


async def test_restart_still_delivers(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    request_id = await home.request()
    first = await make_outbox(home.client)
    await home.hub.stop()
    item = await first.async_enqueue_decision(
        request_id, "share", clips=[home.clip("a"), home.clip("b")]
    )
    await settle(hass)
    await first.async_stop()
    assert not first.retry_scheduled

    # Home Assistant restarts: new ledger and outbox on the same storage.
    await home.hub.start()
    second = await make_outbox(home.client)
    [restored] = second.items()
    assert restored.to_dict() == item.to_dict()
    assert restored.decision == "share"
    second.async_start()
    await settle(hass)
    assert second.items() == []
    hub_view = await home.hub_request(request_id)
    assert hub_view["decision"] == "share"
    assert [e["kind"] for e in ledger_entries(hass)] == [
        KIND_DECISION,
        KIND_DECISION_DELIVERED,
    ]
    assert (await second.ledger.async_verify()).ok


async def test_answer_lost_in_transit_is_replayed(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    """The hub took the decision but we never heard: the retry gets its answer."""
    request_id = await home.request()
    outbox = await make_outbox(home.client)
    await home.hub.stop()
    item = await outbox.async_enqueue_decision(request_id, "share", clips=[home.clip()])
    await settle(hass)
    await home.hub.start()
    status, first_answer = await home.home.call(
        "POST", f"/api/v1/requests/{request_id}/decision", item.body
    )
    assert status == 200
    await later(hass)
    assert outbox.items() == []
    delivered = ledger_entries(hass)[-1]
    assert delivered["kind"] == KIND_DECISION_DELIVERED
    assert delivered["data"]["share_id"] == first_answer["share_id"]


async def test_already_decided_the_same_way_counts_as_delivered(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    request_id = await home.request()
    status, _ = await home.home.call(
        "POST",
        f"/api/v1/requests/{request_id}/decision",
        {"decision": "decline", "idempotency_key": "another-device-key"},
    )
    assert status == 200
    delivered: list[dict[str, Any]] = []
    outbox = await make_outbox(
        home.client, on_delivered=lambda item, resp: delivered.append(resp)
    )
    await outbox.async_enqueue_decision(request_id, "decline")
    await settle(hass)
    assert outbox.items() == []
    assert ledger_entries(hass)[-1]["kind"] == KIND_DECISION_DELIVERED
    assert delivered == [
        {
            "request_id": request_id,
            "decision": "decline",
            "share_id": None,
            "status": "declined",
        }
    ]


async def test_already_decided_otherwise_fails(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    request_id = await home.request()
    await home.home.call(
        "POST",
        f"/api/v1/requests/{request_id}/decision",
        {"decision": "decline", "idempotency_key": "another-device-key"},
    )
    failed: list[PorchlightRequestError] = []
    outbox = await make_outbox(
        home.client, on_failed=lambda item, err: failed.append(err)
    )
    await outbox.async_enqueue_decision(request_id, "share", clips=[home.clip()])
    await settle(hass)
    assert outbox.items() == []
    assert stored_items(hass_storage) == []
    [err] = failed
    assert (err.status, err.code) == (409, "already_decided")
    entry = ledger_entries(hass)[-1]
    assert entry["kind"] == KIND_DECISION_FAILED
    assert entry["data"]["code"] == "already_decided"
    assert entry["data"]["status"] == 409
    assert entry["data"]["decision"] == "share"
    assert (await home.hub_request(request_id))["decision"] == "decline"


@pytest.mark.parametrize(
    ("make_request", "kwargs", "status"),
    [
        (True, {"retention_days": 365}, 422),
        (False, {"retention_days": 7}, 404),
    ],
)
async def test_refused_decision_is_dropped_and_ledgered(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
    make_request: bool,
    kwargs: dict[str, Any],
    status: int,
) -> None:
    request_id = await home.request() if make_request else "req_missing"
    failed: list[tuple[OutboxItem, PorchlightRequestError]] = []
    outbox = await make_outbox(
        home.client, on_failed=lambda item, err: failed.append((item, err))
    )
    item = await outbox.async_enqueue_decision(
        request_id, "share", clips=[home.clip()], **kwargs
    )
    await settle(hass)
    assert outbox.items() == []
    assert stored_items(hass_storage) == []
    assert not outbox.retry_scheduled
    assert failed[0][0] is item
    assert failed[0][1].status == status
    entry = ledger_entries(hass)[-1]
    assert entry["kind"] == KIND_DECISION_FAILED
    assert entry["data"]["request_id"] == request_id
    assert entry["data"]["status"] == status
    assert entry["data"]["message"]


async def test_auth_error_keeps_the_item(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    home: Home,
    make_outbox: MakeOutbox,
) -> None:
    request_id = await home.request()
    wrong = PorchlightClient(home.hub.session, home.hub.url, "not-the-token")
    outbox = await make_outbox(wrong)
    item = await outbox.async_enqueue_decision(request_id, "decline")
    await settle(hass)
    assert outbox.items() == [item]
    assert outbox.retry_scheduled
    assert (await home.hub_request(request_id))["decision"] is None


# --- Queueing rules and storage ----------------------------------------------


async def test_enqueue_rules(
    hass: HomeAssistant, hass_storage: dict[str, Any], closed_port_url: str
) -> None:
    client = PorchlightClient(None, closed_port_url, "t")  # type: ignore[arg-type]
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    outbox = Outbox(hass, ENTRY_ID, client, ledger)
    with pytest.raises(RuntimeError):
        await outbox.async_enqueue_decision("r1", "decline")
    await outbox.async_load()
    outbox._stopped = True  # keep the hub out of this test
    with pytest.raises(ValueError, match="Unknown decision"):
        await outbox.async_enqueue_decision("r1", "maybe")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="decline carries"):
        await outbox.async_enqueue_decision("r1", "decline", retention_days=3)
    with pytest.raises(ValueError, match="decline carries"):
        await outbox.async_enqueue_decision("r1", "decline", clips=[{"clip_id": "c"}])
    with pytest.raises(TypeError):
        await outbox.async_enqueue_decision("r1", "share", clips=[{"raw": b"x"}])
    assert outbox.items() == []

    first = await outbox.async_enqueue_decision("r1", "decline")
    with pytest.raises(AlreadyQueued) as raised:
        await outbox.async_enqueue_decision("r1", "share")
    assert raised.value.request_id == "r1"
    assert isinstance(raised.value, ValueError)
    second = await outbox.async_enqueue_decision("r2", "share")
    assert first.idempotency_key != second.idempotency_key
    assert len(first.idempotency_key) == 32
    assert [i.request_id for i in outbox.items()] == ["r1", "r2"]
    assert outbox.pending_decision("r2") is second
    assert second.body == {
        "decision": "share",
        "idempotency_key": second.idempotency_key,
    }
    assert [e["kind"] for e in ledger_entries(hass)] == [KIND_DECISION] * 2
    await outbox.async_stop()


async def test_concurrent_enqueues_for_one_request(
    hass: HomeAssistant, closed_port_url: str, make_outbox: MakeOutbox
) -> None:
    client = PorchlightClient(None, closed_port_url, "t")  # type: ignore[arg-type]
    outbox = await make_outbox(client)
    outbox._stopped = True
    results = await asyncio.gather(
        outbox.async_enqueue_decision("r1", "decline"),
        outbox.async_enqueue_decision("r1", "decline"),
        return_exceptions=True,
    )
    assert sum(isinstance(r, AlreadyQueued) for r in results) == 1
    assert len(outbox.items()) == 1


def _item(**overrides: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": "i1",
        "kind": "decision",
        "request_id": "r1",
        "body": {"decision": "decline", "idempotency_key": "k" * 32},
        "created_at": "2026-06-01T12:00:00+00:00",
    }
    item.update(overrides)
    return item


async def test_damaged_items_are_skipped_and_unknown_keys_kept(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    closed_port_url: str,
    make_outbox: MakeOutbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    damaged = [
        "junk",
        _item(id=""),
        _item(body="x"),
        _item(body={"decision": "maybe", "idempotency_key": "k"}),
        _item(attempts="3"),
        _item(attempts=True),
        _item(last_error=5),
        _item(share_id=5),
        _item(uploads={"a": 1}),
        _item(uploads=["x"]),
    ]
    good = _item(id="good", future_field={"x": 1}, attempts=4, last_error="down")
    later_kind = _item(id="later", kind="upload", request_id="r9", body={"any": 1})
    hass_storage[OUTBOX_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": OUTBOX_KEY,
        "data": {"items": [*damaged, good, later_kind]},
    }
    client = PorchlightClient(None, closed_port_url, "t")  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        outbox = await make_outbox(client)
    assert [i.id for i in outbox.items()] == ["good", "later"]
    assert caplog.text.count("Skipped a damaged Porchlight outbox item") == len(damaged)
    restored = outbox.items()[0]
    assert (restored.attempts, restored.last_error) == (4, "down")
    assert outbox.pending_decision("r9") is None  # not a decision

    outbox._stopped = True
    await outbox.async_enqueue_decision("r2", "decline")
    saved = {i["id"]: i for i in stored_items(hass_storage)}
    assert saved["good"]["future_field"] == {"x": 1}
    assert saved["later"]["kind"] == "upload"


@pytest.mark.parametrize("data", [{"items": "junk"}, ["not", "an", "object"]])
async def test_unreadable_store_does_not_break_setup(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    closed_port_url: str,
    make_outbox: MakeOutbox,
    caplog: pytest.LogCaptureFixture,
    data: Any,
) -> None:
    hass_storage[OUTBOX_KEY] = {"version": 1, "minor_version": 1, "data": data}
    client = PorchlightClient(None, closed_port_url, "t")  # type: ignore[arg-type]
    with caplog.at_level(logging.ERROR):
        outbox = await make_outbox(client)
    assert outbox.items() == []
    if isinstance(data, list):
        # A bare list is read as a list of (damaged) items.
        assert caplog.text.count("Skipped a damaged") == 3
    else:
        assert "outbox of entry-1 is unreadable" in caplog.text


async def test_remove_store(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    hass_storage[OUTBOX_KEY] = {"version": 1, "minor_version": 1, "data": {}}
    await Outbox.async_remove_store(hass, ENTRY_ID)
    assert OUTBOX_KEY not in hass_storage


# --- Odd hub answers, from a tiny server ----------------------------------------


@dataclass
class OddHub:
    """Answers decisions and lookups from scripted (status, body, headers)."""

    url: str = ""
    decide: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    lookup: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    decided: list[tuple[str, Any]] = field(default_factory=list)
    gate: asyncio.Event | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    decide_by_request: dict[str, tuple[int, Any, dict[str, str]]] = field(
        default_factory=dict
    )
    upload_gate: asyncio.Event = field(default_factory=asyncio.Event)
    upload_arrived: asyncio.Event = field(default_factory=asyncio.Event)
    uploads: int = 0
    revoke: list[tuple[int, Any, dict[str, str]]] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)
    active: int = 0
    max_active: int = 0

    @staticmethod
    def _answer(script: list[tuple[int, Any, dict[str, str]]]) -> web.Response:
        status, body, headers = script.pop(0) if len(script) > 1 else script[0]
        if isinstance(body, str):
            return web.Response(status=status, text=body, headers=headers)
        return web.json_response(body, status=status, headers=headers)

    async def handle_decide(self, request: web.Request) -> web.Response:
        self.active += 1
        self.max_active = max(self.max_active, self.active)
        try:
            self.decided.append((request.match_info["rid"], await request.json()))
            self.arrived.set()
            if self.gate is not None:
                await self.gate.wait()
            rid = request.match_info["rid"]
            if rid in self.decide_by_request:
                return self._answer([self.decide_by_request[rid]])
            return self._answer(self.decide)
        finally:
            self.active -= 1

    async def handle_lookup(self, request: web.Request) -> web.Response:
        return self._answer(self.lookup)

    async def handle_upload(self, request: web.Request) -> web.Response:
        self.uploads += 1
        self.upload_arrived.set()
        await request.read()
        await self.upload_gate.wait()
        return web.json_response({"clip_id": request.match_info["cid"]})

    async def handle_revoke(self, request: web.Request) -> web.Response:
        self.revoked.append(request.match_info["sid"])
        return self._answer(self.revoke)


@pytest.fixture
async def odd_hub(socket_enabled: None) -> AsyncIterator[OddHub]:
    hub = OddHub()
    # Uploads of a few MB: above aiohttp's default body limit.
    app = web.Application(client_max_size=16 * 2**20)
    app.router.add_post("/api/v1/requests/{rid}/decision", hub.handle_decide)
    app.router.add_get("/api/v1/requests/{rid}", hub.handle_lookup)
    app.router.add_put("/api/v1/shares/{sid}/clips/{cid}", hub.handle_upload)
    app.router.add_delete("/api/v1/shares/{sid}", hub.handle_revoke)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    hub.url = str(server.make_url("")).rstrip("/")
    yield hub
    await server.close()


@pytest.fixture
async def odd_client(
    hass: HomeAssistant, odd_hub: OddHub
) -> AsyncIterator[PorchlightClient]:
    from aiohttp import ClientSession

    async with ClientSession() as session:
        yield PorchlightClient(session, odd_hub.url, "token")


OK_DECLINE = (
    200,
    {"request_id": "r1", "decision": "decline", "status": "declined"},
    {},
)
CONFLICT = (409, {"error": "already_decided", "message": "decided"}, {})


async def test_backoff_doubles_to_a_cap_and_resets(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide = [(503, {"error": "busy"}, {})]
    outbox = await make_outbox(odd_client)
    delays: list[float] = []
    real_call_later = outbox_module.async_call_later

    def record(hass: HomeAssistant, delay: float, job: Any) -> Any:
        delays.append(delay)
        return real_call_later(hass, delay, job)

    with (
        patch.object(outbox_module, "async_call_later", record),
        patch.object(outbox_item.random, "uniform", lambda low, high: high),
    ):
        await outbox.async_enqueue_decision("r1", "decline")
        await settle(hass)
        for _ in range(7):
            await later(hass)
        assert delays == pytest.approx([5, 10, 20, 40, 80, 160, 300, 300], abs=0.1)
        odd_hub.decide = [OK_DECLINE]
        await later(hass)
        assert outbox.items() == []
        # After a success the next outage starts again at the shortest wait.
        odd_hub.decide = [(503, {"error": "busy"}, {})]
        await outbox.async_enqueue_decision("r2", "decline")
        await settle(hass)
        assert delays[-1] == pytest.approx(5, abs=0.1)


async def test_jittered_retry_waits_at_least_half(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide = [(500, "oops", {}), OK_DECLINE]
    outbox = await make_outbox(odd_client)
    start = datetime.now(UTC)
    await outbox.async_enqueue_decision("r1", "decline")
    await settle(hass)
    # Earlier than 5 s / 2 after the failure, however long the test took.
    async_fire_time_changed(hass, start + timedelta(seconds=2))
    await settle(hass)
    assert len(odd_hub.decided) == 1
    await later(hass, 5.5)
    assert len(odd_hub.decided) == 2
    assert outbox.items() == []


async def test_rate_limited_waits_as_told(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide = [
        (429, {"error": "rate_limited"}, {"Retry-After": "120"}),
        OK_DECLINE,
    ]
    outbox = await make_outbox(odd_client)
    await outbox.async_enqueue_decision("r1", "decline")
    await settle(hass)
    await later(hass, 100)
    assert len(odd_hub.decided) == 1
    await later(hass, 125)
    assert outbox.items() == []


@pytest.mark.parametrize(
    "answer",
    [(200, "not json", {}), (200, ["a", "list"], {}), (204, "", {})],
)
async def test_garbage_answers_are_retried(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
    answer: tuple[int, Any, dict[str, str]],
) -> None:
    odd_hub.decide = [answer]
    outbox = await make_outbox(odd_client)
    await outbox.async_enqueue_decision("r1", "decline")
    await settle(hass)
    assert len(outbox.items()) == 1
    assert outbox.retry_scheduled


@pytest.mark.parametrize(
    ("lookup", "outcome"),
    [
        ((404, {"error": "not_found"}, {}), "failed"),
        ((401, {"error": "unauthorized"}, {}), "retry"),
        ((429, {"error": "rate_limited"}, {}), "retry"),
        ((503, {"error": "busy"}, {}), "retry"),
    ],
)
async def test_conflict_lookup_problems(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
    lookup: tuple[int, Any, dict[str, str]],
    outcome: str,
) -> None:
    odd_hub.decide = [CONFLICT]
    odd_hub.lookup = [lookup]
    outbox = await make_outbox(odd_client)
    await outbox.async_enqueue_decision("r1", "decline")
    await settle(hass)
    if outcome == "failed":
        assert outbox.items() == []
        entry = ledger_entries(hass)[-1]
        assert entry["kind"] == KIND_DECISION_FAILED
        assert entry["data"]["code"] == "already_decided"
    else:
        assert len(outbox.items()) == 1
        assert outbox.retry_scheduled


async def test_other_conflicts_and_bad_input_fail(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide = [
        (409, {"error": "request_closed", "message": "withdrawn"}, {}),
        (400, "no json here", {}),
        (410, {"error": "gone"}, {}),
    ]
    outbox = await make_outbox(odd_client)
    for request_id in ("r1", "r2", "r3"):
        await outbox.async_enqueue_decision(request_id, "decline")
    await settle(hass)
    assert outbox.items() == []
    # Enqueues and deliveries interleave: pick the failures out.
    failed = [
        e["data"] for e in ledger_entries(hass) if e["kind"] == KIND_DECISION_FAILED
    ]
    assert [(f["status"], f["code"]) for f in failed] == [
        (409, "request_closed"),
        (400, None),
        (410, "gone"),
    ]


async def test_one_flush_at_a_time_and_fifo(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide = [OK_DECLINE]
    odd_hub.gate = asyncio.Event()
    outbox = await make_outbox(odd_client)
    await outbox.async_enqueue_decision("r1", "decline")
    await asyncio.wait_for(odd_hub.arrived.wait(), 5)
    # Queued while the first delivery is in flight, plus extra flush requests.
    await outbox.async_enqueue_decision("r2", "decline")
    await outbox.async_enqueue_decision("r3", "decline")
    extra = [hass.async_create_task(outbox.async_flush()) for _ in range(3)]
    odd_hub.gate.set()
    await asyncio.gather(*extra)
    await settle(hass)
    assert [rid for rid, _ in odd_hub.decided] == ["r1", "r2", "r3"]
    assert odd_hub.max_active == 1
    assert outbox.items() == []


async def test_an_awaited_flush_covers_items_queued_before_it(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide = [OK_DECLINE]
    outbox = await make_outbox(odd_client)
    outbox._stopped = True
    await outbox.async_enqueue_decision("r1", "decline")
    outbox._stopped = False
    await outbox.async_flush()
    assert outbox.items() == []


async def test_unexpected_errors_are_logged_and_retried(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
    caplog: pytest.LogCaptureFixture,
) -> None:
    odd_hub.decide = [OK_DECLINE]

    def broken_callback(item: OutboxItem, response: dict[str, Any]) -> None:
        raise RuntimeError("callback bug")

    outbox = await make_outbox(odd_client, on_delivered=broken_callback)
    with patch.object(odd_client, "decide", side_effect=RuntimeError("client bug")):
        await outbox.async_enqueue_decision("r1", "decline")
        await settle(hass)
    assert "Unexpected error delivering the decision on r1" in caplog.text
    assert outbox.retry_scheduled
    await later(hass, 10)
    # The callback's bug is logged; the delivery itself stands.
    assert "Error in a Porchlight outbox callback" in caplog.text
    assert outbox.items() == []


async def test_stop_cancels_retries_and_flushes(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide = [OK_DECLINE]
    odd_hub.gate = asyncio.Event()
    outbox = await make_outbox(odd_client)
    await outbox.async_enqueue_decision("r1", "decline")
    await asyncio.wait_for(odd_hub.arrived.wait(), 5)
    await outbox.async_stop()  # cancels the delivery in flight
    odd_hub.gate.set()
    assert len(outbox.items()) == 1
    assert not outbox.retry_scheduled
    # Stopped: nothing is sent any more, the item stays queued.
    await outbox.async_flush()
    await outbox.async_enqueue_decision("r2", "decline")
    await settle(hass)
    assert [rid for rid, _ in odd_hub.decided] == ["r1"]
    assert len(outbox.items()) == 2
    outbox._arm_retry()
    assert not outbox.retry_scheduled

    outbox.async_start()
    await settle(hass)
    assert outbox.items() == []
    assert [rid for rid, _ in odd_hub.decided] == ["r1", "r1", "r2"]
    # The repeat carried the same idempotency key as the cut-short attempt.
    assert odd_hub.decided[0][1] == odd_hub.decided[1][1]


async def test_items_of_later_kinds_wait(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    """An item a newer version queued is kept, not sent as a decision."""
    hass_storage[OUTBOX_KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": OUTBOX_KEY,
        "data": {
            "items": [
                _item(id="upload", kind="upload", request_id="r0", body={"a": 1}),
                _item(id="decide", request_id="r1"),
            ]
        },
    }
    odd_hub.decide = [OK_DECLINE]
    outbox = await make_outbox(odd_client)
    await outbox.async_flush()
    assert [rid for rid, _ in odd_hub.decided] == ["r1"]
    assert [i.id for i in outbox.items()] == ["upload"]
    assert [i["id"] for i in stored_items(hass_storage)] == ["upload"]


# --- Issue 12: no item waits on another -------------------------------------


@dataclass
class FakeClips:
    """Just what uploads ask of a clip library, over one real file."""

    path: Any
    size: int = 2_000_000

    def get(self, clip_id: str) -> Any:
        from types import SimpleNamespace

        return SimpleNamespace(
            clip_id=clip_id, content_type="video/mp4", size=self.size, sha256="0" * 64
        )

    async def async_verify(self, clip: Any) -> bool:
        return True

    def file_path(self, clip: Any) -> Any:
        return self.path


@pytest.fixture
def fake_clips(tmp_path: Any) -> FakeClips:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"v" * 2_000_000)
    return FakeClips(path)


def share_ack(share_id: str = "shr-1") -> tuple[int, Any, dict[str, str]]:
    return (200, {"share_id": share_id, "status": "shared"}, {})


async def test_a_decline_is_delivered_while_a_share_uploads(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
    fake_clips: FakeClips,
) -> None:
    odd_hub.decide_by_request["r1"] = share_ack()
    odd_hub.decide = [OK_DECLINE]
    outbox = await make_outbox(odd_client, clips=fake_clips)
    await outbox.async_enqueue_decision(
        "r1", "share", retention_days=7, clips=[{"clip_id": "c1"}]
    )
    await asyncio.wait_for(odd_hub.upload_arrived.wait(), 5)

    declined = await outbox.async_enqueue_decision("r2", "decline")
    # Delivered while the upload still hangs at the hub.
    assert await outbox.async_wait_delivered(declined, 5) is None
    assert [rid for rid, _ in odd_hub.decided] == ["r1", "r2"]
    assert outbox.pending_decision("r2") is None
    assert [i.request_id for i in outbox.items()] == ["r1"]
    odd_hub.upload_gate.set()
    await settle(hass)
    assert outbox.items() == []


async def test_a_hung_upload_times_out_by_its_size(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
    fake_clips: FakeClips,
) -> None:
    from custom_components.porchlight import outbox_uploads

    assert outbox_uploads.upload_timeout(0) == outbox_uploads.UPLOAD_TIMEOUT_BASE
    assert outbox_uploads.upload_timeout(500 * 2**20) > 60 * 60
    odd_hub.decide = [share_ack()]
    fake_clips.path.write_bytes(b"v" * 1000)
    fake_clips.size = 1000
    outbox = await make_outbox(odd_client, clips=fake_clips)
    with patch.object(outbox_uploads, "UPLOAD_TIMEOUT_BASE", 0.2):
        await outbox.async_enqueue_decision(
            "r1", "share", retention_days=7, clips=[{"clip_id": "c1"}]
        )
        await settle(hass)
    (item,) = outbox.items()
    assert item.last_error == "the upload took too long"
    assert item.uploads[0]["state"] == "pending"
    assert outbox.retry_scheduled
    odd_hub.upload_gate.set()
    await later(hass)
    assert outbox.items() == []


async def test_a_decision_the_hub_keeps_failing_holds_back_no_other(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    odd_hub.decide_by_request["r1"] = (503, {"error": "busy"}, {})
    odd_hub.decide = [OK_DECLINE]
    outbox = await make_outbox(odd_client)
    await outbox.async_enqueue_decision("r1", "decline")
    await settle(hass)
    assert outbox.retry_scheduled
    await outbox.async_enqueue_decision("r2", "decline")
    await outbox.async_enqueue_decision("r3", "decline")
    await settle(hass)
    assert [i.request_id for i in outbox.items()] == ["r1"]
    # r1 was not tried again for r2 and r3: it waits for its own backoff.
    assert [rid for rid, _ in odd_hub.decided].count("r1") == 1


async def test_given_up_after_n_failures_with_a_repair_issue(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    from homeassistant.helpers import issue_registry as ir

    odd_hub.decide = [(500, "oops", {})]
    outbox = await make_outbox(odd_client)
    with patch.object(outbox_item, "MAX_ANSWERED_FAILURES", 3):
        item = await outbox.async_enqueue_decision("r1", "decline")
        await settle(hass)
        for _ in range(3):
            await later(hass)
    assert len(odd_hub.decided) == 3
    assert outbox.items() == []
    failed = ledger_entries(hass)[-1]
    assert failed["kind"] == KIND_DECISION_FAILED
    assert failed["data"]["code"] == "gave_up"
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, outbox_repairs.delivery_issue_id(ENTRY_ID, item.id)
    )
    assert issue is not None
    assert issue.translation_key == "decision_failed"
    assert issue.translation_placeholders["request_id"] == "r1"
    assert "500" in issue.translation_placeholders["reason"]


async def test_an_unreachable_hub_is_never_given_up(
    hass: HomeAssistant, make_outbox: MakeOutbox, socket_enabled: None
) -> None:
    from aiohttp import ClientSession

    async with ClientSession() as session:
        client = PorchlightClient(session, "http://127.0.0.1:9", "token")
        outbox = await make_outbox(client)
        with patch.object(outbox_item, "MAX_ANSWERED_FAILURES", 2):
            await outbox.async_enqueue_decision("r1", "decline")
            await settle(hass)
            for _ in range(4):
                await later(hass)
        (item,) = outbox.items()
        assert item.attempts == 5
        await outbox.async_stop()


@pytest.mark.parametrize(
    ("answer", "final"),
    [
        ((422, {"error": "invalid", "message": "bad"}, {}), True),
        ((408, {"error": "timeout"}, {}), False),
        ((429, {"error": "rate_limited"}, {}), False),
    ],
)
async def test_only_answers_the_hub_will_never_change_are_final(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
    answer: tuple[int, Any, dict[str, str]],
    final: bool,
) -> None:
    from homeassistant.helpers import issue_registry as ir

    odd_hub.decide = [answer]
    outbox = await make_outbox(odd_client)
    item = await outbox.async_enqueue_decision("r1", "decline")
    await settle(hass)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, outbox_repairs.delivery_issue_id(ENTRY_ID, item.id)
    )
    assert (outbox.items() == []) is final
    assert (issue is not None) is final


async def test_a_revocation_waits_out_an_outage(
    hass: HomeAssistant,
    odd_hub: OddHub,
    odd_client: PorchlightClient,
    make_outbox: MakeOutbox,
) -> None:
    revoked: list[Any] = []
    odd_hub.revoke = [
        (503, {"error": "busy"}, {}),
        (
            200,
            {
                "share_id": "shr-1",
                "request_id": "r1",
                "status": "revoked",
                "retention_days": 7,
                "created_at": "2026-11-26T10:00:00+00:00",
                "expires_at": "2026-12-03T10:00:00+00:00",
                "deleted_at": "2026-11-27T10:00:00+00:00",
                "clips": [],
            },
            {},
        ),
    ]
    outbox = await make_outbox(
        odd_client, on_revoked=lambda item, share: revoked.append(share)
    )
    item = await outbox.async_enqueue_revocation("shr-1", "r1")
    assert await outbox.async_enqueue_revocation("shr-1", "r1") is item
    await settle(hass)
    assert outbox.pending_revocation("shr-1") is item
    assert [e["kind"] for e in ledger_entries(hass)] == ["share_revoked"]
    await later(hass)
    assert odd_hub.revoked == ["shr-1", "shr-1"]
    assert outbox.items() == []
    assert [s.share_id for s in revoked] == ["shr-1"]
    assert ledger_entries(hass)[-1]["kind"] == "revocation_delivered"
