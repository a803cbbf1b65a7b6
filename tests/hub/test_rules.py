"""The request rules of DESIGN.md §2.3: each broken alone, each just kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from porchlight_hub.settings import INCIDENT_TYPES, Policy

from .conftest import (
    CENTRE,
    Client,
    HubHarness,
    HubMaker,
    clip_bytes,
    clip_entry,
    iso,
    open_request,
)

Overrides = Callable[[datetime], dict[str, Any]]
"""Request-body overrides, computed from the hub's current time."""

REQUESTS = "/api/v1/agency/requests"


def window(start_ago: timedelta, length: timedelta) -> Overrides:
    """A window starting ``start_ago`` before now and lasting ``length``."""

    def build(now: datetime) -> dict[str, Any]:
        start = now - start_ago
        return {"window_start": iso(start), "window_end": iso(start + length)}

    return build


def fixed(**values: Any) -> Overrides:
    return lambda _now: values


def radius(metres: float) -> Overrides:
    return fixed(
        area={"latitude": CENTRE[0], "longitude": CENTRE[1], "radius_m": metres}
    )


H, M, S, D = (
    timedelta(hours=1),
    timedelta(minutes=1),
    timedelta(seconds=1),
    timedelta(days=1),
)

BROKEN: list[Any] = [
    pytest.param(fixed(case_number="ab"), "case_number", id="case-too-short"),
    pytest.param(fixed(case_number="A" * 65), "case_number", id="case-too-long"),
    pytest.param(fixed(case_number="A#1"), "case_number", id="case-bad-char"),
    pytest.param(fixed(case_number="12\n34"), "case_number", id="case-newline"),
    pytest.param(fixed(case_number=None), "case_number", id="case-missing"),
    pytest.param(fixed(case_number=12345), "case_number", id="case-number-type"),
    pytest.param(fixed(incident_type="jaywalking"), "incident_type", id="type-unknown"),
    pytest.param(fixed(incident_type="Burglary"), "incident_type", id="type-case"),
    pytest.param(fixed(incident_type=None), "incident_type", id="type-missing"),
    pytest.param(window(2 * H, 15 * M - S), "window_length", id="window-too-short"),
    pytest.param(window(13 * H, 12 * H + S), "window_length", id="window-too-long"),
    pytest.param(window(H, -H), "window_length", id="window-backwards"),
    pytest.param(window(15 * M - S, 15 * M), "window_in_future", id="end-in-future"),
    pytest.param(window(45 * D + M, H), "window_age", id="start-too-old"),
    pytest.param(radius(143), "area_size", id="radius-143"),
    pytest.param(radius(643), "area_size", id="radius-643"),
]

KEPT: list[Any] = [
    pytest.param(window(2 * H, 15 * M), id="window-exactly-15-min"),
    pytest.param(window(12 * H, 12 * H), id="window-exactly-12-h-ending-now"),
    pytest.param(window(H, H), id="end-equals-now"),
    pytest.param(window(45 * D, H), id="start-exactly-45-days-ago"),
    pytest.param(radius(144), id="radius-144"),
    pytest.param(radius(642), id="radius-642"),
    pytest.param(fixed(case_number="A1b"), id="case-3-chars"),
    pytest.param(fixed(case_number="C" * 64), id="case-64-chars"),
    pytest.param(fixed(case_number="HQ 2026/04-17.b_x"), id="case-all-allowed-chars"),
    *(
        pytest.param(fixed(incident_type=kind), id=f"type-{kind}")
        for kind in INCIDENT_TYPES
    ),
]


def body_for(hub: HubHarness, overrides: Overrides) -> dict[str, Any]:
    body = hub.request_body(**overrides(hub.clock.now()))
    return {key: value for key, value in body.items() if value is not None}


def assert_rule(status: int, body: Any, rule: str) -> None:
    assert status == 422, body
    assert body["error"] == "rule_violation", body
    assert body["rule"] == rule, body
    assert rule in body["message"], body


@pytest.mark.parametrize(("overrides", "rule"), BROKEN)
async def test_broken_rule_is_refused(
    hub: HubHarness, overrides: Overrides, rule: str
) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    status, body = await agency.call("POST", REQUESTS, body_for(hub, overrides))
    assert_rule(status, body, rule)
    # A refused request is not stored and reaches no one.
    _, mine = await agency.call("GET", REQUESTS)
    assert mine["count"] == 0
    _, delivered = await home.call("GET", "/api/v1/requests")
    assert delivered["count"] == 0


@pytest.mark.parametrize("overrides", KEPT)
async def test_rule_kept_at_the_limit_is_accepted(
    hub: HubHarness, overrides: Overrides
) -> None:
    agency = await hub.add_agency()
    body = body_for(hub, overrides)
    status, req = await agency.call("POST", REQUESTS, body)
    assert status == 201, req
    assert req["case_number"] == body["case_number"]
    assert req["status"] == "open"


