"""A proxy in front of a real hub that can fail, slow or cut what passes.

The home is paired with the proxy's URL, so every REST call, upload and the
stream's WebSocket go through it; the agency talks to the hub directly. A
fault test or the chaos soak sets ``down`` (every call answers 503), a
``fail`` rule (chosen calls answer 503), ``slow`` (uploads trickle in), or
calls :meth:`FaultProxy.cut_streams` (every open stream drops).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import aiohttp
from aiohttp import WSMsgType, web
from aiohttp.test_utils import TestServer

_HOP_HEADERS = frozenset(
    {"host", "content-length", "transfer-encoding", "connection", "upgrade"}
)
# While ``slow``: this many bytes of an upload a second.
SLOW_RATE = 256 * 1024


@dataclass(slots=True)
class FaultProxy:
    """Forwards to the hub, unless a rule answers a request with a 5xx first."""

    target: str
    url: str = ""
    down: bool = False
    slow: bool = False
    fail: Callable[[web.Request], bool] = field(default=lambda _r: False)
    seen: list[tuple[str, str, int]] = field(default_factory=list)
    _streams: set[web.WebSocketResponse] = field(default_factory=set)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if self.down or self.fail(request):
            self.seen.append((request.method, request.path, 503))
            return web.json_response({"error": "unavailable"}, status=503)
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._relay_stream(request)
        body = await (self._trickle(request) if self.slow else request.read())
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in _HOP_HEADERS
        }
        try:
            async with (
                aiohttp.ClientSession() as session,
                session.request(
                    request.method,
                    f"{self.target}{request.path_qs}",
                    data=body,
                    headers=headers,
                ) as answer,
            ):
                payload = await answer.read()
        except aiohttp.ClientError:
            self.seen.append((request.method, request.path, 502))
            return web.json_response({"error": "bad_gateway"}, status=502)
        self.seen.append((request.method, request.path, answer.status))
        return web.Response(
            status=answer.status, body=payload, content_type=answer.content_type
        )

    async def cut_streams(self) -> None:
        """Drop every open stream, as a flaky network or a proxy restart does."""
        for stream in list(self._streams):
            await stream.close()

    async def _trickle(self, request: web.Request) -> bytes:
        chunks = []
        while chunk := await request.content.read(SLOW_RATE // 10):
            chunks.append(chunk)
            await asyncio.sleep(0.1)
        return b"".join(chunks)

    async def _relay_stream(self, request: web.Request) -> web.StreamResponse:
        """Relay a WebSocket both ways; the hub's going closes the home's too."""
        session = aiohttp.ClientSession()
        try:
            upstream = await session.ws_connect(
                f"{self.target}{request.path_qs}",
                headers={
                    k: v
                    for k, v in request.headers.items()
                    if k.lower() == "authorization"
                },
                heartbeat=None,
            )
        except aiohttp.ClientError as err:
            await session.close()
            status = (
                err.status if isinstance(err, aiohttp.WSServerHandshakeError) else 502
            )
            self.seen.append((request.method, request.path, status))
            return web.json_response({"error": "bad_gateway"}, status=status)
        home = web.WebSocketResponse()
        await home.prepare(request)
        self.seen.append((request.method, request.path, 101))
        self._streams.add(home)

        async def pump(
            source: aiohttp.ClientWebSocketResponse | web.WebSocketResponse,
            sink: aiohttp.ClientWebSocketResponse | web.WebSocketResponse,
        ) -> None:
            async for message in source:
                if message.type is WSMsgType.TEXT:
                    await sink.send_str(message.data)
                elif message.type is WSMsgType.BINARY:
                    await sink.send_bytes(message.data)

        try:
            tasks = [
                asyncio.ensure_future(pump(upstream, home)),
                asyncio.ensure_future(pump(home, upstream)),
            ]
            _, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        finally:
            self._streams.discard(home)
            await upstream.close()
            await home.close()
            await session.close()
        return home


@contextlib.asynccontextmanager
async def fault_proxy(target: str) -> AsyncIterator[FaultProxy]:
    """A proxy on a free port for the block."""
    proxy = FaultProxy(target)
    app = web.Application(client_max_size=1 << 30)
    app.router.add_route("*", "/{tail:.*}", proxy.handle)
    server = TestServer(app, host="127.0.0.1", port=0)
    await server.start_server()
    proxy.url = str(server.make_url("")).rstrip("/")
    try:
        yield proxy
    finally:
        await proxy.cut_streams()
        await server.close()
