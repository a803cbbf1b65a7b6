"""Time-driven endings: share retention, request expiry, withdraw and close."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .conftest import (
    CENTRE,
    Client,
    HubHarness,
    clip_bytes,
    files_under,
    make_share,
    offset,
    open_request,
    shared_clip,
    upload,
)


async def clip_url(agency: Client, request_id: str) -> str:
    status, body = await agency.call(
        "GET", f"/api/v1/agency/requests/{request_id}/shares"
    )
    assert status == 200, body
    url = body["shares"][0]["clips"][0]["url"]
    assert url is not None
    return str(url)


async def report(hub: HubHarness) -> dict[str, Any]:
    status, body = await hub.call("GET", "/api/v1/transparency")
    assert status == 200
    return dict(body)


async def test_retention_deletes_files_and_is_reported(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency("City Police")
    await hub.add_agency("Quiet Sheriff", "sheriff")
    stream = await home.stream()
    data = clip_bytes(20_000)
    req, share = await shared_clip(hub, home, agency, data, retention_days=7)
    url = await clip_url(agency, req["id"])
    folder = hub.media / "shares" / share["share_id"]

    hub.clock.advance(timedelta(days=6, hours=23))
    await stream.nothing("share.deleted")
    assert len(files_under(folder)) == 1
    status, body = await agency.call("GET", url)
    assert (status, body) == (200, data)

    hub.clock.advance(timedelta(hours=1))
    deleted = await stream.next("share.deleted")
    assert deleted["data"]["reason"] == "expired"
    assert deleted["data"]["share_id"] == share["share_id"]
    assert deleted["data"]["clip_ids"] == ["c1"]
    assert not folder.exists()
    assert files_under(hub.media / "shares") == []
    status, body = await agency.call("GET", url)
    assert status == 410, body
    _, mine = await home.call("GET", f"/api/v1/shares/{share['share_id']}")
    assert (mine["status"], mine["deleted_reason"]) == ("expired", "expired")

    by_name = await hub.counts()  # exact; the published report says "<5"
    assert by_name["City Police"]["clips_deleted_on_schedule"] == 1
    assert by_name["City Police"]["clips_revoked"] == 0
    assert by_name["Quiet Sheriff"]["clips_deleted_on_schedule"] == 0
    assert (await hub.totals())["clips_deleted_on_schedule"] == 1
    published = {a["agency"]: a for a in (await report(hub))["agencies"]}
    assert published["City Police"]["clips_deleted_on_schedule"] == "<5"


async def test_each_share_keeps_its_own_retention(hub: HubHarness) -> None:
    short = await hub.add_home("Short", *offset(*CENTRE, north_m=60))
    long = await hub.add_home("Long", *offset(*CENTRE, north_m=-60))
    agency = await hub.add_agency()
    short_stream = await short.stream()
    long_stream = await long.stream()
    req = await open_request(hub, agency)
    a, b = clip_bytes(1000, 1), clip_bytes(1000, 2)
    s1 = await make_share(hub, short, req["id"], {"c1": a}, retention_days=1)
    s30 = await make_share(hub, long, req["id"], {"c1": b}, retention_days=30)
    assert (s1["retention_days"], s30["retention_days"]) == (1, 30)
    assert (await upload(short, s1["share_id"], "c1", a))[0] == 201
    assert (await upload(long, s30["share_id"], "c1", b))[0] == 201

    hub.clock.advance(timedelta(days=1, minutes=1))
    deleted = await short_stream.next("share.deleted")
    assert deleted["data"]["share_id"] == s1["share_id"]
    await long_stream.nothing("share.deleted")
    assert not (hub.media / "shares" / s1["share_id"]).exists()
    assert len(files_under(hub.media / "shares" / s30["share_id"])) == 1
    _, listing = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}/shares")
    by_status = {s["status"]: s for s in listing["shares"]}
    assert set(by_status) == {"expired", "complete"}
    status, body = await agency.call("GET", by_status["complete"]["clips"][0]["url"])
    assert (status, body) == (200, b)

    hub.clock.advance(timedelta(days=29))
    deleted = await long_stream.next("share.deleted")
    assert deleted["data"]["share_id"] == s30["share_id"]
    assert files_under(hub.media / "shares") == []
    assert (await hub.totals())["clips_deleted_on_schedule"] == 2


async def test_request_expires_after_14_days(hub: HubHarness) -> None:
    near = await hub.add_home("Near", *offset(*CENTRE, north_m=100))
    also = await hub.add_home("Also", *offset(*CENTRE, east_m=200))
    far = await hub.add_home("Far", *offset(*CENTRE, north_m=3000))
    agency = await hub.add_agency()
    streams = [await near.stream(), await also.stream()]
    far_stream = await far.stream()
    req = await open_request(hub, agency)
    assert await hub.reached(req["id"]) == 2

    hub.clock.advance(timedelta(days=13, hours=23))
    await streams[0].nothing("request.updated")
    hub.clock.advance(timedelta(hours=1))
    for stream in streams:
        updated = await stream.next("request.updated")
        assert updated["data"]["id"] == req["id"]
        assert updated["data"]["status"] == "expired"
        assert updated["data"]["request_status"] == "expired"
    await far_stream.nothing("request.updated", wait=0.1)

    status, body = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}")
    assert (status, body["status"]) == (200, "expired")
    status, body = await near.call(
        "POST",
        f"/api/v1/requests/{req['id']}/decision",
        {"decision": "decline", "idempotency_key": "late-decline-1"},
    )
    assert status == 409, body
    status, body = await near.call(
        "GET", "/api/v1/requests", params={"status": "expired"}
    )
    assert [r["id"] for r in body["requests"]] == [req["id"]]
    status, body = await agency.call(
        "POST", f"/api/v1/agency/requests/{req['id']}/withdraw"
    )
    assert status == 409, body


async def test_withdraw_and_close_reach_the_homes(hub: HubHarness) -> None:
    near = await hub.add_home("Near", *offset(*CENTRE, north_m=100))
    decided = await hub.add_home("Decided", *offset(*CENTRE, east_m=-150))
    agency = await hub.add_agency()
    near_stream = await near.stream()
    decided_stream = await decided.stream()
    first = await open_request(hub, agency)
    second = await open_request(hub, agency, case_number="2026-0100")
    status, _ = await decided.call(
        "POST",
        f"/api/v1/requests/{first['id']}/decision",
        {"decision": "decline", "idempotency_key": "decline-key-1"},
    )
    assert status == 200

    status, body = await agency.call(
        "POST", f"/api/v1/agency/requests/{first['id']}/withdraw"
    )
    assert (status, body["status"]) == (200, "withdrawn")
    updated = await near_stream.next("request.updated")
    assert (updated["data"]["id"], updated["data"]["status"]) == (
        first["id"],
        "withdrawn",
    )
    updated = await decided_stream.next("request.updated")
    assert updated["data"]["request_status"] == "withdrawn"
    assert updated["data"]["status"] == "declined"

    status, body = await agency.call(
        "POST", f"/api/v1/agency/requests/{first['id']}/withdraw"
    )
    assert status == 409, body
    assert body["error"] == "request_closed"
    status, _ = await agency.call(
        "POST", f"/api/v1/agency/requests/{first['id']}/close"
    )
    assert status == 409
    await near_stream.nothing("request.updated", wait=0.1)

    status, body = await agency.call(
        "POST", f"/api/v1/agency/requests/{second['id']}/close"
    )
    assert (status, body["status"]) == (200, "closed")
    for stream in (near_stream, decided_stream):
        updated = await stream.next("request.updated")
        assert (updated["data"]["id"], updated["data"]["status"]) == (
            second["id"],
            "closed",
        )
    status, _ = await agency.call(
        "POST", f"/api/v1/agency/requests/{second['id']}/withdraw"
    )
    assert status == 409

    other = await hub.add_agency("Other PD")
    status, _ = await other.call(
        "POST", f"/api/v1/agency/requests/{second['id']}/close"
    )
    assert status == 404
    totals = (await report(hub))["totals"]  # agency actions: published exactly
    assert (totals["requests"], totals["requests_withdrawn"]) == (2, 1)