async def test_at_most_two_requests_per_case_and_agency(hub: HubHarness) -> None:
    police = await hub.add_agency("City Police", "police")
    sheriff = await hub.add_agency("County Sheriff", "sheriff")
    for _ in range(2):
        await open_request(hub, police, case_number="2026-77")
    status, body = await police.call(
        "POST", REQUESTS, hub.request_body(case_number="2026-77")
    )
    assert_rule(status, body, "case_request_limit")
    # The limit is per agency, and per case number.
    await open_request(hub, sheriff, case_number="2026-77")
    await open_request(hub, police, case_number="2026-78")


async def test_withdrawn_requests_still_count_toward_the_case_limit(
    hub: HubHarness,
) -> None:
    police = await hub.add_agency()
    for _ in range(2):
        req = await open_request(hub, police, case_number="2026-90")
        status, body = await police.call("POST", f"{REQUESTS}/{req['id']}/withdraw", {})
        assert status == 200, body
    status, body = await police.call(
        "POST", REQUESTS, hub.request_body(case_number="2026-90")
    )
    assert_rule(status, body, "case_request_limit")


async def test_federal_agency_refused_by_default(hub: HubHarness) -> None:
    federal = await hub.add_agency("Federal Bureau", "federal")
    status, body = await federal.call("POST", REQUESTS, hub.request_body())
    assert_rule(status, body, "agency_kind")
    _, report = await hub.call("GET", "/api/v1/transparency")
    assert report["policy"]["federal_agencies_allowed"] is False


@pytest.mark.parametrize(
    "kind", ["police", "sheriff", "fire", "emergency_management", "other"]
)
async def test_other_agency_kinds_are_accepted(hub: HubHarness, kind: str) -> None:
    agency = await hub.add_agency(f"Agency {kind}", kind)
    await open_request(hub, agency)


async def test_federal_agency_allowed_when_the_operator_allows(
    tuned_hub: HubMaker,
) -> None:
    hub = await tuned_hub(policy=Policy(allow_federal=True))
    home = await hub.add_home()
    federal = await hub.add_agency("Federal Bureau", "federal")
    req = await open_request(hub, federal)
    assert await hub.reached(req["id"]) == 1
    _, report = await hub.call("GET", "/api/v1/transparency")
    assert report["policy"]["federal_agencies_allowed"] is True
    _, delivered = await home.call("GET", "/api/v1/requests")
    assert delivered["requests"][0]["agency_kind"] == "federal"


async def share_with_retention(
    hub: HubHarness, home: Client, request_id: str, days: Any
) -> tuple[int, Any]:
    """Decide ``share`` with one in-window clip and the given retention."""
    data = clip_bytes(1024)
    body = {
        "decision": "share",
        "idempotency_key": f"retention-{days!s:>4}".replace(" ", "-"),
        "retention_days": days,
        "clips": [clip_entry("c1", data, hub.clock.now() - timedelta(hours=2))],
    }
    return await home.call("POST", f"/api/v1/requests/{request_id}/decision", body)


async def retention_case(hub: HubHarness, days: Any) -> tuple[int, Any]:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    return await share_with_retention(hub, home, req["id"], days)


@pytest.mark.parametrize("days", [0, 31, -1, 90, 1.5])
async def test_retention_outside_the_default_limit(hub: HubHarness, days: Any) -> None:
    status, body = await retention_case(hub, days)
    assert_rule(status, body, "retention_days")


@pytest.mark.parametrize("days", [1, 30])
async def test_retention_inside_the_default_limit(hub: HubHarness, days: int) -> None:
    status, body = await retention_case(hub, days)
    assert status == 200, body
    assert body["retention_days"] == days
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert expires == hub.clock.now() + timedelta(days=days)


async def test_retention_defaults_to_the_hub_default(hub: HubHarness) -> None:
    status, body = await retention_case(hub, None)
    assert status == 200, body
    assert body["retention_days"] == 30


@pytest.mark.parametrize(("days", "ok"), [(90, True), (91, False)])
async def test_retention_with_a_90_day_hub(
    tuned_hub: HubMaker, days: int, ok: bool
) -> None:
    hub = await tuned_hub(policy=Policy(max_retention_days=90))
    status, body = await retention_case(hub, days)
    if ok:
        assert status == 200, body
        assert body["retention_days"] == days
    else:
        assert_rule(status, body, "retention_days")


async def test_retention_never_above_90_even_if_the_hub_allows_more(
    tuned_hub: HubMaker,
) -> None:
    hub = await tuned_hub(policy=Policy(max_retention_days=365))
    status, body = await retention_case(hub, 91)
    assert_rule(status, body, "retention_days")
