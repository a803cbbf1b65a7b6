"""A WebSocket client that speaks to Home Assistant the way the consent panel does."""

from __future__ import annotations

import asyncio
from typing import Any

from pytest_homeassistant_custom_component.typing import MockHAClientWebSocket


class PanelClient:
    """Commands, answers and pushed events over one WebSocket connection.

    Events that arrive while a command waits for its answer are kept, in
    order, for :meth:`kinds`.
    """

    def __init__(self, ws: MockHAClientWebSocket) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []

    async def send(self, type_: str, **data: Any) -> dict[str, Any]:
        """Send one command and return Home Assistant's whole answer."""
        message = {"type": type_, **data}
        await self.ws.send_json_auto_id(message)
        async with asyncio.timeout(10):
            while True:
                answer: dict[str, Any] = await self.ws.receive_json()
                if answer["type"] == "event":
                    self.events.append(answer)
                    continue
                assert answer["id"] == message["id"], answer
                return answer

    async def result(self, type_: str, **data: Any) -> Any:
        """The result of a command that must succeed."""
        answer = await self.send(type_, **data)
        assert answer["success"], answer
        return answer["result"]

    async def error(self, type_: str, **data: Any) -> dict[str, Any]:
        """The error of a command that must fail."""
        answer = await self.send(type_, **data)
        assert not answer["success"], answer
        error: dict[str, Any] = answer["error"]
        return error

    async def subscribe(self, **data: Any) -> int:
        """Subscribe to the panel's changes; returns the subscription's id."""
        answer = await self.send("porchlight/subscribe", **data)
        assert answer["success"], answer
        assert answer["result"] is None
        subscription: int = answer["id"]
        return subscription

    async def kinds(self, subscription: int, within: float = 1.0) -> set[str]:
        """The kinds pushed for ``subscription`` during the next ``within`` s."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while (left := deadline - loop.time()) > 0:
            try:
                async with asyncio.timeout(left):
                    self.events.append(await self.ws.receive_json())
            except TimeoutError:
                break
        found = {
            e["event"]["kind"]
            for e in self.events
            if e.get("type") == "event" and e["id"] == subscription
        }
        self.events.clear()
        return found

    async def wait_kind(self, subscription: int, kind: str, within: float = 10) -> None:
        """Wait until ``kind`` is pushed for ``subscription``."""
        async with asyncio.timeout(within):
            while True:
                for event in self.events:
                    if event["id"] == subscription and event["event"]["kind"] == kind:
                        self.events.remove(event)
                        return
                self.events.append(await self.ws.receive_json())
