"""The location lock: a home cannot move itself into someone else's circle (§2.5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from porchlight_hub import admin

from .conftest import CENTRE, Client, HubHarness, offset
from .test_cli import call_main, main


async def _patch(home: Client, lat: float, lon: float) -> tuple[int, Any]:
    return await home.call("PATCH", "/api/v1/home", {"latitude": lat, "longitude": lon})


async def test_pairing_may_move_a_home_a_little_but_not_far(hub: HubHarness) -> None:
    new = await admin.add_home(hub.engine, "Home", *CENTRE, clock=hub.clock)
    far = offset(*CENTRE, north_m=260)
    status, body = await hub.call(
        "POST",
        "/api/v1/pair",
        {"code": new.pairing_code, "latitude": far[0], "longitude": far[1]},
    )
    assert status == 422, body
    assert (body["error"], body["field"]) == ("location_locked", "latitude")
    assert "porchlight-hub home move" in body["message"]
    assert "260 m away" in body["message"]
    # Refused, the code was not used up; a nearby location pairs.
    near = offset(*CENTRE, north_m=240)
    status, body = await hub.call(
        "POST",
        "/api/v1/pair",
        {"code": new.pairing_code, "latitude": near[0], "longitude": near[1]},
    )
    assert status == 200, body
    (listed,) = await admin.list_homes(hub.engine)
    assert (listed["latitude"], listed["longitude"]) == pytest.approx(near)


async def test_a_home_cannot_creep_away_in_small_steps(hub: HubHarness) -> None:
    home = await hub.add_home()
    stream = await home.stream()
    step = offset(*CENTRE, east_m=200)
    status, body = await _patch(home, *step)
    assert status == 200, body
    await stream.next("home.updated")
    # 200 m more is 400 m from where the operator put it.
    further = offset(*CENTRE, east_m=400)
    status, body = await _patch(home, *further)
    assert status == 422, body
    assert body["error"] == "location_locked"
    await stream.nothing("home.updated", wait=0.1)
    _, now = await home.call("GET", "/api/v1/home")
    assert (now["latitude"], now["longitude"]) == pytest.approx(step)
    # Back towards the operator's place is fine.
    status, body = await _patch(home, *offset(*CENTRE, east_m=-240))
    assert status == 200, body


async def test_the_operator_moves_a_home_further(
    hub: HubHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    moved = offset(*CENTRE, north_m=3000)
    code, out, err = await main(
        capsys,
        *("home", "move", "--home", home.id, "--lat", str(moved[0])),
        *("--lon", str(moved[1]), "--db", hub.settings.db_url),
    )
    assert code == 0, err
    assert home.id in out
    _, now = await home.call("GET", "/api/v1/home")
    assert (now["latitude"], now["longitude"]) == pytest.approx(moved)
    # The lock now counts from the new place.
    status, body = await _patch(home, *offset(*moved, north_m=200))
    assert status == 200, body
    status, body = await _patch(home, *CENTRE)
    assert status == 422, body
    area = {"latitude": moved[0], "longitude": moved[1], "radius_m": 300}
    status, req = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body(area=area)
    )
    assert status == 201, req
    assert await hub.reached(req["id"]) == 1


def test_home_move_refuses_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path}/hub.db"
    code, _, err = call_main(
        capsys,
        "home",
        "move",
        "--home",
        "home_nope",
        "--lat",
        "1",
        "--lon",
        "2",
        "--db",
        db,
    )
    assert (code, "No home home_nope" in err) == (2, True)
    code, _, err = call_main(
        capsys,
        "home",
        "move",
        "--home",
        "home_nope",
        "--lat",
        "91",
        "--lon",
        "2",
        "--db",
        db,
    )
    assert (code, "Latitude must be within" in err) == (2, True)
