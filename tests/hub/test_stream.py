"""The home's WebSocket stream: auth, heartbeat, fan-out, order, slow clients."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import time
from typing import Any

import aiohttp
import pytest
from aiohttp import WSCloseCode, WSMsgType, web

from .conftest import Client, HubHarness, HubMaker


async def post_alert(home: Client, title: str) -> dict[str, Any]:
    status, alert = await home.call(
        "POST", "/api/v1/alerts", {"category": "community", "title": title}
    )
    assert status == 201, alert
    return dict(alert)


async def drain(ws: aiohttp.ClientWebSocketResponse) -> list[dict[str, Any]]:
    """Every message until the hub closes the socket."""
    out = []
    async with asyncio.timeout(5):
        while True:
            msg = await ws.receive()
            if msg.type != WSMsgType.TEXT:
                return out
            out.append(json.loads(msg.data))


async def test_heartbeat_on_a_quiet_line(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(heartbeat_s=0.1)
    home = await hub.add_home()
    stream = await home.stream()
    beat = await stream.next("heartbeat", wait=2)
    assert beat["data"] == {}
    assert beat["ts"] == "2026-06-01T12:00:00Z"
    await stream.next("heartbeat", wait=2)
    # Real messages still flow between heartbeats.
    await post_alert(home, "between beats")
    assert (await stream.next("alert.created"))["data"]["title"] == "between beats"
    await stream.next("heartbeat", wait=2)


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token"}, {"Authorization": "Basic abc"}],
)
async def test_stream_needs_a_home_token(
    hub: HubHarness, headers: dict[str, str]
) -> None:
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await hub.session.ws_connect(f"{hub.url}/api/v1/stream", headers=headers)
    assert err.value.status == 401


async def test_agency_key_cannot_open_a_stream(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    with pytest.raises(aiohttp.WSServerHandshakeError) as err:
        await agency.stream()
    assert err.value.status == 401


async def test_every_open_stream_of_a_home_gets_each_message(hub: HubHarness) -> None:
    home = await hub.add_home()
    other = await hub.add_home("Other")
    first, second = await home.stream(), await home.stream()
    status, _ = await home.call("PATCH", "/api/v1/home", {"name": "Renamed"})
    assert status == 200
    for stream in (first, second):
        assert (await stream.next("home.updated"))["data"]["name"] == "Renamed"
    alert = await post_alert(other, "for both")
    for stream in (first, second):
        assert (await stream.next("alert.created"))["data"]["id"] == alert["id"]


async def test_messages_arrive_in_order(hub: HubHarness) -> None:
    poster = await hub.add_home("Poster")
    reader = await hub.add_home("Reader")
    stream = await reader.stream()
    ids = [(await post_alert(poster, f"alert {n}"))["id"] for n in range(12)]
    got = [(await stream.next("alert.created"))["data"]["id"] for _ in ids]
    assert got == ids


class StuckNetwork:
    """The hub's sends to one home hang until released: a client that stopped reading.

    Patched at the network boundary (``WebSocketResponse.send_json``) because
    loopback buffers hold megabytes before real TCP back-pressure starts.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, token: str) -> None:
        self.blocked = asyncio.Event()
        self.release = asyncio.Event()
        original = web.WebSocketResponse.send_json
        auth = f"Bearer {token}"

        async def send_json(ws: web.WebSocketResponse, data: Any, **kw: Any) -> None:
            request = ws._req  # which home this socket serves
            if request is not None and request.headers.get("Authorization") == auth:
                self.blocked.set()
                await self.release.wait()
            await original(ws, data, **kw)

        monkeypatch.setattr(web.WebSocketResponse, "send_json", send_json)


async def test_a_client_that_falls_behind_is_disconnected(
    tuned_hub: HubMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    hub = await tuned_hub(stream_queue_size=2)
    poster = await hub.add_home("Poster")
    slow = await hub.add_home("Slow")
    fast = await hub.add_home("Fast")
    network = StuckNetwork(monkeypatch, slow.secret)
    slow_stream = await slow.stream()
    fast_stream = await fast.stream()

    first = await post_alert(poster, "a0")
    async with asyncio.timeout(5):
        await network.blocked.wait()  # the hub is stuck sending a0 to Slow
    started = time.monotonic()
    titles = ["a0"]
    for n in range(1, 8):
        titles.append((await post_alert(poster, f"a{n}"))["title"])
    # Neither the posting home nor the other listener waited for Slow.
    assert time.monotonic() - started < 3
    got = [(await fast_stream.next("alert.created"))["data"]["title"] for _ in titles]
    assert got == titles

    network.release.set()
    delivered = await drain(slow_stream.ws)
    # What was queued before the overflow arrives, then the hub hangs up.
    assert [m["data"]["title"] for m in delivered] == ["a0", "a1", "a2"]
    assert delivered[0]["data"]["id"] == first["id"]
    assert slow_stream.ws.close_code == WSCloseCode.TRY_AGAIN_LATER

    # Reconnecting gives a fresh, healthy stream.
    again = await slow.stream()
    await post_alert(poster, "after")
    assert (await again.next("alert.created"))["data"]["title"] == "after"
    assert (await fast_stream.next("alert.created"))["data"]["title"] == "after"


async def test_shutdown_closes_streams_with_going_away(hub: HubHarness) -> None:
    home = await hub.add_home()
    other = await hub.add_home("Other")
    sockets = [
        await hub.session.ws_connect(f"{hub.url}/api/v1/stream", headers=c.headers)
        for c in (home, home, other)
    ]
    stopping = asyncio.create_task(hub.stop())
    for ws in sockets:
        msg = await ws.receive(timeout=5)
        assert msg.type == WSMsgType.CLOSE
        assert msg.data == WSCloseCode.GOING_AWAY
    async with asyncio.timeout(5):
        await stopping
    assert all(ws.closed for ws in sockets)


async def silent_client(hub: HubHarness, home: Client) -> asyncio.StreamWriter:
    """A stream client that completes the handshake, then never answers."""
    port = hub.settings.port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Authorization: Bearer {home.secret}\r\n\r\n"
        ).encode()
    )
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 101"), head
    return writer


async def test_silent_clients_do_not_hold_up_shutdown(hub: HubHarness) -> None:
    home = await hub.add_home()
    writers = [await silent_client(hub, home) for _ in range(3)]
    started = time.monotonic()
    try:
        async with asyncio.timeout(8):
            await hub.stop()
        assert time.monotonic() - started < 4
    finally:
        for writer in writers:
            writer.close()
            await writer.wait_closed()
