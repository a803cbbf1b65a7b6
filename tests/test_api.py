"""Tests for the hub API client, against a fake hub on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from custom_components.porchlight.api import (
    HubHealth,
    Pairing,
    PorchlightAuthError,
    PorchlightClient,
    PorchlightConnectionError,
    PorchlightError,
    PorchlightInvalidResponse,
    PorchlightInvalidURL,
    PorchlightPairingError,
    PorchlightRateLimited,
    PorchlightRequestError,
    normalize_url,
)

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
        (404, "", PorchlightRequestError),
        (429, {"error": 5, "message": ["x"]}, PorchlightRateLimited),
        (500, {"error": "boom"}, PorchlightConnectionError),
        (503, "<html>down</html>", PorchlightConnectionError),
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
