"""Neighbourhood alerts: coarse locations, limits, fan-out, reading, comments."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from porchlight_hub.geo import distance_m

from .conftest import CENTRE, Client, HubHarness, iso, offset

HALF_CELL_DIAGONAL_M = 71.0


async def post(home: Client, **body: Any) -> tuple[int, Any]:
    payload = {"category": "suspicious", "title": "Someone trying car doors", **body}
    return await home.call("POST", "/api/v1/alerts", payload)


async def test_alert_is_created_with_a_coarse_location(hub: HubHarness) -> None:
    home = await hub.add_home()
    exact = offset(*CENTRE, north_m=123, east_m=-37)
    status, alert = await post(
        home, description="Grey hoodie", latitude=exact[0], longitude=exact[1]
    )
    assert status == 201, alert
    assert alert["category"] == "suspicious"
    assert alert["description"] == "Grey hoodie"
    assert alert["source"] == "neighbour"
    assert alert["mine"] is True
    stored = (alert["latitude"], alert["longitude"])
    assert stored != exact
    assert 0 < distance_m(*exact, *stored) <= HALF_CELL_DIAGONAL_M

    # Any point in the same cell lands on the very same coordinates.
    for north, east in ((10, 10), (-20, 30), (35, -35)):
        point = offset(*stored, north_m=north, east_m=east)
        status, again = await post(home, latitude=point[0], longitude=point[1])
        assert status == 201
        assert (again["latitude"], again["longitude"]) == stored

    # Without a location, the home's own location is used, coarsened too.
    status, own = await post(home)
    assert status == 201
    assert (own["latitude"], own["longitude"]) != CENTRE
    assert distance_m(*CENTRE, own["latitude"], own["longitude"]) <= 71

    status, body = await home.call("GET", f"/api/v1/alerts/{alert['id']}")
    assert (body["latitude"], body["longitude"]) == stored


async def test_alert_rules(hub: HubHarness) -> None:
    home = await hub.add_home()
    far = offset(*CENTRE, north_m=5200)
    status, body = await post(home, latitude=far[0], longitude=far[1])
    assert status == 422, body
    assert body["field"] == "latitude"
    status, body = await post(home, latitude=CENTRE[0])
    assert status == 422, body

    status, body = await post(home, category="police")
    assert (status, body["field"]) == (422, "category")
    status, body = await post(home, category="gossip")
    assert (status, body["field"]) == (422, "category")

    status, body = await post(home, title="x" * 121)
    assert (status, body["field"]) == (422, "title")
    status, body = await post(home, title="")
    assert (status, body["field"]) == (422, "title")
    status, ok = await post(home, title="x" * 120)
    assert status == 201

    status, body = await post(home, description="d" * 2001)
    assert (status, body["field"]) == (422, "description")
    status, _ = await post(home, description="d" * 2000)
    assert status == 201

    status, body = await home.call(
        "POST", f"/api/v1/alerts/{ok['id']}/comments", {"text": "c" * 1001}
    )
    assert (status, body["field"]) == (422, "text")
    status, body = await home.call(
        "POST", f"/api/v1/alerts/{ok['id']}/comments", {"text": ""}
    )
    assert status == 422
    status, _ = await home.call(
        "POST", f"/api/v1/alerts/{ok['id']}/comments", {"text": "c" * 1000}
    )
    assert status == 201

    status, body = await hub.call(
        "POST", "/api/v1/alerts", {"category": "crime", "title": "anonymous"}
    )
    assert status == 401, body


async def test_alert_reaches_homes_within_5_km_only(hub: HubHarness) -> None:
    poster = await hub.add_home("Poster")
    near = await hub.add_home("Near", *offset(*CENTRE, north_m=3000))
    far = await hub.add_home("Far", *offset(*CENTRE, north_m=8000))
    opted_out = await hub.add_home("Quiet", *offset(*CENTRE, east_m=500))
    status, _ = await opted_out.call("PATCH", "/api/v1/home", {"opted_out": True})
    assert status == 200
    poster_stream = await poster.stream()
    near_stream = await near.stream()
    far_stream = await far.stream()
    quiet_stream = await opted_out.stream()

    status, alert = await post(poster, category="lost_pet", title="Grey cat")
    assert status == 201

    mine = await poster_stream.next("alert.created")
    assert mine["data"]["id"] == alert["id"]
    assert mine["data"]["mine"] is True
    assert mine["data"]["distance_m"] <= HALF_CELL_DIAGONAL_M
    heard = await near_stream.next("alert.created")
    assert heard["data"]["id"] == alert["id"]
    assert heard["data"]["mine"] is False
    assert heard["data"]["title"] == "Grey cat"
    assert abs(heard["data"]["distance_m"] - 3000) <= HALF_CELL_DIAGONAL_M + 5
    assert "Poster" not in str(heard["data"])
    assert poster.id not in str(heard["data"])
    # Opting out of requests does not silence the neighbourhood.
    await quiet_stream.next("alert.created")
    await far_stream.nothing("alert.created")


async def post_at(
    hub: HubHarness, home: Client, north_m: float, title: str
) -> dict[str, Any]:
    point = offset(*CENTRE, north_m=north_m)
    status, alert = await post(home, title=title, latitude=point[0], longitude=point[1])
    assert status == 201, alert
    hub.clock.advance(timedelta(minutes=10))
    return dict(alert)


async def test_listing_nearby_alerts(hub: HubHarness) -> None:
    home = await hub.add_home()
    reader = await hub.add_home("Reader")
    first = await post_at(hub, home, 0, "first")
    second = await post_at(hub, home, 1000, "second")
    since = hub.clock.now()
    third = await post_at(hub, home, 3000, "third")
    fourth = await post_at(hub, home, -400, "fourth")

    async def titles(**params: str) -> list[str]:
        status, body = await reader.call("GET", "/api/v1/alerts", params=params)
        assert status == 200, body
        assert body["count"] == len(body["alerts"])
        return [a["title"] for a in body["alerts"]]

    assert await titles(radius_m="5000") == ["fourth", "third", "second", "first"]
    assert await titles(radius_m="1500") == ["fourth", "second", "first"]
    assert await titles(radius_m="500") == ["fourth", "first"]
    assert await titles(radius_m="5000", since=iso(since)) == ["fourth", "third"]
    assert await titles(radius_m="5000", limit="2") == ["fourth", "third"]
    assert await titles(radius_m="1500", limit="2") == ["fourth", "second"]
    assert await titles() == ["fourth", "second", "first"]  # default 1600 m
    _, body = await reader.call("GET", "/api/v1/alerts", params={"radius_m": "500"})
    assert [a["id"] for a in body["alerts"]] == [fourth["id"], first["id"]]
    assert all(a["mine"] is False for a in body["alerts"])
    assert {second["id"], third["id"]}.isdisjoint(a["id"] for a in body["alerts"])

    for bad in ({"radius_m": "0"}, {"radius_m": "abc"}, {"limit": "0"}):
        status, body = await reader.call("GET", "/api/v1/alerts", params=bad)
        assert status == 422, (bad, body)
    status, body = await reader.call("GET", "/api/v1/alerts", params={"since": "x"})
    assert status == 422, body


async def test_alert_detail_and_comments(hub: HubHarness) -> None:
    author = await hub.add_home("Author")
    neighbour = await hub.add_home("Neighbour", *offset(*CENTRE, east_m=2000))
    far = await hub.add_home("Far", *offset(*CENTRE, east_m=8000))
    status, alert = await post(author, title="Loose dog")
    assert status == 201
    neighbour_stream = await neighbour.stream()
    far_stream = await far.stream()

    status, comment = await neighbour.call(
        "POST", f"/api/v1/alerts/{alert['id']}/comments", {"text": "Saw it by the park"}
    )
    assert status == 201, comment
    assert comment["mine"] is True
    heard = await neighbour_stream.next("alert.comment")
    assert heard["data"]["alert_id"] == alert["id"]
    assert heard["data"]["comment"]["text"] == "Saw it by the park"
    await far_stream.nothing("alert.comment")

    author_stream = await author.stream()
    hub.clock.advance(timedelta(minutes=1))
    status, _ = await author.call(
        "POST", f"/api/v1/alerts/{alert['id']}/comments", {"text": "Found, thanks!"}
    )
    assert status == 201
    heard = await neighbour_stream.next("alert.comment")
    assert heard["data"]["comment"]["text"] == "Found, thanks!"
    assert heard["data"]["comment"]["mine"] is False
    mine = await author_stream.next("alert.comment")
    assert mine["data"]["comment"]["mine"] is True

    status, detail = await author.call("GET", f"/api/v1/alerts/{alert['id']}")
    assert status == 200
    assert detail["title"] == "Loose dog"
    assert [(c["text"], c["mine"]) for c in detail["comments"]] == [
        ("Saw it by the park", False),
        ("Found, thanks!", True),
    ]
    # The far home (8 km) may still read it: within the 10 km query radius.
    status, detail = await far.call("GET", f"/api/v1/alerts/{alert['id']}")
    assert (status, len(detail["comments"])) == (200, 2)

    status, _ = await author.call("GET", "/api/v1/alerts/alr_nope")
    assert status == 404
    status, _ = await author.call(
        "POST", "/api/v1/alerts/alr_nope/comments", {"text": "hi"}
    )
    assert status == 404


async def test_alert_20_km_away_is_not_visible(hub: HubHarness) -> None:
    home = await hub.add_home()
    remote = await hub.add_home("Remote", *offset(*CENTRE, north_m=20_000))
    status, alert = await post(remote, title="Over there")
    assert status == 201
    status, body = await home.call("GET", f"/api/v1/alerts/{alert['id']}")
    assert status == 404, body
    status, body = await home.call(
        "POST", f"/api/v1/alerts/{alert['id']}/comments", {"text": "hello?"}
    )
    assert status == 404, body
    _, listing = await home.call("GET", "/api/v1/alerts", params={"radius_m": "10000"})
    assert listing["alerts"] == []


async def test_agency_alert_is_official(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency("City Police")
    stream = await home.stream()
    point = offset(*CENTRE, north_m=300)
    body = {
        "title": "Road closed",
        "description": "Avoid Elm Street until 18:00",
        "latitude": point[0],
        "longitude": point[1],
    }
    status, alert = await agency.call("POST", "/api/v1/agency/alerts", body)
    assert status == 201, alert
    assert alert["category"] == "police"
    heard = await stream.next("alert.created")
    assert heard["data"]["id"] == alert["id"]
    assert heard["data"]["category"] == "police"
    assert heard["data"]["source"] == "agency"
    assert heard["data"]["agency"] == "City Police"
    assert heard["data"]["mine"] is False
    status, detail = await home.call("GET", f"/api/v1/alerts/{alert['id']}")
    assert (detail["source"], detail["agency"]) == ("agency", "City Police")

    status, explicit = await agency.call(
        "POST", "/api/v1/agency/alerts", {**body, "category": "police"}
    )
    assert status == 201, explicit
    status, err = await agency.call(
        "POST", "/api/v1/agency/alerts", {**body, "category": "crime"}
    )
    assert (status, err["field"]) == (422, "category")
    status, err = await agency.call(
        "POST", "/api/v1/agency/alerts", {"title": "Where?"}
    )
    assert status == 422, err
    status, err = await home.call("POST", "/api/v1/agency/alerts", body)
    assert status == 401, err
