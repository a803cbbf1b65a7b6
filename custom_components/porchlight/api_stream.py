"""The home's live stream: one WebSocket, read one validated message at a time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from http import HTTPStatus

import aiohttp
from yarl import URL

from . import models
from .api_errors import INVALID, PorchlightAuthError, PorchlightConnectionError, decode


@asynccontextmanager
async def open_stream(
    session: aiohttp.ClientSession,
    url: URL,
    headers: dict[str, str],
    *,
    hub_url: str,
    connect_timeout: float,
    receive_timeout: float,
) -> AsyncIterator[HubStream]:
    """Open the stream at ``url``; it is closed when the block ends.

    Raises:
        PorchlightAuthError: The hub refused the token (handshake 401/403).
        PorchlightConnectionError: The hub could not be reached, or did
            not accept the WebSocket.
    """
    try:
        async with asyncio.timeout(connect_timeout):
            ws = await session.ws_connect(
                url,
                headers=headers,
                autoping=True,
                heartbeat=None,
                timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
            )
    except aiohttp.WSServerHandshakeError as err:
        # "from None": the handshake error's request_info carries our
        # headers, token included, and must not travel in the chain.
        if err.status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
            raise PorchlightAuthError(
                err.status, None, "The hub refused the home token"
            ) from None
        raise PorchlightConnectionError(
            f"The hub at {hub_url} refused the stream (HTTP {err.status})"
        ) from None
    except TimeoutError as err:
        raise PorchlightConnectionError(
            f"Timed out opening the stream of {hub_url}"
        ) from err
    except aiohttp.ClientError as err:
        raise PorchlightConnectionError(
            f"Could not open the stream of {hub_url}: {err!s}"
        ) from err
    try:
        yield HubStream(ws, receive_timeout)
    finally:
        await ws.close()


class HubStream:
    """The home's open WebSocket, read one validated message at a time.

    Heartbeats are returned like any other message (type ``heartbeat``) so a
    caller can see the line is alive; callers that only want events skip them.
    """

    def __init__(
        self, ws: aiohttp.ClientWebSocketResponse, receive_timeout: float
    ) -> None:
        self._ws = ws
        self._receive_timeout = receive_timeout
        self._dead: PorchlightConnectionError | None = None

    @property
    def closed(self) -> bool:
        """No more messages will come; open a new stream."""
        return self._dead is not None or self._ws.closed

    async def receive(self) -> models.StreamMessage:
        """Wait for the next message.

        Raises:
            InvalidPayload: This message was malformed; the stream stays open,
                so log it and call again.
            PorchlightConnectionError: The stream closed, failed, or was silent
                for longer than the receive timeout. It stays failed.
        """
        if self._dead is not None:
            raise self._dead
        try:
            msg = await self._ws.receive(timeout=self._receive_timeout)
        except TimeoutError:
            self._dead = PorchlightConnectionError(
                f"Nothing from the hub for {self._receive_timeout:g} s"
            )
            raise self._dead from None
        if msg.type is aiohttp.WSMsgType.TEXT:
            payload = decode(msg.data)
            if payload is INVALID:
                raise models.InvalidPayload("message: not JSON")
            return models.StreamMessage.from_hub(payload)
        if msg.type is aiohttp.WSMsgType.BINARY:
            raise models.InvalidPayload("message: binary, expected JSON text")
        self._dead = PorchlightConnectionError(
            f"The hub closed the stream ({msg.type.name}, code {self._ws.close_code})"
        )
        raise self._dead
