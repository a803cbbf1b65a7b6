"""Who is really calling, when a reverse proxy terminates TLS in front of the hub.

``X-Forwarded-*`` headers are believed only from peers the operator named
with ``--trusted-proxy``: anyone else could send them to make a plain-HTTP
cookie look ``Secure``-worthy or to dodge the sign-in rate limit.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from aiohttp import web

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """CIDRs or single addresses; ValueError names a bad one."""
    out = []
    for value in values:
        try:
            out.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise ValueError(f"not an IP address or CIDR: {value!r}") from None
    return tuple(out)


class Proxies:
    """The trusted proxies, and what a request looks like through them."""

    def __init__(self, networks: Iterable[str] = ()) -> None:
        self.networks = parse_networks(networks)

    def _trusted(self, address: str | None) -> bool:
        if not address or not self.networks:
            return False
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self.networks)

    def _forwarded(self, request: web.Request, header: str) -> str | None:
        """A forwarded header's nearest value, from a trusted peer only."""
        if not self._trusted(request.remote):
            return None
        value = request.headers.get(header, "").split(",")[-1].strip()
        return value or None

    def is_tls(self, request: web.Request) -> bool:
        """Whether the browser reached us over TLS (directly or via the proxy)."""
        if request.transport is not None and (
            request.transport.get_extra_info("sslcontext") is not None
        ):
            return True
        return (self._forwarded(request, "X-Forwarded-Proto") or "").lower() == "https"

    def client_ip(self, request: web.Request) -> str:
        """The browser's address: the last hop the trusted proxies did not add."""
        peer = request.remote or "unknown"
        if not self._trusted(peer):
            return peer
        hops = [
            h.strip()
            for h in request.headers.get("X-Forwarded-For", "").split(",")
            if h.strip()
        ]
        for hop in reversed(hops):
            if not self._trusted(hop):
                return hop
        return hops[0] if hops else peer

    def origin(self, request: web.Request) -> str:
        """The hub's own origin as this browser sees it."""
        scheme = "https" if self.is_tls(request) else "http"
        host = self._forwarded(request, "X-Forwarded-Host") or request.host
        return f"{scheme}://{host}".lower()
