"""hub/openapi.yaml against the hub as implemented.

The document is a contract for clients written by other people, so it is
checked from three sides: the routes it lists are exactly the routes served,
it is a valid OpenAPI 3.1 document, and the JSON bodies of a real journey
(successes and failures) match the schema it gives for that operation and
status.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from porchlight_hub import __version__, admin, errors
from porchlight_hub.settings import (
    AGENCY_KINDS,
    ALERT_CATEGORIES,
    CLIP_CONTENT_TYPES,
    HOME_ALERT_CATEGORIES,
    INCIDENT_TYPES,
    INNER_CONTENT_TYPES,
)

from .conftest import (
    CENTRE,
    SEALED,
    Client,
    HubHarness,
    Stream,
    clip_bytes,
    iso,
    offset,
)

SPEC_PATH = Path(__file__).resolve().parents[2] / "hub" / "openapi.yaml"
SPEC_URI = "urn:porchlight:hub:openapi"
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")


@cache
def spec() -> dict[str, Any]:
    """The document, parsed once."""
    loaded = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def documented_operations() -> set[tuple[str, str]]:
    """Every (METHOD, path) the document describes."""
    return {
        (method.upper(), path)
        for path, item in spec()["paths"].items()
        for method in item
        if method in METHODS
    }


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


def _follow(pointer: str) -> Any:
    node: Any = spec()
    for part in pointer.lstrip("/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def response_schema_pointer(
    method: str, path: str, status: int, content_type: str = "application/json"
) -> str:
    """Where in the document the schema of one operation's response lives.

    Follows a ``$ref`` to ``components/responses``; fails the test when the
    operation, the status or the content type is not documented.
    """
    item = spec()["paths"].get(path)
    assert item is not None, f"{path} is not in openapi.yaml"
    operation = item.get(method.lower())
    assert operation is not None, f"{method} {path} is not in openapi.yaml"
    responses = operation["responses"]
    assert str(status) in responses, (
        f"{method} {path} answered {status}, which openapi.yaml does not list"
        f" (it lists {sorted(responses)})"
    )
    pointer = _pointer("paths", path, method.lower(), "responses", str(status))
    response = _follow(pointer)
    if "$ref" in response:
        pointer = response["$ref"].removeprefix("#")
        response = _follow(pointer)
    content = response.get("content", {})
    assert content_type in content, (
        f"{method} {path} {status}: openapi.yaml documents no {content_type} body"
        f" (only {sorted(content)})"
    )
    return pointer + _pointer("content", content_type, "schema")


@cache
def _registry() -> Registry[Any]:
    resource: Resource[Any] = Resource.from_contents(
        spec(), default_specification=DRAFT202012
    )
    return Registry().with_resource(SPEC_URI, resource)


def validator_at(pointer: str) -> Draft202012Validator:
    """Validate against the schema at ``pointer``, resolving its ``$ref``s."""
    return Draft202012Validator(
        {"$ref": f"{SPEC_URI}#{pointer}"},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def assert_valid(pointer: str, body: Any, what: str) -> None:
    """Fail with every schema error, not just the first."""
    errors = sorted(
        validator_at(pointer).iter_errors(body), key=lambda e: list(e.absolute_path)
    )
    assert not errors, f"{what} does not match openapi.yaml:\n" + "\n".join(
        f"  at {'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}"
        for e in errors
    )


def schema_pointer(name: str) -> str:
    """A component schema."""
    return _pointer("components", "schemas", name)


def documented_codes(method: str, path: str, status: int) -> set[str]:
    """The error codes a response's description names (in backticks)."""
    response = spec()["paths"][path][method.lower()]["responses"][str(status)]
    if "$ref" in response:
        response = _follow(response["$ref"].removeprefix("#"))
    return set(re.findall(r"`([a-z0-9_]+)`", response.get("description", "")))


def assert_code_documented(method: str, path: str, status: int, code: str) -> None:
    """A client reading the document can expect every code a route gives."""
    named = documented_codes(method, path, status)
    assert code in named, (
        f"{method} {path} answered {status} {code!r}; its description names only"
        f" {sorted(named)}"
    )


def _template(path: str) -> str:
    """Write aiohttp's ``{name:regex}`` placeholders as OpenAPI's ``{name}``."""
    return re.sub(r"\{([^}:]+)(:[^}]*)?\}", r"{\1}", path)


