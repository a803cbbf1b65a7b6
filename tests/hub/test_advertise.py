"""Zeroconf advertising, patched at the ``AsyncZeroconf`` boundary."""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import aiohttp
import ifaddr
import pytest
from zeroconf import IPVersion

from porchlight_hub import __version__, advertise
from porchlight_hub import app as app_module
from porchlight_hub.advertise import SERVICE_TYPE, Advertiser, _addresses
from porchlight_hub.app import serve
from porchlight_hub.settings import Settings

HUB_ID = "hub_0123456789abcdef"


class FakeZeroconf:
    """Stands in for ``AsyncZeroconf``; records what the hub announces."""

    def __init__(self) -> None:
        self.instances: list[MagicMock] = []
        self.registered = asyncio.Event()
        self.fail_on_create: Exception | None = None
        self.fail_on_register: Exception | None = None

    def __call__(self, **kwargs: Any) -> MagicMock:
        if self.fail_on_create is not None:
            self.registered.set()
            raise self.fail_on_create
        zc = MagicMock(name="AsyncZeroconf()")
        zc.kwargs = kwargs

        async def register(info: Any, **kw: Any) -> None:
            self.registered.set()
            if self.fail_on_register is not None:
                raise self.fail_on_register

        zc.async_register_service = AsyncMock(side_effect=register)
        zc.async_unregister_service = AsyncMock()
        zc.async_close = AsyncMock()
        self.instances.append(zc)
        return zc


@pytest.fixture
def zeroconf(monkeypatch: pytest.MonkeyPatch) -> FakeZeroconf:
    fake = FakeZeroconf()
    monkeypatch.setattr(advertise, "AsyncZeroconf", fake)
    return fake


def adapters(*ips: str | tuple[str, int, int]) -> list[ifaddr.Adapter]:
    return [
        ifaddr.Adapter(f"if{n}", f"if{n}", [ifaddr.IP(ip, 24, f"if{n}")])
        for n, ip in enumerate(ips)
    ]


async def test_advertiser_registers_and_withdraws(zeroconf: FakeZeroconf) -> None:
    adv = Advertiser("Elm Street: Hub!", HUB_ID, "127.0.0.1", 8765)
    await adv.start()
    (zc,) = zeroconf.instances
    assert zc.kwargs == {"ip_version": IPVersion.V4Only}
    zc.async_register_service.assert_awaited_once()
    info = zc.async_register_service.await_args.args[0]
    assert zc.async_register_service.await_args.kwargs == {"allow_name_change": True}
    assert info is adv.info
    assert info.type == SERVICE_TYPE == "_porchlight._tcp.local."
    assert info.name == f"Elm Street- Hub- abcdef.{SERVICE_TYPE}"
    assert info.port == 8765
    assert info.decoded_properties == {
        "hub_id": HUB_ID,
        "version": __version__,
        "path": "/api/v1",
    }
    assert info.parsed_addresses() == ["127.0.0.1"]
    assert info.server == "porchlight-abcdef.local."

    await adv.stop()
    zc.async_unregister_service.assert_awaited_once_with(info)
    zc.async_close.assert_awaited_once()
    await adv.stop()  # a second stop is harmless
    zc.async_close.assert_awaited_once()


async def test_advertiser_closes_zeroconf_when_registering_fails(
    zeroconf: FakeZeroconf,
) -> None:
    zeroconf.fail_on_register = OSError("no multicast")
    adv = Advertiser("Hub", HUB_ID, "127.0.0.1", 8765)
    with pytest.raises(OSError, match="no multicast"):
        await adv.start()
    (zc,) = zeroconf.instances
    zc.async_close.assert_awaited_once()
    await adv.stop()
    zc.async_unregister_service.assert_not_awaited()


def test_service_name_falls_back_when_nothing_is_left() -> None:
    info = advertise.service_info("!!!", HUB_ID, "127.0.0.1", 1)
    assert info.name.startswith("--- abcdef.")
    info = advertise.service_info("", HUB_ID, "127.0.0.1", 1)
    assert info.name == f"Porchlight hub abcdef.{SERVICE_TYPE}"


