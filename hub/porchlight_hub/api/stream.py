"""The home's live stream (WebSocket): every event for that home, in order."""

from __future__ import annotations

import asyncio
import contextlib
import weakref

from aiohttp import WSCloseCode, WSMsgType, web

from ..auth import require_home
from ..broker import Subscriber
from ..context import Hub, hub_of

routes = web.RouteTableDef()


class Sockets:
    """Open streams, so shutdown can close them instead of waiting on them."""

    def __init__(self) -> None:
        self.open: weakref.WeakKeyDictionary[
            web.WebSocketResponse, asyncio.BaseTransport | None
        ] = weakref.WeakKeyDictionary()
        # Set once shutdown began: a handshake that completes after that
        # would otherwise hold the server's shutdown until its timeout.
        self.closing = False


SOCKETS: web.AppKey[Sockets] = web.AppKey("porchlight_sockets", Sockets)
CLOSE_GRACE_S = 5.0


async def _writer(ws: web.WebSocketResponse, sub: Subscriber, hub: Hub) -> None:
    """Send queued messages, and a heartbeat whenever the line is quiet."""
    while not ws.closed:
        try:
            async with asyncio.timeout(hub.settings.heartbeat_s):
                msg = await sub.queue.get()
        except TimeoutError:
            await ws.send_json(hub.broker.message("heartbeat", {}))
            continue
        if msg is None:
            await ws.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"fell behind")
            return
        await ws.send_json(msg)


@routes.get("/api/v1/stream")
async def stream(request: web.Request) -> web.WebSocketResponse:
    """Authenticate, subscribe before the handshake, then stream."""
    home = await require_home(request)
    hub = hub_of(request)
    ws = web.WebSocketResponse(heartbeat=None, autoping=True)
    sub = hub.broker.subscribe(home["id"])
    loop = asyncio.get_running_loop()
    timers: list[asyncio.TimerHandle] = []

    def drop_if_stuck() -> None:
        # Give a slow reader the chance to get the 1013 close; one that does
        # not read at all loses its connection instead of pinning the writer.
        transport = request.transport
        if transport is not None:
            timers.append(loop.call_later(CLOSE_GRACE_S, transport.close))

    sub.on_overflow = drop_if_stuck
    writer: asyncio.Task[None] | None = None
    try:
        try:
            await ws.prepare(request)
        except AssertionError:
            # aiohttp asserts on a transport the client already closed; end the
            # handler the way aiohttp ends one whose client disconnected.
            raise asyncio.CancelledError from None
        sockets = request.app[SOCKETS]
        if sockets.closing:
            await _close(ws, request.transport)
            return ws
        sockets.open[ws] = request.transport
        writer = asyncio.create_task(_writer(ws, sub, hub))
        async for msg in ws:
            if msg.type == WSMsgType.ERROR:
                break
    finally:
        request.app[SOCKETS].open.pop(ws, None)
        for timer in timers:
            timer.cancel()
        hub.broker.unsubscribe(sub)
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await writer
    return ws


async def _close(
    ws: web.WebSocketResponse, transport: asyncio.BaseTransport | None
) -> None:
    try:
        async with asyncio.timeout(CLOSE_GRACE_S):
            await ws.close(code=WSCloseCode.GOING_AWAY, message=b"hub shutting down")
    except TimeoutError:
        # A client that does not read cannot be told; do not wait on it.
        if transport is not None:
            transport.close()


async def close_sockets(app: web.Application) -> None:
    """On shutdown, tell every client to go away so it reconnects later."""
    app[SOCKETS].closing = True
    await asyncio.gather(
        *(_close(ws, transport) for ws, transport in list(app[SOCKETS].open.items()))
    )
