"""Tests for the hub API client, against fake hubs on 127.0.0.1."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from custom_components.porchlight import api_rest, api_transfer
from custom_components.porchlight.api import (
    HubHealth,
    Pairing,
    PorchlightAuthError,
    PorchlightClient,
    PorchlightClipFileError,
    PorchlightConflict,
    PorchlightConnectionError,
    PorchlightError,
    PorchlightGone,
    PorchlightHubFailed,
    PorchlightInvalidResponse,
    PorchlightInvalidURL,
    PorchlightNotFound,
    PorchlightPairingError,
    PorchlightRateLimited,
    PorchlightRequestError,
    normalize_url,
)
from custom_components.porchlight.models import InvalidPayload

from .conftest import FakeHub


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://hub.local:8765", "http://hub.local:8765"),
        ("  https://hub.example/ ", "https://hub.example"),
        ("http://10.0.0.2:8765/porchlight//", "http://10.0.0.2:8765/porchlight"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["", "hub.local", "ftp://hub.local", "http://", "http://hub/?x=1", "http://[::1"],
)
def test_normalize_url_rejects(url: str) -> None:
    with pytest.raises(PorchlightInvalidURL):
        normalize_url(url)
    assert issubclass(PorchlightInvalidURL, ValueError)


async def test_health(fake_hub: FakeHub, session: aiohttp.ClientSession) -> None:
    client = PorchlightClient(session, fake_hub.url + "/", token="tok")
    assert client.url == fake_hub.url
    assert await client.health() == HubHealth(
        hub_id="hub-1", name="Elm Street Hub", version="0.1.0"
    )
    method, path, _, headers = fake_hub.requests[0]
    assert (method, path) == ("GET", "/api/v1/health")
    assert headers["Authorization"] == "Bearer tok"


async def test_pair(fake_hub: FakeHub, session: aiohttp.ClientSession) -> None:
    client = PorchlightClient(session, fake_hub.url)
    pairing = await client.pair(" ABCD-1234 ", "Home", 52.1, 4.3)
    assert pairing == Pairing(
        home_id="home-1", token="secret-home-token", hub_id="hub-1"
    )
    assert "secret-home-token" not in repr(pairing)
    _, path, body, headers = fake_hub.requests[0]
    assert path == "/api/v1/pair"
    assert body == {
        "code": "ABCD-1234",
        "name": "Home",
        "latitude": 52.1,
        "longitude": 4.3,
    }
    assert "Authorization" not in headers


async def test_pair_minimal_body(
    fake_hub: FakeHub, session: aiohttp.ClientSession
) -> None:
    await PorchlightClient(session, fake_hub.url).pair("CODE", latitude=1.0)
    assert fake_hub.requests[0][2] == {"code": "CODE"}


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_pair_rejected(
    fake_hub: FakeHub, session: aiohttp.ClientSession, status: int
) -> None:
    fake_hub.pair_status = status
    fake_hub.pair_body = {"error": "invalid_code", "message": "Unknown code"}
    with pytest.raises(PorchlightPairingError) as exc_info:
        await PorchlightClient(session, fake_hub.url).pair("WRONG")
    err = exc_info.value
    assert not isinstance(err, PorchlightRateLimited)
    assert (err.status, err.code, err.message) == (
        status,
        "invalid_code",
        "Unknown code",
    )
    assert str(err) == "Unknown code"


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [("30", 30.0), ("soon", None), ("-1", None), (None, None)],
)
async def test_pair_rate_limited(
    fake_hub: FakeHub,
    session: aiohttp.ClientSession,
    retry_after: str | None,
    expected: float | None,
) -> None:
    fake_hub.pair_status = 429
    fake_hub.pair_body = {"error": "rate_limited", "message": "Slow down"}
    if retry_after is not None:
        fake_hub.headers = {"Retry-After": retry_after}
    with pytest.raises(PorchlightRateLimited) as exc_info:
        await PorchlightClient(session, fake_hub.url).pair("WRONG")
    assert exc_info.value.retry_after == expected
    assert exc_info.value.code == "rate_limited"


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (401, {"error": "unauthorized"}, PorchlightAuthError),
        (403, "nope", PorchlightAuthError),
        (404, "", PorchlightNotFound),
        (429, {"error": 5, "message": ["x"]}, PorchlightRateLimited),
        (500, {"error": "boom"}, PorchlightHubFailed),
        (503, "<html>down</html>", PorchlightHubFailed),
        (200, "not json", PorchlightInvalidResponse),
        (200, [], PorchlightInvalidResponse),
        (200, {"hub_id": "h", "name": "n"}, PorchlightInvalidResponse),
        (200, {"hub_id": "h", "name": "", "version": "1"}, PorchlightInvalidResponse),
        (200, {"hub_id": 1, "name": "n", "version": "1"}, PorchlightInvalidResponse),
        (302, {}, PorchlightInvalidResponse),
    ],
)
async def test_health_errors(
    fake_hub: FakeHub,
    session: aiohttp.ClientSession,
    status: int,
    body: object,
    error: type[PorchlightError],
) -> None:
    fake_hub.health_status = status
    fake_hub.health_body = body
    with pytest.raises(error) as exc_info:
        await PorchlightClient(session, fake_hub.url).health()
    assert type(exc_info.value) is error


async def test_error_without_details(
    fake_hub: FakeHub, session: aiohttp.ClientSession
) -> None:
    fake_hub.health_status = 404
    fake_hub.health_body = {"unexpected": True}
    with pytest.raises(PorchlightRequestError) as exc_info:
        await PorchlightClient(session, fake_hub.url).health()
    assert (exc_info.value.code, exc_info.value.message) == (None, None)
    assert str(exc_info.value) == "HTTP 404"


async def test_connection_refused(
    closed_port_url: str, session: aiohttp.ClientSession
) -> None:
    with pytest.raises(PorchlightConnectionError):
        await PorchlightClient(session, closed_port_url).health()


async def test_timeout(fake_hub: FakeHub, session: aiohttp.ClientSession) -> None:
    fake_hub.delay = 0.5
    client = PorchlightClient(
        session, fake_hub.url, timeout=aiohttp.ClientTimeout(total=0.05)
    )
    with pytest.raises(PorchlightConnectionError, match="Timed out"):
        await client.health()


# --- The typed API methods, against a scripted hub ----------------------------
#
# The real hub is exercised end to end in test_api_hub.py; this scripted one
# exists to misbehave in ways the real hub never does.

Reply = tuple[int, Any] | Callable[[web.Request], Awaitable[web.StreamResponse]]

NOW = "2026-06-01T12:00:00Z"
HOME = {
    "home_id": "home-1",
    "hub_id": "hub-1",
    "name": "Home",
    "latitude": 52.37,
    "longitude": 4.89,
    "opted_out": False,
}
ALERT = {
    "id": "alr-1",
    "category": "suspicious",
    "title": "Van",
    "description": None,
    "latitude": 52.37,
    "longitude": 4.89,
    "created_at": NOW,
    "source": "neighbour",
    "agency": None,
    "mine": True,
    "distance_m": 12.5,
}
COMMENT = {
    "id": "cmt-1",
    "alert_id": "alr-1",
    "text": "Seen it too",
    "created_at": NOW,
    "mine": False,
}


@dataclass
class Seen:
    """One request as the scripted hub received it."""

    method: str
    raw_path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes


@dataclass
class ScriptedHub:
    """Answers ``(method, raw path)`` from a table; records every request."""

    url: str = ""
    replies: dict[tuple[str, str], Reply] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    ws_script: Callable[[web.WebSocketResponse], Awaitable[None]] | None = None
    ws_status: int | None = None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        raw_path = request.raw_path.partition("?")[0]
        self.seen.append(
            Seen(
                request.method,
                raw_path,
                dict(request.query),
                dict(request.headers),
                body,
            )
        )
        reply = self.replies.get((request.method, raw_path))
        if reply is None:
            return web.json_response(
                {"error": "not_found", "message": "No such thing."}, status=404
            )
        if callable(reply):
            request["body"] = body
            return await reply(request)
        status, payload = reply
        if isinstance(payload, str):
            return web.Response(status=status, text=payload)
        return web.json_response(payload, status=status)

    async def handle_stream(self, request: web.Request) -> web.StreamResponse:
        if self.ws_status is not None:
            return web.json_response({"error": "nope"}, status=self.ws_status)
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.seen.append(Seen("WS", request.raw_path, {}, dict(request.headers), b""))
        assert self.ws_script is not None
        await self.ws_script(ws)
        return ws


@pytest.fixture
async def scripted(socket_enabled: None) -> AsyncIterator[ScriptedHub]:
    hub = ScriptedHub()
    app = web.Application()
    app.router.add_get("/api/v1/stream", hub.handle_stream)
    app.router.add_route("*", "/{tail:.*}", hub.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    hub.url = str(server.make_url("")).rstrip("/")
    yield hub
    await server.close()


@pytest.fixture
def client(scripted: ScriptedHub, session: aiohttp.ClientSession) -> PorchlightClient:
    return PorchlightClient(session, scripted.url, token="s3cret-token")


def test_repr_hides_token() -> None:
    client = PorchlightClient(
        None,  # type: ignore[arg-type]
        "http://hub.local",
        token="s3cret-token",
    )
    assert "s3cret" not in repr(client)
    assert "http://hub.local" in repr(client)


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, PorchlightAuthError),
        (403, PorchlightAuthError),
        (404, PorchlightNotFound),
        (409, PorchlightConflict),
        (410, PorchlightGone),
        (413, PorchlightRequestError),
        (422, PorchlightRequestError),
        (502, PorchlightHubFailed),
    ],
)
async def test_status_mapping(
    scripted: ScriptedHub,
    client: PorchlightClient,
    status: int,
    error: type[PorchlightError],
) -> None:
    scripted.replies["GET", "/api/v1/home"] = (
        status,
        {"error": "some_code", "message": "Some message"},
    )
    with pytest.raises(error) as exc_info:
        await client.get_home()
    assert type(exc_info.value) is error
    if isinstance(exc_info.value, PorchlightRequestError):
        assert exc_info.value.status == status
        assert exc_info.value.code == "some_code"
        assert exc_info.value.message == "Some message"


async def test_home_and_opt_out(
    scripted: ScriptedHub, client: PorchlightClient
) -> None:
    scripted.replies["GET", "/api/v1/home"] = (200, HOME)
    scripted.replies["PATCH", "/api/v1/home"] = (200, {**HOME, "opted_out": True})
    assert (await client.get_home()).name == "Home"
    assert (await client.set_opted_out(True)).opted_out is True
    assert json.loads(scripted.seen[-1].body) == {"opted_out": True}
    assert scripted.seen[-1].headers["Authorization"] == "Bearer s3cret-token"


@pytest.mark.parametrize(
    "payload", [[], {"requests": None}, {"requests": {}}, {"count": 0}]
)
async def test_list_envelope_invalid(
    scripted: ScriptedHub, client: PorchlightClient, payload: Any
) -> None:
    scripted.replies["GET", "/api/v1/requests"] = (200, payload)
    with pytest.raises(InvalidPayload):
        await client.list_requests()


async def test_list_skips_invalid_items_and_logs_once(
    scripted: ScriptedHub,
    client: PorchlightClient,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad_category = {**ALERT, "id": "alr-2", "category": "ufo"}
    scripted.replies["GET", "/api/v1/alerts"] = (
        200,
        {"alerts": [ALERT, "junk", bad_category, {**bad_category, "id": "alr-3"}]},
    )
    with caplog.at_level(logging.WARNING):
        first = await client.list_alerts(1600)
        second = await client.list_alerts(1600)
    assert [a.id for a in first] == [a.id for a in second] == ["alr-1"]
    # Ours only: under load asyncio adds its own slow-callback warnings.
    warnings = [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("custom_components.porchlight")
    ]
    assert len(warnings) == 2, warnings
    assert any("expected an object" in w for w in warnings)
    assert any("'ufo'" in w for w in warnings)
    assert all("s3cret" not in w for w in warnings)


async def test_logged_problems_are_bounded(
    client: PorchlightClient,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(api_rest, "MAX_LOGGED_PROBLEMS", 2)
    with caplog.at_level(logging.WARNING):
        for problem in ("a", "b", "c", "a", "c"):
            client._log_once(problem)
    # "a" was forgotten to make room for "c", so it is logged again.
    assert [r.getMessage() for r in caplog.records] == ["a", "b", "c", "a"]
    assert len(client._logged_problems) == 2


async def test_list_alerts_query(
    scripted: ScriptedHub, client: PorchlightClient
) -> None:
    scripted.replies["GET", "/api/v1/alerts"] = (200, {"alerts": []})
    since = datetime(2026, 6, 1, 14, 0, tzinfo=timezone(timedelta(hours=2)))
    assert await client.list_alerts(800, since=since, limit=20) == []
    assert scripted.seen[-1].query == {
        "radius_m": "800.0",
        "limit": "20",
        "since": "2026-06-01T12:00:00Z",
    }
    await client.list_alerts(800.5)
    assert "since" not in scripted.seen[-1].query
    with pytest.raises(ValueError, match="timezone"):
        await client.list_alerts(800, since=datetime(2026, 6, 1))  # noqa: DTZ001


async def test_get_alert_skips_bad_comments(
    scripted: ScriptedHub, client: PorchlightClient
) -> None:
    scripted.replies["GET", "/api/v1/alerts/alr-1"] = (
        200,
        {**ALERT, "comments": [COMMENT, {"id": 1}]},
    )
    alert, comments = await client.get_alert("alr-1")
    assert alert.description == ""
    assert [c.text for c in comments] == ["Seen it too"]


@pytest.mark.parametrize(
    ("request_id", "raw_path"),
    [
        ("a/b", "/api/v1/requests/a%2Fb"),
        ("../../home", "/api/v1/requests/..%2F..%2Fhome"),
        ("..", "/api/v1/requests/%2E%2E"),
        (".", "/api/v1/requests/%2E"),
        ("x?y#z", "/api/v1/requests/x%3Fy%23z"),
        ("é %", "/api/v1/requests/%C3%A9%20%25"),
    ],
)
async def test_ids_cannot_escape_the_path(
    scripted: ScriptedHub,
    client: PorchlightClient,
    request_id: str,
    raw_path: str,
) -> None:
    with pytest.raises(PorchlightNotFound):
        await client.get_request(request_id)
    assert scripted.seen[-1].raw_path == raw_path
    assert scripted.seen[-1].query == {}


async def test_empty_id_is_refused(client: PorchlightClient) -> None:
    with pytest.raises(ValueError, match="empty"):
        await client.revoke_share("")


async def test_base_path_is_kept(
    scripted: ScriptedHub, session: aiohttp.ClientSession
) -> None:
    client = PorchlightClient(session, f"{scripted.url}/hub/", token="t")
    with pytest.raises(PorchlightNotFound):
        await client.get_alert("a/b")
    assert scripted.seen[-1].raw_path == "/hub/api/v1/alerts/a%2Fb"


async def test_decide_answers(scripted: ScriptedHub, client: PorchlightClient) -> None:
    path = ("POST", "/api/v1/requests/req-1/decision")
    body = {"decision": "share", "idempotency_key": "key-00001", "clips": []}
    scripted.replies[path] = (200, {"share_id": "shr-1", "status": "uploading"})
    assert (await client.decide("req-1", body))["share_id"] == "shr-1"
    assert json.loads(scripted.seen[-1].body) == body
    scripted.replies[path] = (200, {"status": "uploading"})
    with pytest.raises(PorchlightInvalidResponse):
        await client.decide("req-1", body)
    scripted.replies[path] = (200, ["declined"])
    with pytest.raises(PorchlightInvalidResponse):
        await client.decide("req-1", {"decision": "decline"})
    scripted.replies[path] = (200, {"status": "declined"})
    assert await client.decide("req-1", {"decision": "decline"}) == {
        "status": "declined"
    }


async def test_single_objects_are_validated(
    scripted: ScriptedHub, client: PorchlightClient
) -> None:
    scripted.replies["POST", "/api/v1/alerts"] = (201, {**ALERT, "mine": "yes"})
    with pytest.raises(InvalidPayload, match="mine"):
        await client.post_alert("suspicious", "Van")
    assert json.loads(scripted.seen[-1].body) == {
        "category": "suspicious",
        "title": "Van",
    }
    scripted.replies["DELETE", "/api/v1/shares/shr-1"] = (200, "not json")
    with pytest.raises(PorchlightInvalidResponse):
        await client.revoke_share("shr-1")


# --- Uploads -----------------------------------------------------------------


async def _store_upload(request: web.Request) -> web.Response:
    received = request["body"]
    return web.json_response(
        {
            "size": len(received),
            "sha256": hashlib.sha256(received).hexdigest(),
            "content_length": request.content_length,
            "chunked": "chunked" in request.headers.get("Transfer-Encoding", ""),
            "content_type": request.content_type,
        },
        status=201,
    )


async def test_upload_streams_with_content_length(
    scripted: ScriptedHub, client: PorchlightClient, tmp_path: Path
) -> None:
    data = os.urandom(3 * api_transfer.UPLOAD_CHUNK_SIZE + 123)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(data)
    scripted.replies["PUT", "/api/v1/shares/shr-1/clips/c%2F1"] = _store_upload
    answer = await client.upload_clip("shr-1", "c/1", clip, "video/mp4", len(data))
    assert answer == {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_length": len(data),
        "chunked": False,
        "content_type": "video/mp4",
    }
    assert scripted.seen[-1].raw_path == "/api/v1/shares/shr-1/clips/c%2F1"


async def test_upload_local_file_problems(
    scripted: ScriptedHub, client: PorchlightClient, tmp_path: Path
) -> None:
    with pytest.raises(PorchlightClipFileError, match="Cannot read"):
        await client.upload_clip("s", "c", tmp_path / "gone.mp4", "video/mp4", 10)
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"0123456789")
    with pytest.raises(PorchlightClipFileError, match="has 10 bytes"):
        await client.upload_clip("s", "c", clip, "video/mp4", 11)
    assert scripted.seen == []


async def test_upload_file_shrinks_while_sending(
    scripted: ScriptedHub,
    client: PorchlightClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x" * 1000)
    real_open = api_transfer.open_clip

    def open_then_truncate(path: Path, size: int) -> Any:
        handle = real_open(path, size)
        path.write_bytes(b"x" * 10)
        return handle

    monkeypatch.setattr(api_transfer, "open_clip", open_then_truncate)
    scripted.replies["PUT", "/api/v1/shares/s/clips/c"] = _store_upload
    with pytest.raises(PorchlightClipFileError, match="990 bytes short"):
        await client.upload_clip("s", "c", clip, "video/mp4", 1000)


async def test_upload_refused_and_odd_answers(
    scripted: ScriptedHub, client: PorchlightClient, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.jpg"
    clip.write_bytes(b"jpeg")
    route = ("PUT", "/api/v1/shares/s/clips/c")
    scripted.replies[route] = (410, {"error": "share_gone", "message": "revoked"})
    with pytest.raises(PorchlightGone):
        await client.upload_clip("s", "c", clip, "image/jpeg", 4)
    scripted.replies[route] = (201, ["stored"])
    with pytest.raises(PorchlightInvalidResponse):
        await client.upload_clip("s", "c", clip, "image/jpeg", 4)


async def test_upload_connection_refused(
    closed_port_url: str, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.jpg"
    clip.write_bytes(b"jpeg")
    client = PorchlightClient(session, closed_port_url, token="t")
    with pytest.raises(PorchlightConnectionError, match="Could not talk"):
        await client.upload_clip("s", "c", clip, "image/jpeg", 4)


async def test_upload_stall_times_out(
    scripted: ScriptedHub, session: aiohttp.ClientSession, tmp_path: Path
) -> None:
    release = asyncio.Event()

    async def never_answers(request: web.Request) -> web.Response:
        await release.wait()
        return web.json_response({})

    clip = tmp_path / "clip.jpg"
    clip.write_bytes(b"jpeg")
    scripted.replies["PUT", "/api/v1/shares/s/clips/c"] = never_answers
    client = PorchlightClient(session, scripted.url, token="t", upload_idle_timeout=0.2)
    with pytest.raises(PorchlightConnectionError):
        await client.upload_clip("s", "c", clip, "image/jpeg", 4)
    release.set()


async def test_upload_watchdog_fires_on_stalled_body(
    scripted: ScriptedHub,
    session: aiohttp.ClientSession,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A body that stops flowing trips the idle watchdog, not a total limit."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"x" * 1000)
    real_open = api_transfer.open_clip
    stalled = threading.Event()

    class SlowHandle:
        def __init__(self, handle: Any) -> None:
            self._handle = handle

        def read(self, n: int) -> bytes:
            stalled.wait(5)
            return bytes(self._handle.read(n))

        def close(self) -> None:
            stalled.set()
            self._handle.close()

    monkeypatch.setattr(
        api_transfer, "open_clip", lambda p, s: SlowHandle(real_open(p, s))
    )
    scripted.replies["PUT", "/api/v1/shares/s/clips/c"] = _store_upload
    client = PorchlightClient(session, scripted.url, token="t", upload_idle_timeout=0.2)
    with pytest.raises(PorchlightConnectionError, match="stalled"):
        await client.upload_clip("s", "c", clip, "video/mp4", 1000)


# --- Stream ------------------------------------------------------------------


def _message(type_: str, data: dict[str, Any] | None = None) -> str:
    return json.dumps({"type": type_, "data": data or {}, "ts": NOW})


async def test_stream_malformed_messages_keep_the_stream(
    scripted: ScriptedHub, client: PorchlightClient
) -> None:
    async def script(ws: web.WebSocketResponse) -> None:
        await ws.send_str("garbage{")
        await ws.send_bytes(b"\x00\x01")
        await ws.send_str(_message("request.teleported"))
        await ws.send_str(json.dumps({"type": "heartbeat", "data": [], "ts": NOW}))
        await ws.send_str(_message("heartbeat"))
        await ws.send_str(_message("alert.created", ALERT))
        await ws.close()

    scripted.ws_script = script
    async with client.stream() as stream:
        for match in ("not JSON", "binary", "teleported", "data"):
            with pytest.raises(InvalidPayload, match=match):
                await stream.receive()
        assert not stream.closed
        heartbeat = await stream.receive()
        assert heartbeat.type == "heartbeat"
        message = await stream.receive()
        assert message.type == "alert.created"
        assert message.data["id"] == "alr-1"
        with pytest.raises(PorchlightConnectionError, match="closed the stream"):
            await stream.receive()
        assert stream.closed
        with pytest.raises(PorchlightConnectionError, match="closed the stream"):
            await stream.receive()
    seen = scripted.seen[-1]
    assert seen.method == "WS"
    assert seen.headers["Authorization"] == "Bearer s3cret-token"


async def test_stream_silence_is_a_dead_line(
    scripted: ScriptedHub, client: PorchlightClient
) -> None:
    hold = asyncio.Event()

    async def script(ws: web.WebSocketResponse) -> None:
        await ws.send_str(_message("heartbeat"))
        await hold.wait()

    scripted.ws_script = script
    async with client.stream(receive_timeout=0.2) as stream:
        assert (await stream.receive()).type == "heartbeat"
        with pytest.raises(PorchlightConnectionError, match="Nothing from the hub"):
            await stream.receive()
        assert stream.closed
        with pytest.raises(PorchlightConnectionError, match="Nothing from the hub"):
            await stream.receive()
        hold.set()


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, PorchlightAuthError),
        (403, PorchlightAuthError),
        (404, PorchlightConnectionError),
        (500, PorchlightConnectionError),
    ],
)
async def test_stream_handshake_refused(
    scripted: ScriptedHub,
    client: PorchlightClient,
    status: int,
    error: type[PorchlightError],
) -> None:
    scripted.ws_status = status
    with pytest.raises(error) as exc_info:
        async with client.stream():
            pytest.fail("the stream must not open")
    assert type(exc_info.value) is error
    # The handshake error carries our headers; it must not ride along.
    assert exc_info.value.__cause__ is None
    assert exc_info.value.__suppress_context__
    assert "s3cret" not in repr(exc_info.value)


async def test_stream_connection_refused(
    closed_port_url: str, session: aiohttp.ClientSession
) -> None:
    client = PorchlightClient(session, closed_port_url)
    with pytest.raises(PorchlightConnectionError, match="Could not open"):
        async with client.stream():
            pytest.fail("the stream must not open")


async def test_stream_handshake_timeout(
    session: aiohttp.ClientSession, socket_enabled: None
) -> None:
    """A port that accepts but never answers must not hang the listener."""
    writers: list[asyncio.StreamWriter] = []

    async def silent(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        writers.append(writer)
        await reader.read(65536)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = PorchlightClient(
        session,
        f"http://127.0.0.1:{port}",
        timeout=aiohttp.ClientTimeout(total=0.2),
    )
    try:
        with pytest.raises(PorchlightConnectionError, match="Timed out opening"):
            async with client.stream():
                pytest.fail("the stream must not open")
    finally:
        for writer in writers:
            writer.close()
        server.close()
        await server.wait_closed()
