"""Who a request reaches: paired, opted-in homes inside the circle, no one else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from porchlight_hub import admin

from .conftest import (
    CENTRE,
    Client,
    HubHarness,
    Stream,
    clip_bytes,
    offset,
    shared_clip,
)

HOME_FIELDS = (
    "id",
    "agency",
    "agency_kind",
    "case_number",
    "incident_type",
    "window_start",
    "window_end",
    "expires_at",
    "distance_m",
)


async def post_request(hub: HubHarness, agency: Client, **overrides: Any) -> Any:
    status, req = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body(**overrides)
    )
    assert status == 201, req
    return req


async def delivered_ids(home: Client) -> list[str]:
    status, body = await home.call("GET", "/api/v1/requests")
    assert status == 200, body
    assert body["count"] == len(body["requests"])
    return [item["id"] for item in body["requests"]]


async def set_opted_out(home: Client, value: bool) -> None:
    status, body = await home.call("PATCH", "/api/v1/home", {"opted_out": value})
    assert status == 200, body
    assert body["opted_out"] is value


async def test_request_reaches_only_the_opted_in_home_inside(hub: HubHarness) -> None:
    near = await hub.add_home("Near", *offset(*CENTRE, north_m=100))
    far = await hub.add_home("Far", *offset(*CENTRE, east_m=700))
    quiet = await hub.add_home("Quiet", *offset(*CENTRE, north_m=-60, east_m=-80))
    await set_opted_out(quiet, True)
    agency = await hub.add_agency("City Police", "police")
    streams: dict[str, Stream] = {
        "near": await near.stream(),
        "far": await far.stream(),
        "quiet": await quiet.stream(),
    }

    req = await post_request(hub, agency, case_number="CASE-1")
    assert await hub.reached(req["id"]) == 1
    assert req["homes_reached"] == "<5"  # what the agency sees of a small number

    received = (await streams["near"].next("request.received"))["data"]
    await streams["far"].nothing("request.received")
    await streams["quiet"].nothing("request.received")
    assert set(HOME_FIELDS) <= set(received)
    assert received["id"] == req["id"]
    assert received["distance_m"] == pytest.approx(100, abs=1.5)
    assert received["agency"] == "City Police"
    assert received["agency_kind"] == "police"
    assert received["case_number"] == "CASE-1"
    assert received["incident_type"] == "burglary"
    assert received["status"] == "pending"
    body = hub.request_body()
    assert received["window_start"].replace("Z", "+00:00") == body["window_start"]
    assert received["window_end"].replace("Z", "+00:00") == body["window_end"]
    assert received["expires_at"] == req["expires_at"]

    assert await delivered_ids(near) == [req["id"]]
    assert await delivered_ids(far) == []
    assert await delivered_ids(quiet) == []
    status, _ = await quiet.call("GET", f"/api/v1/requests/{req['id']}")
    assert status == 404

    # Opting back in applies to the next request, not to the past one.
    await set_opted_out(quiet, False)
    again = await post_request(hub, agency, case_number="CASE-2")
    assert await hub.reached(again["id"]) == 2
    late = (await streams["quiet"].next("request.received"))["data"]
    assert late["id"] == again["id"]
    assert late["distance_m"] == pytest.approx(100, abs=1.5)
    assert (await streams["near"].next("request.received"))["data"]["id"] == again["id"]
    await streams["far"].nothing("request.received")
    assert await delivered_ids(quiet) == [again["id"]]
    assert set(await delivered_ids(near)) == {req["id"], again["id"]}
    assert await delivered_ids(far) == []


async def test_home_without_a_stream_still_gets_the_request(hub: HubHarness) -> None:
    home = await hub.add_home("Offline", *offset(*CENTRE, east_m=150))
    agency = await hub.add_agency()
    req = await post_request(hub, agency)
    assert await hub.reached(req["id"]) == 1
    assert await delivered_ids(home) == [req["id"]]


async def test_unpaired_home_is_not_reached(hub: HubHarness) -> None:
    paired = await hub.add_home("Paired", *offset(*CENTRE, north_m=50))
    await admin.add_home(
        hub.engine, "Unpaired", *offset(*CENTRE, north_m=-50), clock=hub.clock
    )
    agency = await hub.add_agency()
    req = await post_request(hub, agency)
    assert await hub.reached(req["id"]) == 1
    assert await delivered_ids(paired) == [req["id"]]


async def test_revoked_home_is_not_reached(hub: HubHarness) -> None:
    await hub.add_home("Kept", *offset(*CENTRE, north_m=50))
    gone = await hub.add_home("Gone", *offset(*CENTRE, north_m=-50))
    await admin.revoke_home(hub.engine, gone.id)
    agency = await hub.add_agency()
    req = await post_request(hub, agency)
    assert await hub.reached(req["id"]) == 1


async def test_moving_a_home_changes_what_reaches_it(hub: HubHarness) -> None:
    home = await hub.add_home("Mover", *offset(*CENTRE, east_m=900))
    agency = await hub.add_agency()
    first = await post_request(hub, agency, case_number="MOVE-1")
    assert await hub.reached(first["id"]) == 0
    # A move this far is the operator's (a home may move itself 250 m).
    await admin.move_home(hub.engine, home.id, *offset(*CENTRE, east_m=400))
    lat, lon = offset(*CENTRE, east_m=200)
    status, body = await home.call(
        "PATCH", "/api/v1/home", {"latitude": lat, "longitude": lon}
    )
    assert status == 200, body
    second = await post_request(hub, agency, case_number="MOVE-2")
    assert await hub.reached(second["id"]) == 1
    assert await delivered_ids(home) == [second["id"]]


async def test_agency_sees_counts_never_homes(hub: HubHarness) -> None:
    names = ("Rosewood Cottage", "Juniper Flat", "Larkspur Villa")
    homes = [
        await hub.add_home(name, *offset(*CENTRE, north_m=40 * i, east_m=30))
        for i, name in enumerate(names)
    ]
    agency = await hub.add_agency()
    data = clip_bytes(4096, seed=3)
    req, _share = await shared_clip(hub, homes[0], agency, data)
    status, declined = await homes[1].call(
        "POST",
        f"/api/v1/requests/{req['id']}/decision",
        {"decision": "decline", "idempotency_key": "decline-0001"},
    )
    assert status == 200, declined

    for path in (
        f"/api/v1/agency/requests/{req['id']}",
        "/api/v1/agency/requests",
        f"/api/v1/agency/requests/{req['id']}/shares",
    ):
        status, body = await agency.call("GET", path)
        assert status == 200, body
        text = json.dumps(body)
        for home, name in zip(homes, names, strict=True):
            assert home.id not in text, path
            assert name not in text, path
            assert home.secret not in text, path

    status, one = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}")
    assert await hub.reached(one["id"]) == 3
    # Small counts read "<5", and declines are not shown per request at all.
    assert (one["homes_reached"], one["shares"]) == ("<5", "<5")
    assert "declines" not in one
    assert "homes" not in one
    status, listing = await agency.call(
        "GET", f"/api/v1/agency/requests/{req['id']}/shares"
    )
    assert [share["neighbour"] for share in listing["shares"]] == ["Neighbour 1"]
