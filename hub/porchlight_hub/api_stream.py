"""The home's live stream (WebSocket): every event for that home, in order."""

from __future__ import annotations

import asyncio
import contextlib
import weakref

from aiohttp import WSCloseCode, WSMsgType, web

from .auth import require_home
from .broker import Subscriber
from .context import Hub, hub_of

routes = web.RouteTableDef()


class Sockets:
    """Open streams, so shutdown can close them instead of waiting on them."""

    def __init__(self) -> None:
        self.open: weakref.WeakSet[web.WebSocketResponse] = weakref.WeakSet()


SOCKETS: web.AppKey[Sockets] = web.AppKey("porchlight_sockets", Sockets)


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
    request.app[SOCKETS].open.add(ws)
    writer: asyncio.Task[None] | None = None
    try:
        await ws.prepare(request)
        writer = asyncio.create_task(_writer(ws, sub, hub))
        async for msg in ws:
            if msg.type == WSMsgType.ERROR:
                break
    finally:
        hub.broker.unsubscribe(sub)
        if writer is not None:
            writer.cancel()
            with contextlib.suppress(asyncio.CancelledError, ConnectionError):
                await writer
    return ws


async def close_sockets(app: web.Application) -> None:
    """On shutdown, tell every client to go away so it reconnects later."""
    for ws in list(app[SOCKETS].open):
        await ws.close(code=WSCloseCode.GOING_AWAY, message=b"hub shutting down")
