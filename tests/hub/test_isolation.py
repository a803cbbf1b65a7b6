"""A home sees only its own deliveries and shares; an agency only its own work.

Someone else's thing answers exactly like a missing one (404), so ids cannot
be probed; the wrong kind of secret is simply not a secret (401).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import (
    CENTRE,
    SEALED,
    Client,
    HubHarness,
    call_raw,
    clip_bytes,
    offset,
    shared_clip,
)

DATA = clip_bytes(2048, seed=7)


@dataclass
class World:
    """Two homes far apart and two agencies; home A shared a clip with agency A."""

    home_a: Client
    home_b: Client
    agency_a: Client
    agency_b: Client
    request_id: str
    share_id: str
    clip_url: str


@pytest.fixture
async def world(hub: HubHarness) -> World:
    home_a = await hub.add_home("A", *offset(*CENTRE, north_m=100))
    home_b = await hub.add_home("B", *offset(*CENTRE, north_m=3000))
    agency_a = await hub.add_agency("City Police", "police")
    agency_b = await hub.add_agency("County Sheriff", "sheriff")
    req, share = await shared_clip(hub, home_a, agency_a, DATA)
    assert await hub.reached(req["id"]) == 1
    status, listing = await agency_a.call(
        "GET", f"/api/v1/agency/requests/{req['id']}/shares"
    )
    assert status == 200, listing
    url = listing["shares"][0]["clips"][0]["url"]
    return World(home_a, home_b, agency_a, agency_b, req["id"], share["share_id"], url)


def home_calls(w: World) -> list[tuple[str, str, Any]]:
    """Every home call that touches home A's request or share."""
    decision = {"decision": "decline", "idempotency_key": "other-home-1"}
    return [
        ("GET", f"/api/v1/requests/{w.request_id}", None),
        ("POST", f"/api/v1/requests/{w.request_id}/decision", decision),
        ("GET", f"/api/v1/shares/{w.share_id}", None),
        ("DELETE", f"/api/v1/shares/{w.share_id}", None),
        ("PUT", f"/api/v1/shares/{w.share_id}/clips/c1", DATA),
    ]


def agency_calls(w: World) -> list[tuple[str, str, Any]]:
    """Every agency call that touches agency A's request or clip."""
    return [
        ("GET", f"/api/v1/agency/requests/{w.request_id}", None),
        ("POST", f"/api/v1/agency/requests/{w.request_id}/withdraw", {}),
        ("POST", f"/api/v1/agency/requests/{w.request_id}/close", {}),
        ("GET", f"/api/v1/agency/requests/{w.request_id}/shares", None),
        ("GET", w.clip_url, None),
    ]


async def send(client: Client, method: str, path: str, body: Any) -> tuple[int, Any]:
    if isinstance(body, bytes):
        return await client.call(
            method, path, data=body, headers={"Content-Type": SEALED}
        )
    return await client.call(method, path, body)


async def assert_untouched(hub: HubHarness, w: World) -> None:
    """After every refused call, A's request, share and clip are as they were."""
    status, req = await w.home_a.call("GET", f"/api/v1/requests/{w.request_id}")
    assert status == 200
    assert req["status"] == "shared"
    status, share = await w.home_a.call("GET", f"/api/v1/shares/{w.share_id}")
    assert status == 200
    assert share["status"] == "complete"
    status, agency_view = await w.agency_a.call(
        "GET", f"/api/v1/agency/requests/{w.request_id}"
    )
    assert agency_view["status"] == "open"
    assert await hub.decisions(w.request_id) == {"share": 1, "decline": 0}
    status, data = await w.agency_a.call("GET", w.clip_url)
    assert status == 200
    assert data == DATA


async def test_home_cannot_reach_another_homes_things(
    hub: HubHarness, world: World
) -> None:
    for method, path, body in home_calls(world):
        status, answer = await send(world.home_b, method, path, body)
        assert status == 404, (method, path, answer)
        assert answer["error"] == "not_found"
    _, mine = await world.home_b.call("GET", "/api/v1/requests")
    assert mine["count"] == 0
    _, shares = await world.home_b.call("GET", "/api/v1/shares")
    assert shares["count"] == 0
    await assert_untouched(hub, world)


async def test_another_homes_things_look_missing(hub: HubHarness, world: World) -> None:
    """Same answer as for an id that never existed: nothing to learn."""
    _, theirs = await world.home_b.call("GET", f"/api/v1/shares/{world.share_id}")
    _, missing = await world.home_b.call("GET", "/api/v1/shares/shr_0000000000000000")
    assert theirs == missing


async def test_agency_cannot_reach_another_agencys_things(
    hub: HubHarness, world: World
) -> None:
    for method, path, body in agency_calls(world):
        status, answer = await send(world.agency_b, method, path, body)
        assert status == 404, (method, path, answer)
        assert answer["error"] == "not_found"
    _, mine = await world.agency_b.call("GET", "/api/v1/agency/requests")
    assert mine["count"] == 0
    await assert_untouched(hub, world)


HOME_ONLY = [
    ("GET", "/api/v1/home"),
    ("PATCH", "/api/v1/home"),
    ("GET", "/api/v1/alerts"),
    ("POST", "/api/v1/alerts"),
    ("GET", "/api/v1/requests"),
    ("GET", "/api/v1/shares"),
    ("GET", "/api/v1/stream"),
]


async def test_agency_key_is_not_a_home_token(hub: HubHarness, world: World) -> None:
    for method, path in [*HOME_ONLY, *((m, p) for m, p, _ in home_calls(world))]:
        resp = await call_raw(hub, method, path, headers=world.agency_a.headers)
        assert resp.status == 401, (method, path, resp.body)
        assert resp.json()["error"] == "invalid_token"


AGENCY_ONLY = [
    ("GET", "/api/v1/agency/requests"),
    ("POST", "/api/v1/agency/requests"),
    ("POST", "/api/v1/agency/alerts"),
]


async def test_home_token_is_not_an_agency_key(hub: HubHarness, world: World) -> None:
    for method, path in [*AGENCY_ONLY, *((m, p) for m, p, _ in agency_calls(world))]:
        resp = await call_raw(hub, method, path, headers=world.home_a.headers)
        assert resp.status == 401, (method, path, resp.body)
        assert resp.json()["error"] == "invalid_key"


async def test_home_token_cannot_create_a_request(
    hub: HubHarness, world: World
) -> None:
    status, body = await world.home_a.call(
        "POST", "/api/v1/agency/requests", hub.request_body(case_number="HOME-1")
    )
    assert status == 401, body
    _, mine = await world.agency_a.call("GET", "/api/v1/agency/requests")
    assert mine["count"] == 1
