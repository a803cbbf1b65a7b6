"""Security headers on every response, and the policy they state.

The Content-Security-Policy allows no inline script and no other origin but
the map tiles the operator chose, so a hostile string that slipped past
escaping still could not run, and the portal, which holds an agency's
decryption key in the browser, loads code only from the hub.
"""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from aiohttp import web

from ..context import HUB


def tile_origin(template: str) -> str:
    """The CSP source for a Leaflet tile URL template; ValueError if unusable.

    ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` gives
    ``https://*.tile.example.org``.
    """
    parts = urlsplit(template)
    host = parts.netloc
    if host.startswith("{s}."):
        host = "*." + host[4:]
    if (
        parts.scheme not in ("http", "https")
        or not host
        or any(ch in host for ch in "{}@ ;,'\"")
    ):
        raise ValueError(
            "the tile URL must be http(s)://HOST/…{z}/{x}/{y}… (a {s}. subdomain"
            " placeholder is allowed)"
        )
    for needed in ("{z}", "{x}", "{y}"):
        if needed not in template:
            raise ValueError(f"the tile URL must contain {needed}")
    return f"{parts.scheme}://{host}"


@cache
def content_security_policy(tiles_url: str | None) -> str:
    """The hub's CSP: its own origin only, plus the tile server's images."""
    images = "'self' data: blob:"
    if tiles_url:
        images += " " + tile_origin(tiles_url)
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src {images}",
            "media-src 'self' blob:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'self'",
        )
    )


async def add_security_headers(
    request: web.Request, response: web.StreamResponse
) -> None:
    """``on_response_prepare``: runs for every response, files and errors too."""
    settings = request.app[HUB].settings
    headers = response.headers
    headers.setdefault(
        "Content-Security-Policy", content_security_policy(settings.tiles_url)
    )
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "no-referrer")