def test_addresses_of_a_concrete_host(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _addresses("127.0.0.1") == ["127.0.0.1"]
    assert _addresses("192.0.2.7") == ["192.0.2.7"]
    monkeypatch.setattr(
        advertise.socket, "gethostbyname", lambda host: {"hub.lan": "10.1.2.3"}[host]
    )
    assert _addresses("hub.lan") == ["10.1.2.3"]


def test_addresses_of_wildcard_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    found = adapters("127.0.0.1", ("fd00::2", 0, 0), "192.168.1.20", "10.0.0.5")
    monkeypatch.setattr(advertise.ifaddr, "get_adapters", lambda: found)
    for host in ("0.0.0.0", "", "::"):  # noqa: S104 - a value under test
        assert _addresses(host) == ["192.168.1.20", "10.0.0.5"]

    # A host name that does not resolve is announced on every interface.
    def unresolvable(host: str) -> str:
        raise socket.gaierror("no such host")

    monkeypatch.setattr(advertise.socket, "gethostbyname", unresolvable)
    assert _addresses("nowhere.invalid") == ["192.168.1.20", "10.0.0.5"]


def test_addresses_with_only_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    only_lo = adapters("127.0.0.1", ("::1", 0, 0))
    monkeypatch.setattr(advertise.ifaddr, "get_adapters", lambda: only_lo)
    assert _addresses("0.0.0.0") == ["127.0.0.1"]  # noqa: S104


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def signal_handlers(monkeypatch: pytest.MonkeyPatch) -> dict[int, Callable[[], None]]:
    """Catch the handlers ``serve`` installs, so a test can 'send' a signal."""
    handlers: dict[int, Callable[[], None]] = {}
    loop = asyncio.get_event_loop()

    def add(sig: int, callback: Callable[..., None], *args: Any) -> None:
        handlers[sig] = lambda: callback(*args)

    monkeypatch.setattr(loop, "add_signal_handler", add)
    return handlers


def settings(tmp_path: Path, zeroconf: bool) -> Settings:
    return Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        media_dir=tmp_path / "media",
        host="127.0.0.1",
        port=free_port(),
        name="Elm Street Hub",
        zeroconf=zeroconf,
    )


async def health(port: int) -> dict[str, Any]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}/api/v1/health") as resp,
    ):
        assert resp.status == 200
        return dict(await resp.json())


async def test_serve_advertises_while_serving(
    tmp_path: Path,
    zeroconf: FakeZeroconf,
    signal_handlers: dict[int, Callable[[], None]],
) -> None:
    config = settings(tmp_path, zeroconf=True)
    task = asyncio.create_task(serve(config))
    async with asyncio.timeout(10):
        await zeroconf.registered.wait()
    body = await health(config.port)
    (zc,) = zeroconf.instances
    info = zc.async_register_service.await_args.args[0]
    assert info.port == config.port
    assert info.decoded_properties["hub_id"] == body["hub_id"]
    assert set(signal_handlers) == {signal.SIGINT, signal.SIGTERM}
    zc.async_unregister_service.assert_not_awaited()

    signal_handlers[signal.SIGTERM]()
    async with asyncio.timeout(10):
        await task
    zc.async_unregister_service.assert_awaited_once_with(info)
    zc.async_close.assert_awaited_once()


async def test_serve_keeps_serving_when_zeroconf_fails(
    tmp_path: Path,
    zeroconf: FakeZeroconf,
    signal_handlers: dict[int, Callable[[], None]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    zeroconf.fail_on_create = OSError("Address already in use")
    config = settings(tmp_path, zeroconf=True)
    with caplog.at_level(logging.WARNING, logger="porchlight_hub.app"):
        task = asyncio.create_task(serve(config))
        async with asyncio.timeout(10):
            await zeroconf.registered.wait()
        body = await health(config.port)
    assert body["name"] == "Elm Street Hub"
    assert "Zeroconf advertising failed" in caplog.text
    assert zeroconf.instances == []
    signal_handlers[signal.SIGINT]()
    async with asyncio.timeout(10):
        await task


async def test_serve_without_zeroconf_never_touches_it(
    tmp_path: Path,
    zeroconf: FakeZeroconf,
    signal_handlers: dict[int, Callable[[], None]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    serving = asyncio.Event()
    lines: list[str] = []

    def announce(*args: Any, **kwargs: Any) -> None:
        lines.append(" ".join(map(str, args)))
        serving.set()

    monkeypatch.setattr(app_module, "print", announce, raising=False)
    config = settings(tmp_path, zeroconf=False)
    task = asyncio.create_task(serve(config))
    async with asyncio.timeout(10):
        await serving.wait()
    base = f"http://127.0.0.1:{config.port}"
    assert lines == [
        f"Agency portal: {base}/agency/  (public page: {base}/)",
        f"Porchlight hub serving on {base}",
    ]
    await health(config.port)
    signal_handlers[signal.SIGTERM]()
    async with asyncio.timeout(10):
        await task
    assert zeroconf.instances == []
    assert not zeroconf.registered.is_set()
