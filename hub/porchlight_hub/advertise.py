"""Zeroconf advertising, so Home Assistant discovers the hub by itself."""

from __future__ import annotations

import socket

import ifaddr
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from . import __version__

SERVICE_TYPE = "_porchlight._tcp.local."


def _addresses(host: str) -> list[str]:
    """The addresses to announce: the bound one, or every interface's."""
    if host not in ("", "0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
        try:
            return [socket.gethostbyname(host)]
        except OSError:
            pass
    found = [
        str(ip.ip)
        for adapter in ifaddr.get_adapters()
        for ip in adapter.ips
        if ip.is_IPv4 and not str(ip.ip).startswith("127.")
    ]
    return found or ["127.0.0.1"]


def service_info(name: str, hub_id: str, host: str, port: int) -> AsyncServiceInfo:
    """Describe the hub: where it listens and which hub it is."""
    label = "".join(ch if ch.isalnum() or ch in " -" else "-" for ch in name)[:40]
    return AsyncServiceInfo(
        SERVICE_TYPE,
        f"{label or 'Porchlight hub'} {hub_id[-6:]}.{SERVICE_TYPE}",
        port=port,
        properties={"hub_id": hub_id, "version": __version__, "path": "/api/v1"},
        parsed_addresses=_addresses(host),
        server=f"porchlight-{hub_id[-6:]}.local.",
    )


class Advertiser:
    """Registers the service while the hub serves."""

    def __init__(self, name: str, hub_id: str, host: str, port: int) -> None:
        self.info = service_info(name, hub_id, host, port)
        self._zc: AsyncZeroconf | None = None

    async def start(self) -> None:
        """Announce the hub."""
        self._zc = AsyncZeroconf(ip_version=IPVersion.V4Only)
        try:
            await self._zc.async_register_service(self.info, allow_name_change=True)
        except BaseException:
            # The hub keeps serving without mDNS; don't leak its sockets.
            await self._zc.async_close()
            self._zc = None
            raise

    async def stop(self) -> None:
        """Withdraw the announcement."""
        if self._zc is not None:
            await self._zc.async_unregister_service(self.info)
            await self._zc.async_close()
            self._zc = None
