"""Static files: the public page's script and style, and the agency portal.

Files are not content-hashed, so they are served ``no-cache`` with an ETag
and Last-Modified: a browser revalidates (a cheap 304) and never runs a
stale portal after the hub is upgraded.
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from ..context import hub_of
from ..errors import not_found

routes = web.RouteTableDef()

PACKAGE_STATIC = Path(__file__).with_name("static")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".webp": "image/webp",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".txt": "text/plain; charset=utf-8",
}


def static_root(request: web.Request) -> Path:
    """Where the static files are: the operator's folder or the package's."""
    configured = hub_of(request).settings.static_dir
    return (configured or PACKAGE_STATIC).resolve()


def _file(root: Path, relative: str) -> Path:
    """A file under ``root``, or 404: no dot-files, nothing outside ``root``."""
    parts = relative.split("/")
    if any(not p or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        raise not_found("file")
    path = (root / relative).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise not_found("file")
    if path.suffix.lower() not in CONTENT_TYPES:
        raise not_found("file")
    return path


def send(path: Path) -> web.FileResponse:
    """Serve a file with its type and revalidation headers."""
    return web.FileResponse(
        path,
        headers={
            "Content-Type": CONTENT_TYPES[path.suffix.lower()],
            "Cache-Control": "no-cache",
        },
    )


@routes.get("/static/{path:.+}")
async def static_file(request: web.Request) -> web.FileResponse:
    """The public page's assets (and anything else in the static folder)."""
    return send(_file(static_root(request), request.match_info["path"]))


@routes.get("/agency")
async def portal_redirect(_request: web.Request) -> web.Response:
    """The portal lives at ``/agency/``, so its relative links resolve."""
    raise web.HTTPPermanentRedirect("/agency/")


@routes.get("/agency/")
async def portal_index(request: web.Request) -> web.FileResponse:
    """The agency portal's page."""
    return send(_file(static_root(request) / "portal", "index.html"))


@routes.get("/agency/{path:.+}")
async def portal_file(request: web.Request) -> web.FileResponse:
    """A portal asset; a path without a file extension is one of its views."""
    root = static_root(request) / "portal"
    relative = request.match_info["path"]
    if "." not in relative.rsplit("/", 1)[-1]:
        return send(_file(root, "index.html"))
    return send(_file(root, relative))