# --- the document itself -------------------------------------------------------


def test_document_is_valid_openapi_3_1() -> None:
    document = spec()
    assert document["openapi"] == "3.1.0"
    OpenAPIV31SpecValidator(document).validate()
    assert document["info"]["version"] == __version__


def test_enumerations_match_settings() -> None:
    """A new incident type or category in settings.py must reach the document."""
    schemas = spec()["components"]["schemas"]
    assert schemas["IncidentType"]["enum"] == list(INCIDENT_TYPES)
    assert schemas["AgencyKind"]["enum"] == list(AGENCY_KINDS)
    assert schemas["HomeAlertCategory"]["enum"] == list(HOME_ALERT_CATEGORIES)
    assert schemas["AlertCategory"]["enum"] == list(ALERT_CATEGORIES)
    assert schemas["ClipContentType"]["enum"] == list(CLIP_CONTENT_TYPES)
    assert schemas["InnerContentType"]["enum"] == list(INNER_CONTENT_TYPES)


def test_stream_is_marked_as_websocket() -> None:
    operation = spec()["paths"]["/api/v1/stream"]["get"]
    assert operation.get("x-websocket") is True
    assert "101" in operation["responses"]
    message = spec()["components"]["schemas"]["MessageType"]["enum"]
    for kind in (
        "alert.created",
        "alert.comment",
        "request.received",
        "request.updated",
        "share.accessed",
        "share.deleted",
        "home.updated",
        "heartbeat",
    ):
        assert kind in message
        assert f"`{kind}`" in operation["description"]


def test_message_schema_checks_data_by_type() -> None:
    """The per-type clauses bite: a message whose data has the wrong shape fails."""
    validator = validator_at(schema_pointer("Message"))
    ts = "2026-06-01T12:00:00Z"
    assert validator.is_valid({"type": "heartbeat", "data": {}, "ts": ts})
    assert not validator.is_valid({"type": "home.updated", "data": {}, "ts": ts})
    assert not validator.is_valid({"type": "share.deleted", "data": {}, "ts": ts})
    assert not validator.is_valid({"type": "nonsense", "data": {}, "ts": ts})
    assert not validator.is_valid({"type": "heartbeat", "data": {}, "ts": "soon"})


def test_error_responses_use_the_error_shape() -> None:
    """Every documented JSON failure is an Error; bodiless ones are only the file's."""
    bodiless = {
        ("GET", "/api/v1/agency/clips/{clip_id}", "304"),
        ("GET", "/api/v1/agency/clips/{clip_id}", "412"),
        ("GET", "/api/v1/agency/clips/{clip_id}", "416"),
    }
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            for status, response in operation["responses"].items():
                if not status.startswith("4"):
                    continue
                if (method.upper(), path, status) in bodiless:
                    assert "content" not in response
                    continue
                pointer = response_schema_pointer(method, path, int(status))
                text = json.dumps(_follow(pointer))
                assert "#/components/schemas/Error" in text or (
                    "#/components/schemas/RuleViolation" in text
                ), f"{method.upper()} {path} {status} is not an Error"


def test_every_error_code_the_hub_raises_is_listed() -> None:
    """A code added in the source must reach the document's list of codes."""
    package = SPEC_PATH.parent / "porchlight_hub"
    source = "\n".join(p.read_text(encoding="utf-8") for p in package.rglob("*.py"))
    raised = set(re.findall(r'ApiError\(\s*\d{3},\s*"([a-z0-9_]+)"', source))
    raised |= {"rule_violation", "http_error", *errors._HTTP_CODES.values()}
    assert {"unsealed_clip", "bad_signature", "location_locked"} <= raised
    described = spec()["components"]["schemas"]["Error"]["description"]
    listed = set(re.findall(r"`([a-z0-9_]+)`", described))
    assert sorted(raised - listed) == []


