"""A home's own profile: reading it, changing it, and hearing about changes."""

from __future__ import annotations

from .conftest import CENTRE, HubHarness, offset, open_request


async def test_get_home(hub: HubHarness) -> None:
    home = await hub.add_home("Maple House", *CENTRE)
    status, body = await home.call("GET", "/api/v1/home")
    assert status == 200, body
    assert body["home_id"] == home.id
    assert body["name"] == "Maple House"
    assert (body["latitude"], body["longitude"]) == CENTRE
    assert body["opted_out"] is False
    assert body["paired_at"] == "2026-06-01T12:00:00Z"
    _, health = await hub.call("GET", "/api/v1/health")
    assert body["hub_id"] == health["hub_id"]
    assert "token" not in str(body).lower()

    status, body = await hub.call("GET", "/api/v1/home")
    assert status == 401, body
    status, body = await hub.call(
        "GET", "/api/v1/home", headers={"Authorization": "Bearer not-a-token"}
    )
    assert status == 401, body
    agency = await hub.add_agency()
    status, body = await agency.call("GET", "/api/v1/home")
    assert status == 401, body


async def test_opting_out_stops_requests_and_is_streamed(hub: HubHarness) -> None:
    home = await hub.add_home("Maple House")
    agency = await hub.add_agency()
    stream = await home.stream()

    status, body = await home.call("PATCH", "/api/v1/home", {"opted_out": True})
    assert (status, body["opted_out"]) == (200, True)
    updated = await stream.next("home.updated")
    assert updated["data"]["opted_out"] is True
    assert updated["data"]["home_id"] == home.id
    _, again = await home.call("GET", "/api/v1/home")
    assert again["opted_out"] is True
    req = await open_request(hub, agency)
    assert await hub.reached(req["id"]) == 0
    await stream.nothing("request.received", wait=0.1)

    status, body = await home.call("PATCH", "/api/v1/home", {"opted_out": False})
    assert (status, body["opted_out"]) == (200, False)
    assert (await stream.next("home.updated"))["data"]["opted_out"] is False
    req = await open_request(hub, agency, case_number="2026-0043")
    assert await hub.reached(req["id"]) == 1
    assert (await stream.next("request.received"))["data"]["id"] == req["id"]


async def test_rename_and_move(hub: HubHarness) -> None:
    home = await hub.add_home("Maple House")
    agency = await hub.add_agency()
    stream = await home.stream()

    status, body = await home.call("PATCH", "/api/v1/home", {"name": "Oak Lodge"})
    assert (status, body["name"]) == (200, "Oak Lodge")
    assert (body["latitude"], body["longitude"]) == CENTRE
    assert (await stream.next("home.updated"))["data"]["name"] == "Oak Lodge"

    away = offset(*CENTRE, north_m=240)  # a home may move itself up to 250 m
    status, body = await home.call(
        "PATCH", "/api/v1/home", {"latitude": away[0], "longitude": away[1]}
    )
    assert status == 200, body
    assert (body["latitude"], body["longitude"]) == away
    assert body["name"] == "Oak Lodge"
    updated = await stream.next("home.updated")
    assert (updated["data"]["latitude"], updated["data"]["longitude"]) == away
    _, again = await home.call("GET", "/api/v1/home")
    assert (again["latitude"], again["longitude"], again["name"]) == (
        *away,
        "Oak Lodge",
    )
    # Requests now follow the new location.
    area = {"latitude": CENTRE[0], "longitude": CENTRE[1], "radius_m": 150}
    req = await open_request(hub, agency, area=area)
    assert await hub.reached(req["id"]) == 0


async def test_bad_patches_are_422_and_change_nothing(hub: HubHarness) -> None:
    home = await hub.add_home("Maple House")
    stream = await home.stream()
    bad_bodies = [
        {},
        {"latitude": 10.0},
        {"longitude": 10.0},
        {"latitude": 91, "longitude": 0},
        {"latitude": 0, "longitude": 181},
        {"opted_out": "yes"},
        {"name": ""},
        {"name": "x" * 101},
        {"name": 7},
    ]
    for bad in bad_bodies:
        status, body = await home.call("PATCH", "/api/v1/home", bad)
        assert status == 422, (bad, body)
        assert body["error"] in ("invalid_body", "invalid_field"), body
    status, body = await home.call(
        "PATCH",
        "/api/v1/home",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert (status, body["error"]) == (400, "invalid_json")
    await stream.nothing("home.updated", wait=0.1)
    _, after = await home.call("GET", "/api/v1/home")
    assert (after["name"], after["opted_out"]) == ("Maple House", False)
    assert (after["latitude"], after["longitude"]) == CENTRE
