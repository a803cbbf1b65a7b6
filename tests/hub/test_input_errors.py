"""Bad input never gets a 5xx: every JSON endpoint, every field, every wrong type.

The cases are generated from one table: each endpoint with a valid body and
the kind of each of its fields. Every required field is removed, every field
gets values of the wrong type, and the hub must answer 4xx JSON naming the
field. Each test then sends the valid body, to show the refusals changed
nothing and that the mutation, not the base body, was refused.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest

from porchlight_hub import admin

from .conftest import (
    CENTRE,
    REQUESTS_PATH,
    Client,
    HubHarness,
    call_raw,
    clip_bytes,
    clip_entry,
    iso,
    offset,
    open_request,
    sign_request,
)

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Field:
    """One field of a body: where it is, what it holds, whether it must be there."""

    path: Path
    kind: str
    required: bool = True
    rule: bool = False  # checked as a §2.3 rule: rule_violation, not a field error

    @property
    def name(self) -> str:
        out = ""
        for part in self.path:
            out += f"[{part}]" if isinstance(part, int) else f".{part}"
        return out.lstrip(".")


@dataclass
class Target:
    """A ready call: who sends it, where, and a body the hub accepts."""

    client: Client | None
    path: str
    body: dict[str, Any]
    ok: int


Prepare = Callable[[HubHarness], Awaitable[Target]]


@dataclass(frozen=True)
class Endpoint:
    """A JSON endpoint, how to get a valid call ready, and its fields."""

    name: str
    method: str
    prepare: Prepare
    fields: tuple[Field, ...]


async def send(hub: HubHarness, target: Target, method: str, body: Any) -> Any:
    """Send ``body`` as JSON (or raw bytes/str); returns a RawResponse."""
    headers = {"Content-Type": "application/json"}
    if target.client is not None:
        headers.update(target.client.headers)
        if target.client.identity is not None and target.path == REQUESTS_PATH:
            # Signed as the agency's client would: the fields are still what
            # is checked (signatures have their own tests).
            body = sign_request(body, target.client.identity, target.client.id)
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return await call_raw(hub, method, target.path, data=data, headers=headers)


# --- The endpoints and their valid bodies -----------------------------------


async def prep_pair(hub: HubHarness) -> Target:
    new = await admin.add_home(hub.engine, "Home", *CENTRE, clock=hub.clock)
    lat, lon = offset(*CENTRE, north_m=10)
    body = {
        "code": new.pairing_code,
        "name": "Elm House",
        "latitude": lat,
        "longitude": lon,
    }
    return Target(None, "/api/v1/pair", body, 200)


async def prep_patch_home(hub: HubHarness) -> Target:
    home = await hub.add_home()
    lat, lon = offset(*CENTRE, east_m=20)
    body = {"opted_out": True, "name": "Renamed", "latitude": lat, "longitude": lon}
    return Target(home, "/api/v1/home", body, 200)


async def prep_alert(hub: HubHarness) -> Target:
    home = await hub.add_home()
    lat, lon = offset(*CENTRE, north_m=200)
    body = {
        "category": "suspicious",
        "title": "Van idling",
        "description": "White van, engine running, 20 minutes.",
        "latitude": lat,
        "longitude": lon,
    }
    return Target(home, "/api/v1/alerts", body, 201)


async def prep_comment(hub: HubHarness) -> Target:
    home = await hub.add_home()
    status, alert = await home.call(
        "POST", "/api/v1/alerts", {"category": "lost_pet", "title": "Grey cat"}
    )
    assert status == 201, alert
    return Target(
        home, f"/api/v1/alerts/{alert['id']}/comments", {"text": "Seen at 9"}, 201
    )


async def prep_decision(hub: HubHarness) -> Target:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    clip = clip_entry("c1", clip_bytes(1000), hub.clock.now() - timedelta(hours=2))
    body = {
        "decision": "share",
        "idempotency_key": "input-errors-0001",
        "retention_days": 30,
        "clips": [clip],
    }
    return Target(home, f"/api/v1/requests/{req['id']}/decision", body, 200)


async def prep_agency_request(hub: HubHarness) -> Target:
    agency = await hub.add_agency()
    return Target(agency, "/api/v1/agency/requests", hub.request_body(), 201)


async def prep_agency_alert(hub: HubHarness) -> Target:
    agency = await hub.add_agency()
    body = {
        "category": "police",
        "title": "Road closed",
        "description": "Elm Street closed until 6 pm.",
        "latitude": CENTRE[0],
        "longitude": CENTRE[1],
    }
    return Target(agency, "/api/v1/agency/alerts", body, 201)


def fields(*items: tuple[Any, ...]) -> tuple[Field, ...]:
    return tuple(Field(*item) for item in items)


CLIP = ("clips", 0)
ENDPOINTS = (
    Endpoint(
        "pair",
        "POST",
        prep_pair,
        fields(
            (("code",), "string"),
            (("name",), "string", False),
            (("latitude",), "number", False),
            (("longitude",), "number", False),
        ),
    ),
    Endpoint(
        "patch_home",
        "PATCH",
        prep_patch_home,
        fields(
            (("opted_out",), "bool", False),
            (("name",), "string", False),
            (("latitude",), "number", False),
            (("longitude",), "number", False),
        ),
    ),
    Endpoint(
        "post_alert",
        "POST",
        prep_alert,
        fields(
            (("category",), "string"),
            (("title",), "string"),
            (("description",), "string", False),
            (("latitude",), "number", False),
            (("longitude",), "number", False),
        ),
    ),
    Endpoint("comment", "POST", prep_comment, fields((("text",), "string"))),
    Endpoint(
        "decision",
        "POST",
        prep_decision,
        fields(
            (("decision",), "string"),
            (("idempotency_key",), "string"),
            (("retention_days",), "number", False),
            (("clips",), "array"),
            (CLIP, "object", False),
            ((*CLIP, "clip_id"), "string"),
            ((*CLIP, "camera"), "string"),
            ((*CLIP, "start"), "time"),
            ((*CLIP, "end"), "time"),
            ((*CLIP, "content_type"), "string"),
            ((*CLIP, "size"), "number"),
            ((*CLIP, "sha256"), "string"),
        ),
    ),
    Endpoint(
        "agency_request",
        "POST",
        prep_agency_request,
        fields(
            (("case_number",), "string", True, True),
            (("incident_type",), "string", True, True),
            (("description",), "string"),
            (("contact",), "string"),
            (("window_start",), "time"),
            (("window_end",), "time"),
            (("area",), "object"),
            (("area", "latitude"), "number"),
            (("area", "longitude"), "number"),
            (("area", "radius_m"), "number"),
        ),
    ),
    Endpoint(
        "agency_alert",
        "POST",
        prep_agency_alert,
        fields(
            (("category",), "string", False),
            (("title",), "string"),
            (("description",), "string", False),
            (("latitude",), "number"),
            (("longitude",), "number"),
        ),
    ),
)

WRONG: dict[str, list[Any]] = {
    "string": [12, 1.5, True, {"text": "x"}, ["x"]],
    "number": ["12", True, False, {"value": 1}, [1]],
    "bool": ["true", 1, 0, {"on": True}, [True]],
    "object": [["x"], "x", 5, True],
    "array": [{"clip_id": "c1"}, "c1", 5],
    "time": [12, True, "yesterday", "2026-06-01T10:00:00", {"t": 1}],
}
HUGE = [10**400, -(10**400), 1e308, -1e308, 2**63]

FIELD_CASES = [
    pytest.param(ep, f, id=f"{ep.name}-{f.name}") for ep in ENDPOINTS for f in ep.fields
]
ENDPOINT_CASES = [pytest.param(ep, id=ep.name) for ep in ENDPOINTS]


def mutate(body: dict[str, Any], path: Path, value: Any, *, drop: bool = False) -> Any:
    """A deep copy of ``body`` with the field at ``path`` replaced or removed."""
    out = copy.deepcopy(body)
    parent: Any = out
    for part in path[:-1]:
        parent = parent[part]
    if drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return out


def assert_field_error(resp: Any, field: Field, code: str, case: str) -> None:
    assert resp.status == 422, (case, resp.status, resp.body)
    assert resp.content_type == "application/json", case
    body = resp.json()
    if field.rule:
        assert body["error"] == "rule_violation", (case, body)
        assert body["rule"] == field.name, (case, body)
    else:
        assert body["error"] == code, (case, body)
        assert body["field"] == field.name, (case, body)
        assert field.name in body["message"] or code == "invalid_field", (case, body)
    assert body["message"], case


async def assert_valid_accepted(hub: HubHarness, ep: Endpoint, target: Target) -> None:
    resp = await send(hub, target, ep.method, target.body)
    assert resp.status == target.ok, (ep.name, resp.body)


# --- The tests --------------------------------------------------------------


@pytest.mark.parametrize("ep", ENDPOINT_CASES)
async def test_valid_body_is_accepted(hub: HubHarness, ep: Endpoint) -> None:
    target = await ep.prepare(hub)
    await assert_valid_accepted(hub, ep, target)


@pytest.mark.parametrize(("ep", "field"), FIELD_CASES)
async def test_field_missing_or_of_the_wrong_type(
    hub: HubHarness, ep: Endpoint, field: Field
) -> None:
    target = await ep.prepare(hub)
    if field.required:
        for drop, value, label in ((True, None, "missing"), (False, None, "null")):
            body = mutate(target.body, field.path, value, drop=drop)
            resp = await send(hub, target, ep.method, body)
            assert_field_error(resp, field, "missing_field", f"{field.name} {label}")
    for value in WRONG[field.kind]:
        body = mutate(target.body, field.path, value)
        resp = await send(hub, target, ep.method, body)
        assert_field_error(resp, field, "invalid_field", f"{field.name}={value!r}")
    if field.kind == "number":
        for value in HUGE:
            body = mutate(target.body, field.path, value)
            resp = await send(hub, target, ep.method, body)
            assert 400 <= resp.status < 500, (field.name, value, resp.body)
            assert set(resp.json()) >= {"error", "message"}
    await assert_valid_accepted(hub, ep, target)


MALFORMED = [
    pytest.param(b'{"title": ', id="truncated"),
    pytest.param(b"{'title': 'x'}", id="single-quotes"),
    pytest.param(b'{"a": 1,}', id="trailing-comma"),
    pytest.param(b"", id="empty"),
    pytest.param(b"   \n", id="blank"),
    pytest.param(b"\xff\xfe{}", id="not-utf8"),
    pytest.param(b"[" * 50_000 + b"]" * 50_000, id="nested-too-deep"),
    # Deep enough for no body, shallow enough that no parser's recursion limit
    # decides: the hub's own limit (32) answers the same on every Python.
    pytest.param(b"[" * 100 + b"]" * 100, id="nested-100-lists"),
    pytest.param(b'{"a":' * 40 + b"1" + b"}" * 40, id="nested-40-objects"),
    pytest.param(b'{"title": "\\ud800"}', id="lone-surrogate"),
]


@pytest.mark.parametrize("ep", ENDPOINT_CASES)
@pytest.mark.parametrize("raw", MALFORMED)
async def test_malformed_json_is_400(hub: HubHarness, ep: Endpoint, raw: bytes) -> None:
    target = await ep.prepare(hub)
    resp = await send(hub, target, ep.method, raw)
    assert resp.status == 400, resp.body
    assert resp.content_type == "application/json"
    body = resp.json()
    assert body["error"] == "invalid_json"
    assert isinstance(body["message"], str)
    assert body["message"]
    await assert_valid_accepted(hub, ep, target)


@pytest.mark.parametrize("ep", ENDPOINT_CASES)
async def test_body_that_is_not_an_object_is_422(hub: HubHarness, ep: Endpoint) -> None:
    target = await ep.prepare(hub)
    for raw in ("[]", '[{"code": "x"}]', '"hello"', "42", "true", "null"):
        resp = await send(hub, target, ep.method, raw)
        assert resp.status == 422, (raw, resp.body)
        assert set(resp.json()) >= {"error", "message"}, raw
    await assert_valid_accepted(hub, ep, target)


@pytest.mark.parametrize("ep", ENDPOINT_CASES)
async def test_oversize_body_is_413(hub: HubHarness, ep: Endpoint) -> None:
    target = await ep.prepare(hub)
    padded = {**target.body, "padding": "x" * (256 * 1024)}
    resp = await send(hub, target, ep.method, padded)
    assert resp.status == 413, resp.body
    assert resp.json()["error"] == "payload_too_large"
    await assert_valid_accepted(hub, ep, target)


@pytest.mark.parametrize("ep", ENDPOINT_CASES)
async def test_large_body_under_the_limit_is_read_whole(
    hub: HubHarness, ep: Endpoint
) -> None:
    """A body arriving in many chunks is read to the end, not cut at the first."""
    target = await ep.prepare(hub)
    padded = {**target.body, "padding": "x" * (250 * 1024)}
    resp = await send(hub, target, ep.method, padded)
    assert resp.status == target.ok, resp.body


async def send_chunked(
    hub: HubHarness, method: str, path: str, raw: bytes, headers: dict[str, str]
) -> tuple[int, Any]:
    """Send a body chunked, in pauses, so the hub gets it in several reads.

    Raw HTTP/1.1: a client that sends its whole body even after an early
    answer (aiohttp's client stops mid-body and leaves the hub waiting).
    """
    port = hub.settings.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Transfer-Encoding: chunked",
            "Connection: close",
            *(f"{key}: {value}" for key, value in headers.items()),
        ]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
        step = -(-len(raw) // 4)
        for start in range(0, len(raw), step):
            piece = raw[start : start + step]
            writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            await writer.drain()
            await asyncio.sleep(0.02)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        answer = await reader.read()  # the hub closes after answering
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(body)


@pytest.mark.parametrize("ep", ENDPOINT_CASES)
@pytest.mark.parametrize(
    ("padding", "oversize"),
    [pytest.param(1000, False, id="fits"), pytest.param(300 * 1024, True, id="over")],
)
async def test_chunked_body_without_length(
    hub: HubHarness, ep: Endpoint, padding: int, oversize: bool
) -> None:
    target = await ep.prepare(hub)
    padded: Any = {**target.body, "padding": "x" * padding}
    headers = {"Content-Type": "application/json"}
    if target.client is not None:
        headers.update(target.client.headers)
        if target.client.identity is not None and target.path == REQUESTS_PATH:
            padded = sign_request(padded, target.client.identity, target.client.id)
    raw = json.dumps(padded).encode()
    status, body = await send_chunked(hub, ep.method, target.path, raw, headers)
    if oversize:
        assert status == 413, body
        assert body["error"] == "payload_too_large"
        await assert_valid_accepted(hub, ep, target)
    else:
        assert status == target.ok, body


async def test_patch_home_with_nothing_to_change_is_422(hub: HubHarness) -> None:
    home = await hub.add_home()
    for body in ({}, {"unknown": 1}, {"opted_out": None}):
        status, answer = await home.call("PATCH", "/api/v1/home", body)
        assert status == 422, (body, answer)
        assert answer["error"] == "invalid_body"


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("/api/v1/alerts", {"radius_m": "abc"}, id="radius-abc"),
        pytest.param("/api/v1/alerts", {"radius_m": "-5"}, id="radius-negative"),
        pytest.param("/api/v1/alerts", {"radius_m": "nan"}, id="radius-nan"),
        pytest.param("/api/v1/alerts", {"radius_m": "1e999"}, id="radius-inf"),
        pytest.param("/api/v1/alerts", {"radius_m": "10000000"}, id="radius-huge"),
        pytest.param("/api/v1/alerts", {"limit": "0"}, id="limit-0"),
        pytest.param("/api/v1/alerts", {"limit": "1.5"}, id="limit-fraction"),
        pytest.param("/api/v1/alerts", {"limit": "ten"}, id="limit-word"),
        pytest.param("/api/v1/alerts", {"limit": "9" * 400}, id="limit-huge"),
        pytest.param("/api/v1/alerts", {"since": "yesterday"}, id="since-word"),
        pytest.param(
            "/api/v1/alerts", {"since": "2026-06-01T10:00:00"}, id="since-naive"
        ),
        pytest.param("/api/v1/requests", {"status": "nope"}, id="status-nope"),
        pytest.param("/api/v1/requests", {"status": "PENDING"}, id="status-case"),
        pytest.param("/api/v1/requests", {"limit": "0"}, id="requests-limit-0"),
    ],
)
async def test_bad_query_parameters_are_422(
    hub: HubHarness, path: str, params: dict[str, str]
) -> None:
    home = await hub.add_home()
    status, body = await home.call("GET", path, params=params)
    assert status == 422, body
    assert body["error"] == "invalid_field"
    assert body["field"] == next(iter(params))


async def test_good_query_parameters_are_accepted(hub: HubHarness) -> None:
    home = await hub.add_home()
    since = iso(hub.clock.now() - timedelta(days=1))
    for path, params in (
        ("/api/v1/alerts", {"radius_m": "500", "limit": "10", "since": since}),
        ("/api/v1/alerts", {"since": since.replace("+00:00", "Z")}),
        ("/api/v1/requests", {"status": "pending"}),
        ("/api/v1/requests", {"status": "declined", "limit": "5"}),
    ):
        status, body = await home.call("GET", path, params=params)
        assert status == 200, (path, params, body)


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/api/v1/nope",
        "/api/v2/health",
        "/api/v1/requests/req_x/nope",
        "/api/v1/agency/nope",
        "/api/v1/health/",
    ],
)
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_unknown_route_is_404_json(
    hub: HubHarness, path: str, method: str
) -> None:
    home = await hub.add_home()
    resp = await call_raw(hub, method, path, headers=home.headers, data="{}")
    assert resp.status == 404, resp.body
    assert resp.content_type == "application/json"
    body = resp.json()
    assert body["error"] == "not_found"
    assert body["message"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/home", {"GET", "PATCH"}),
        ("PUT", "/api/v1/pair", {"POST"}),
        ("GET", "/api/v1/pair", {"POST"}),
        ("POST", "/api/v1/health", {"GET"}),
        ("PATCH", "/api/v1/agency/requests", {"GET", "POST"}),
        ("DELETE", "/api/v1/requests/req_x/decision", {"POST"}),
        ("POST", "/api/v1/shares/shr_x", {"GET", "DELETE"}),
    ],
)
async def test_wrong_method_is_405_json(
    hub: HubHarness, method: str, path: str, allowed: set[str]
) -> None:
    resp = await call_raw(hub, method, path, data="{}")
    assert resp.status == 405, resp.body
    assert resp.content_type == "application/json"
    body = resp.json()
    assert body["error"] == "method_not_allowed"
    assert body["message"]
    allow = {m.strip() for m in resp.headers["Allow"].split(",")}
    assert allowed <= allow