def test_operations_list_the_failures_every_handler_can_give() -> None:
    """JSON bodies can be malformed; secrets can be wrong; ids can be unknown."""
    missing: list[str] = []
    for path, item in spec()["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            statuses = set(operation["responses"])
            body = operation.get("requestBody", {}).get("content", {})
            expected: set[str] = set()
            if "application/json" in body:
                expected |= {"400", "413", "422"}
            if operation.get("security", spec().get("security")):
                expected.add("401")
            if "{" in path:
                expected.add("404")
            missing += [
                f"{method.upper()} {path}: {code}"
                for code in sorted(expected - statuses)
            ]
    assert not missing, "Undocumented failures:\n" + "\n".join(missing)


# --- the routes -----------------------------------------------------------------


async def test_documented_routes_are_the_served_routes(hub: HubHarness) -> None:
    served: set[tuple[str, str]] = set()
    for route in hub.runner.app.router.routes():
        info = route.resource.get_info() if route.resource is not None else {}
        path = info.get("path") or info.get("formatter")
        assert path, f"route without a path: {route!r}"
        if path.startswith("/api/"):
            # The browser faces (/, /static/, /agency/) are pages, not API.
            served.add((route.method.upper(), _template(path)))
    gets = {path for method, path in served if method == "GET"}
    # aiohttp answers HEAD for every GET route by itself.
    served = {
        (method, path)
        for method, path in served
        if not (method == "HEAD" and path in gets)
    }
    documented = documented_operations()
    undocumented = sorted(served - documented)
    not_served = sorted(documented - served)
    assert (undocumented, not_served) == ([], []), (
        "openapi.yaml and the app disagree.\n"
        f"Served but not documented: {undocumented}\n"
        f"Documented but not served: {not_served}"
    )


# --- a real journey ---------------------------------------------------------------


class Checked:
    """Calls the API and validates every JSON answer against openapi.yaml."""

    def __init__(self, hub: HubHarness) -> None:
        self.hub = hub
        self.covered: set[tuple[str, str]] = set()

    async def __call__(
        self,
        who: Client | None,
        method: str,
        template: str,
        expect: int,
        json_body: Any = None,
        *,
        data: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
        **path_params: str,
    ) -> Any:
        path = template.format(**path_params)
        if who is None:
            status, body = await self.hub.call(
                method, path, json_body, data=data, headers=headers, params=params
            )
        else:
            status, body = await who.call(
                method, path, json_body, data=data, headers=headers, params=params
            )
        assert status == expect, f"{method} {path}: {status} {body!r}"
        assert not isinstance(body, bytes), f"{method} {path}: not JSON: {body!r}"
        pointer = response_schema_pointer(method, template, status)
        assert_valid(pointer, body, f"{method} {template} {status}")
        if status >= 400:
            assert_code_documented(method, template, status, body["error"])
        self.covered.add((method.upper(), template))
        return body


async def _pair(hub: HubHarness, api: Checked, name: str) -> Client:
    new = await admin.add_home(hub.engine, name, *CENTRE, clock=hub.clock)
    body = await api(
        None,
        "POST",
        "/api/v1/pair",
        200,
        {"code": new.pairing_code.lower(), "name": name},
    )
    return Client(hub, body["token"], body["home_id"])


def _clip(
    clip_id: str, data: bytes, inner: str, hours_ago: float, now: Any
) -> dict[str, Any]:
    """A sealed clip's manifest entry; ``data`` stands for its ciphertext."""
    start = now - timedelta(hours=hours_ago)
    return {
        "clip_id": clip_id,
        "camera": "Front door",
        "start": iso(start),
        "end": iso(start + timedelta(seconds=20)),
        "content_type": SEALED,
        "inner_content_type": inner,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "plaintext_sha256": hashlib.sha256(b"inner" + data).hexdigest(),
    }


def _assert_messages_valid(stream: Stream) -> None:
    assert stream.seen, "the stream carried nothing"
    for message in stream.seen:
        assert_valid(schema_pointer("Message"), message, f"stream {message['type']}")


async def test_journey_matches_the_documented_schemas(hub: HubHarness) -> None:
    api = Checked(hub)
    now = hub.clock.now()

    # Public.
    health = await api(None, "GET", "/api/v1/health", 200)
    assert health["version"] == __version__
    wrong = await api(None, "POST", "/api/v1/pair", 422, {"code": "NOPE-NOPE"})
    assert wrong["error"] == "invalid_code"
    placed = await admin.add_home(hub.engine, "Placed", *CENTRE, clock=hub.clock)
    far = offset(*CENTRE, east_m=1000)
    locked = await api(
        None,
        "POST",
        "/api/v1/pair",
        422,
        {"code": placed.pairing_code, "latitude": far[0], "longitude": far[1]},
    )
    assert locked["error"] == "location_locked"

    home = await _pair(hub, api, "Documented")
    neighbour = await hub.add_home("Next door", *offset(*CENTRE, east_m=60))
    agency = await hub.add_agency("City Police", "police")
    stream = await home.stream()
    api.covered.add(("GET", "/api/v1/stream"))

    # The home's profile.
    await api(home, "GET", "/api/v1/home", 200)
    unauth = await api(None, "GET", "/api/v1/home", 401)
    assert unauth["error"] == "unauthorized"
    patched = await api(home, "PATCH", "/api/v1/home", 200, {"name": "Renamed"})
    assert patched["name"] == "Renamed"
    assert (await stream.next("home.updated"))["data"] == patched
    bad = await api(home, "PATCH", "/api/v1/home", 422, {"opted_out": "yes"})
    assert bad["field"] == "opted_out"
    far = offset(*CENTRE, north_m=400)
    locked = await api(
        home,
        "PATCH",
        "/api/v1/home",
        422,
        {"latitude": far[0], "longitude": far[1]},
    )
    assert locked["error"] == "location_locked"

    # Alerts and comments.
    alert = await api(
        home,
        "POST",
        "/api/v1/alerts",
        201,
        {"category": "suspicious", "title": "Van idling", "description": "Grey van"},
    )
    await stream.next("alert.created")
    status, raw = await hub.call(
        "POST",
        "/api/v1/alerts",
        data=b"{not json",
        headers={**home.headers, "Content-Type": "application/json"},
    )
    assert status == 400
    assert_valid(
        response_schema_pointer("POST", "/api/v1/alerts", 400), raw, "bad JSON"
    )
    too_big = await api(
        home,
        "POST",
        "/api/v1/alerts",
        413,
        {"category": "crime", "title": "x", "description": "y" * 300_000},
    )
    assert too_big["error"] == "payload_too_large"
    listed = await api(
        home, "GET", "/api/v1/alerts", 200, params={"radius_m": "2000", "limit": "10"}
    )
    assert [a["id"] for a in listed["alerts"]] == [alert["id"]]
    await api(home, "GET", "/api/v1/alerts", 422, params={"limit": "0"})
    comment = await api(
        home,
        "POST",
        "/api/v1/alerts/{alert_id}/comments",
        201,
        {"text": "Gone now"},
        alert_id=alert["id"],
    )
    assert (await stream.next("alert.comment"))["data"]["comment"]["id"] == comment[
        "id"
    ]
    detail = await api(
        home, "GET", "/api/v1/alerts/{alert_id}", 200, alert_id=alert["id"]
    )
    assert [c["id"] for c in detail["comments"]] == [comment["id"]]
    await api(home, "GET", "/api/v1/alerts/{alert_id}", 404, alert_id="alr_missing")
    official = await api(
        agency,
        "POST",
        "/api/v1/agency/alerts",
        201,
        {"title": "Road closed", "latitude": CENTRE[0], "longitude": CENTRE[1]},
    )
    assert official["category"] == "police"
    assert (await stream.next("alert.created"))["data"]["source"] == "agency"

    # A request, seen by the agency and by the home.
    violation = await api(
        agency,
        "POST",
        "/api/v1/agency/requests",
        422,
        hub.request_body(
            area={"latitude": CENTRE[0], "longitude": CENTRE[1], "radius_m": 50}
        ),
    )
    assert violation["error"] == "rule_violation"
    assert violation["rule"] == "area_size"
    missing = await api(
        agency,
        "POST",
        "/api/v1/agency/requests",
        422,
        {k: v for k, v in hub.request_body().items() if k != "contact"},
    )
    assert missing == {**missing, "error": "missing_field", "field": "contact"}
    await api(None, "POST", "/api/v1/agency/requests", 401, hub.request_body())
    profile = await api(agency, "GET", "/api/v1/agency", 200)
    assert agency.identity is not None
    assert profile["agency_signing_key"] == agency.identity.signing_key
    unsigned = {**hub.request_body(), "signature": None}
    refused = await api(agency, "POST", "/api/v1/agency/requests", 422, unsigned)
    assert refused["error"] == "unsigned_request"
    forged = {**hub.request_body(), "nonce": "n" * 20, "signature": "A" * 86 + "=="}
    refused = await api(agency, "POST", "/api/v1/agency/requests", 422, forged)
    assert refused["error"] == "bad_signature"
    nonce = "openapi-nonce-0001"
    req = await api(
        agency,
        "POST",
        "/api/v1/agency/requests",
        201,
        {**hub.request_body(), "nonce": nonce},
    )
    assert req["homes_reached"] == "<5"
    assert await hub.reached(req["id"]) == 2
    replayed = await api(
        agency,
        "POST",
        "/api/v1/agency/requests",
        422,
        {**hub.request_body(case_number="2026-0099"), "nonce": nonce},
    )
    assert replayed["error"] == "replayed_request"
    keyless = Client(
        hub, (await admin.add_agency(hub.engine, "Old PD", "police")).api_key
    )
    missing_keys = await api(
        keyless, "POST", "/api/v1/agency/requests", 422, hub.request_body()
    )
    assert missing_keys["error"] == "agency_keys_missing"
    received = await stream.next("request.received")
    assert received["data"]["id"] == req["id"]
    await api(
        agency,
        "GET",
        "/api/v1/agency/requests/{request_id}",
        200,
        request_id=req["id"],
    )
    await api(
        agency,
        "GET",
        "/api/v1/agency/requests/{request_id}",
        404,
        request_id="req_missing",
    )
    mine = await api(home, "GET", "/api/v1/requests", 200, params={"status": "pending"})
    assert [r["id"] for r in mine["requests"]] == [req["id"]]
    await api(home, "GET", "/api/v1/requests", 422, params={"status": "maybe"})
    await api(home, "GET", "/api/v1/requests/{request_id}", 200, request_id=req["id"])
    await api(
        home, "GET", "/api/v1/requests/{request_id}", 404, request_id="req_missing"
    )

    # Share two clips; upload them, with the failures an upload can meet.
    video, photo = clip_bytes(50_000, seed=1), clip_bytes(3_000, seed=2)
    decision = {
        "decision": "share",
        "idempotency_key": "openapi-share-1",
        "retention_days": 7,
        "clips": [
            _clip("front-1", video, "video/mp4", 2, now),
            _clip("front-2", photo, "image/jpeg", 1.5, now),
        ],
    }
    share = await api(
        home,
        "POST",
        "/api/v1/requests/{request_id}/decision",
        200,
        decision,
        request_id=req["id"],
    )
    assert share["decision"] == "share"
    replay = await api(
        home,
        "POST",
        "/api/v1/requests/{request_id}/decision",
        200,
        decision,
        request_id=req["id"],
    )
    assert replay == share
    again = await api(
        home,
        "POST",
        "/api/v1/requests/{request_id}/decision",
        409,
        {"decision": "decline", "idempotency_key": "openapi-share-2"},
        request_id=req["id"],
    )
    assert again["error"] == "already_decided"
    bad_retention = await api(
        neighbour,
        "POST",
        "/api/v1/requests/{request_id}/decision",
        422,
        {**decision, "idempotency_key": "openapi-next-1", "retention_days": 365},
        request_id=req["id"],
    )
    assert bad_retention["rule"] == "retention_days"
    plain = {**decision["clips"][0], "content_type": "video/mp4"}
    unsealed = await api(
        neighbour,
        "POST",
        "/api/v1/requests/{request_id}/decision",
        422,
        {"decision": "share", "idempotency_key": "openapi-next-3", "clips": [plain]},
        request_id=req["id"],
    )
    assert unsealed["error"] == "unsealed_clip"
    upload = "/api/v1/shares/{share_id}/clips/{clip_id}"
    sid = share["share_id"]
    stored = await api(
        home,
        "PUT",
        upload,
        201,
        data=video,
        headers={"Content-Type": SEALED},
        share_id=sid,
        clip_id="front-1",
    )
    assert stored["share_status"] == "uploading"
    await api(
        home,
        "PUT",
        upload,
        200,
        data=video,
        headers={"Content-Type": SEALED},
        share_id=sid,
        clip_id="front-1",
    )
    await api(
        home,
        "PUT",
        upload,
        415,
        data=photo,
        headers={"Content-Type": "video/mp4"},
        share_id=sid,
        clip_id="front-2",
    )
    mismatch = await api(
        home,
        "PUT",
        upload,
        422,
        data=photo[:-1] + b"!",
        headers={"Content-Type": SEALED},
        share_id=sid,
        clip_id="front-2",
    )
    assert mismatch["error"] == "sha256_mismatch"
    await api(
        home,
        "PUT",
        upload,
        404,
        data=photo,
        headers={"Content-Type": SEALED},
        share_id=sid,
        clip_id="front-9",
    )
    done = await api(
        home,
        "PUT",
        upload,
        201,
        data=photo,
        headers={"Content-Type": SEALED},
        share_id=sid,
        clip_id="front-2",
    )
    assert done["share_status"] == "complete"
    shares = await api(home, "GET", "/api/v1/shares", 200)
    assert [s["share_id"] for s in shares["shares"]] == [sid]
    await api(home, "GET", "/api/v1/shares/{share_id}", 200, share_id=sid)
    await api(home, "GET", "/api/v1/shares/{share_id}", 404, share_id="shr_missing")

    # The neighbour declines.
    declined = await api(
        neighbour,
        "POST",
        "/api/v1/requests/{request_id}/decision",
        200,
        {"decision": "decline", "idempotency_key": "openapi-next-2"},
        request_id=req["id"],
    )
    assert declined["status"] == "declined"

    # The agency sees pseudonyms and fetches a clip.
    listing = await api(
        agency,
        "GET",
        "/api/v1/agency/requests/{request_id}/shares",
        200,
        request_id=req["id"],
    )
    clip = listing["shares"][0]["clips"][0]
    async with hub.session.get(
        f"{hub.url}{clip['url']}", headers=agency.headers
    ) as resp:
        assert resp.status == 200
        documented = spec()["paths"]["/api/v1/agency/clips/{clip_id}"]["get"]
        assert resp.content_type in documented["responses"]["200"]["content"]
        assert resp.headers["X-Content-SHA256"] == clip["sha256"]
        assert resp.headers["Cache-Control"] == "no-store"
        assert hashlib.sha256(await resp.read()).hexdigest() == clip["sha256"]
    api.covered.add(("GET", "/api/v1/agency/clips/{clip_id}"))
    assert (await stream.next("share.accessed"))["data"]["share_id"] == sid
    counted = await api(agency, "GET", "/api/v1/agency/requests", 200)
    assert counted["requests"][0]["shares"] == "<5"
    assert "declines" not in counted["requests"][0]
    assert await hub.decisions(req["id"]) == {"share": 1, "decline": 1}

    # Revocation: the files go, the agency gets 410, uploads get 410.
    revoked = await api(home, "DELETE", "/api/v1/shares/{share_id}", 200, share_id=sid)
    assert revoked["status"] == "revoked"
    assert revoked["files_removed"] is True
    assert (await stream.next("share.deleted"))["data"]["reason"] == "revoked"
    await api(agency, "GET", "/api/v1/agency/clips/{clip_id}", 410, clip_id=clip["id"])
    await api(
        agency, "GET", "/api/v1/agency/clips/{clip_id}", 404, clip_id="clp_missing"
    )
    await api(
        home,
        "PUT",
        upload,
        410,
        data=video,
        headers={"Content-Type": SEALED},
        share_id=sid,
        clip_id="front-1",
    )

    # Ending requests: close, then withdraw an ended one; a second one withdrawn.
    closed = await api(
        agency,
        "POST",
        "/api/v1/agency/requests/{request_id}/close",
        200,
        request_id=req["id"],
    )
    assert closed["status"] == "closed"
    updated = await stream.next("request.updated")
    assert updated["data"]["request_status"] == "closed"
    await api(
        agency,
        "POST",
        "/api/v1/agency/requests/{request_id}/withdraw",
        409,
        request_id=req["id"],
    )
    second = await api(
        agency,
        "POST",
        "/api/v1/agency/requests",
        201,
        hub.request_body(case_number="2026-0043"),
    )
    await stream.next("request.received")
    await api(
        agency,
        "POST",
        "/api/v1/agency/requests/{request_id}/withdraw",
        200,
        request_id=second["id"],
    )
    assert (await stream.next("request.updated"))["data"]["status"] == "withdrawn"
    await api(
        home,
        "POST",
        "/api/v1/requests/{request_id}/decision",
        409,
        {"decision": "decline", "idempotency_key": "openapi-late-1"},
        request_id=second["id"],
    )

    # Accountability.
    report = await api(None, "GET", "/api/v1/transparency", 200)
    assert report["totals"]["clip_accesses"] == "<5"
    totals = await hub.totals()
    assert (totals["clip_accesses"], totals["clips_revoked"]) == (1, 2)
    # A week later the decline is published, for its week, as "<5".
    hub.clock.advance(timedelta(days=7))
    report = await api(None, "GET", "/api/v1/transparency", 200)
    by_name = {a["agency"]: a for a in report["agencies"]}
    assert by_name["City Police"]["declines_by_week"] == [
        {
            "week": f"{now.isocalendar()[0]}-W{now.isocalendar()[1]:02d}",
            "declines": "<5",
        }
    ]

    # A plain GET on the stream is not a WebSocket handshake.
    await api(home, "GET", "/api/v1/stream", 400)

    # Rate limiting: enough wrong codes and pairing answers 429.
    for attempt in range(10):
        status, body = await hub.call(
            "POST", "/api/v1/pair", {"code": f"WRONG-{attempt:04d}"}
        )
        if status == 429:
            break
        assert status == 422, body
    assert status == 429
    assert_valid(response_schema_pointer("POST", "/api/v1/pair", 429), body, "429")

    await _portal_journey(hub, api, agency)
    _assert_messages_valid(stream)
    not_exercised = sorted(documented_operations() - api.covered)
    assert not not_exercised, f"the journey missed: {not_exercised}"


async def test_refused_agency_kind_is_a_documented_rule(hub: HubHarness) -> None:
    api = Checked(hub)
    agency = await hub.add_agency("Bureau", "federal")
    body = await api(agency, "POST", "/api/v1/agency/requests", 422, hub.request_body())
    assert body["rule"] == "agency_kind"


async def _portal_journey(hub: HubHarness, api: Checked, agency: Client) -> None:
    """The portal's calls: sign in, its setting, a draft checked, the log, out."""
    log = await api(None, "GET", "/api/v1/public/requests", 200)
    assert log["total"] == 2
    assert "case_number" not in log["requests"][0]
    await api(None, "GET", "/api/v1/public/requests", 422, params={"per_page": "101"})
    bad = await api(None, "POST", "/api/v1/agency/session", 401, {"api_key": "nope"})
    assert bad["error"] == "bad_key"
    await api(None, "POST", "/api/v1/agency/session", 422, {})
    await api(None, "GET", "/api/v1/agency/session", 401)
    async with hub.session.post(
        f"{hub.url}/api/v1/agency/session", json={"api_key": agency.secret}
    ) as resp:
        assert resp.status == 200
        session = await resp.json()
        cookie = resp.cookies["porchlight_agency"].value
    assert_valid(
        response_schema_pointer("POST", "/api/v1/agency/session", 200),
        session,
        "POST /api/v1/agency/session 200",
    )
    api.covered.add(("POST", "/api/v1/agency/session"))
    browser = {"Cookie": f"porchlight_agency={cookie}"}
    csrf = {**browser, "X-CSRF-Token": session["csrf_token"]}
    again = await api(None, "GET", "/api/v1/agency/session", 200, headers=browser)
    assert again == session
    setting = await api(None, "GET", "/api/v1/agency/portal", 200, headers=browser)
    assert setting["tiles"] is None
    await api(None, "GET", "/api/v1/agency/portal", 401)
    draft = hub.request_body(case_number="2026-0077")
    ok = await api(
        None, "POST", "/api/v1/agency/requests/check", 200, draft, headers=csrf
    )
    assert ok == {"ok": True}
    long = {**draft, "window_start": iso(hub.clock.now() - timedelta(hours=14))}
    refused = await api(
        None, "POST", "/api/v1/agency/requests/check", 422, long, headers=csrf
    )
    assert (refused["rule"], refused["field"]) == ("window_length", "window_end")
    await api(
        None, "POST", "/api/v1/agency/requests/check", 403, draft, headers=browser
    )
    await api(None, "POST", "/api/v1/agency/requests/check", 401, draft)
    await api(None, "DELETE", "/api/v1/agency/session", 403, headers=browser)
    async with hub.session.delete(
        f"{hub.url}/api/v1/agency/session", headers=csrf
    ) as resp:
        assert resp.status == 204
    api.covered.add(("DELETE", "/api/v1/agency/session"))
    gone = await api(None, "DELETE", "/api/v1/agency/session", 401, headers=csrf)
    assert gone["error"] == "no_session"
