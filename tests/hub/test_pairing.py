"""Pairing and home authentication: one-time codes, rate limits, rotation."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from porchlight_hub import admin

from .conftest import CENTRE, Client, HubHarness, call_raw, offset

PAIR = "/api/v1/pair"


async def new_code(hub: HubHarness, name: str = "Home") -> admin.NewHome:
    """Register a home as the operator would, without pairing it."""
    return await admin.add_home(hub.engine, name, *CENTRE, clock=hub.clock)


async def pair(hub: HubHarness, code: str, **extra: Any) -> tuple[int, Any]:
    return await hub.call("POST", PAIR, {"code": code, **extra})


async def get_home(hub: HubHarness, token: str) -> tuple[int, Any]:
    return await hub.call(
        "GET", "/api/v1/home", headers={"Authorization": f"Bearer {token}"}
    )


def assert_error(status: int, body: Any, expected: int, code: str) -> None:
    assert status == expected, body
    assert body["error"] == code, body
    assert body["message"]


async def test_code_works_exactly_once(hub: HubHarness) -> None:
    new = await new_code(hub)
    status, first = await pair(hub, new.pairing_code)
    assert status == 200, first
    assert first["home_id"] == new.home_id
    assert len(first["token"]) >= 43  # 32 random bytes, URL-safe base64
    status, again = await pair(hub, new.pairing_code)
    assert_error(status, again, 422, "invalid_code")
    # The first pairing still holds.
    status, home = await get_home(hub, first["token"])
    assert status == 200
    assert home["home_id"] == new.home_id


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param(str.lower, id="lower-case"),
        pytest.param(lambda code: code.replace("-", ""), id="no-dash"),
        pytest.param(lambda code: code.replace("-", "").lower(), id="lower-no-dash"),
        pytest.param(lambda code: f"  {code.replace('-', ' ')} ", id="spaces"),
    ],
)
async def test_code_accepted_as_typed(
    hub: HubHarness, typed: Callable[[str], str]
) -> None:
    new = await new_code(hub)
    status, body = await pair(hub, typed(new.pairing_code))
    assert status == 200, body
    assert body["home_id"] == new.home_id


async def test_wrong_codes_are_rate_limited(hub: HubHarness) -> None:
    new = await new_code(hub)
    for _ in range(hub.settings.pair_failures_allowed):
        status, body = await pair(hub, "ZZZZ-ZZZZ")
        assert_error(status, body, 422, "invalid_code")
    resp = await call_raw(
        hub,
        "POST",
        PAIR,
        data=json.dumps({"code": new.pairing_code}),
        headers={"Content-Type": "application/json"},
    )
    assert resp.status == 429
    assert resp.content_type == "application/json"
    assert_error(resp.status, resp.json(), 429, "rate_limited")
    retry_after = int(resp.headers["Retry-After"])
    assert 1 <= retry_after <= hub.settings.pair_failure_window_s
    # A forwarding header does not make the same client someone else.
    status, body = await hub.call(
        "POST",
        PAIR,
        {"code": new.pairing_code},
        headers={"X-Forwarded-For": "10.9.8.7", "X-Real-IP": "10.9.8.7"},
    )
    assert_error(status, body, 429, "rate_limited")


async def test_fewer_failures_than_the_limit_do_not_block(hub: HubHarness) -> None:
    new = await new_code(hub)
    for _ in range(hub.settings.pair_failures_allowed - 1):
        status, body = await pair(hub, "ZZZZ-ZZZZ")
        assert_error(status, body, 422, "invalid_code")
    status, body = await pair(hub, new.pairing_code)
    assert status == 200, body


async def test_pairing_sets_name_and_location(hub: HubHarness) -> None:
    new = await new_code(hub, "Operator's label")
    lat, lon = offset(*CENTRE, north_m=200, east_m=-120)  # 233 m: within 250
    status, body = await pair(
        hub, new.pairing_code, name="Maple House", latitude=lat, longitude=lon
    )
    assert status == 200, body
    status, home = await get_home(hub, body["token"])
    assert status == 200, home
    assert home["name"] == "Maple House"
    assert home["latitude"] == pytest.approx(lat)
    assert home["longitude"] == pytest.approx(lon)
    assert home["hub_id"] == body["hub_id"]
    assert home["opted_out"] is False


@pytest.mark.parametrize(
    "extra",
    [
        pytest.param({"latitude": 52.0}, id="latitude-only"),
        pytest.param({"longitude": 4.0}, id="longitude-only"),
    ],
)
async def test_half_a_location_is_refused(
    hub: HubHarness, extra: dict[str, float]
) -> None:
    new = await new_code(hub)
    status, body = await pair(hub, new.pairing_code, **extra)
    assert_error(status, body, 422, "invalid_field")
    # The refusal did not use up the code.
    status, body = await pair(hub, new.pairing_code)
    assert status == 200, body


async def test_new_code_rotates_the_token(hub: HubHarness) -> None:
    home = await hub.add_home("Rotating")
    code = await admin.new_home_code(hub.engine, home.id, clock=hub.clock)
    status, body = await pair(hub, code)
    assert status == 200, body
    assert body["home_id"] == home.id
    assert body["token"] != home.secret
    status, old = await get_home(hub, home.secret)
    assert_error(status, old, 401, "invalid_token")
    status, new = await get_home(hub, body["token"])
    assert status == 200, new
    assert new["home_id"] == home.id


async def test_re_pairing_retires_other_open_codes(hub: HubHarness) -> None:
    new = await new_code(hub)
    spare = await admin.new_home_code(hub.engine, new.home_id, clock=hub.clock)
    status, body = await pair(hub, new.pairing_code)
    assert status == 200, body
    status, body = await pair(hub, spare)
    assert_error(status, body, 422, "invalid_code")


async def test_revoked_home_is_refused(hub: HubHarness) -> None:
    home = await hub.add_home()
    status, _ = await home.call("GET", "/api/v1/home")
    assert status == 200
    await admin.revoke_home(hub.engine, home.id)
    for path in ("/api/v1/home", "/api/v1/requests", "/api/v1/shares"):
        status, body = await home.call("GET", path)
        assert_error(status, body, 401, "invalid_token")


@pytest.mark.parametrize(
    ("age", "ok"),
    [
        pytest.param(timedelta(days=7, seconds=1), False, id="past-7-days"),
        pytest.param(timedelta(days=7), False, id="exactly-7-days"),
        pytest.param(timedelta(days=6, hours=23, minutes=59), True, id="within"),
    ],
)
async def test_codes_expire_after_7_days(
    hub: HubHarness, age: timedelta, ok: bool
) -> None:
    new = await new_code(hub)
    hub.clock.advance(age)
    status, body = await pair(hub, new.pairing_code)
    if ok:
        assert status == 200, body
    else:
        assert_error(status, body, 422, "invalid_code")


async def test_health_identifies_the_hub(hub: HubHarness) -> None:
    status, health = await hub.call("GET", "/api/v1/health")
    assert status == 200
    assert set(health) >= {"hub_id", "name", "version"}
    assert health["name"] == hub.settings.name
    assert isinstance(health["version"], str)
    assert health["version"]
    new = await new_code(hub)
    status, body = await pair(hub, new.pairing_code)
    assert status == 200
    assert body["hub_id"] == health["hub_id"]


async def test_hub_id_survives_a_restart(hub: HubHarness) -> None:
    _, before = await hub.call("GET", "/api/v1/health")
    await hub.restart()
    _, after = await hub.call("GET", "/api/v1/health")
    assert after["hub_id"] == before["hub_id"]


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({}, id="missing"),
        pytest.param({"Authorization": "Bearer "}, id="empty-bearer"),
        pytest.param({"Authorization": "Bearer not-a-token"}, id="garbage-bearer"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic"),
        pytest.param({"Authorization": "garbage"}, id="no-scheme"),
        pytest.param({"X-API-Key": "not-a-token"}, id="garbage-api-key"),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/home", "/api/v1/requests"])
async def test_bad_authorization_is_401_json(
    hub: HubHarness, headers: dict[str, str], path: str
) -> None:
    await hub.add_home()  # a paired home exists; the bad secret is still refused
    resp = await call_raw(hub, "GET", path, headers=headers)
    assert resp.status == 401
    assert resp.content_type == "application/json"
    body = resp.json()
    assert body["error"] in {"unauthorized", "invalid_token"}
    assert body["message"]


async def test_home_token_is_not_a_pairing_code(hub: HubHarness) -> None:
    home: Client = await hub.add_home()
    status, body = await pair(hub, home.secret)
    assert_error(status, body, 422, "invalid_code")
