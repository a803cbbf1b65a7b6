"""``GET /``: the hub's public page, rendered on the server.

Residents should see what the agencies near them asked for without running
any script: the page is complete HTML (the map script only draws circles
over the text). Everything an agency or a home wrote goes through Jinja's
autoescaping and sits in ``<bdi>``, so neither markup nor a right-to-left
override in a name can change what the page says around it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..api.public_log import LogQuery, log_page, read_query
from ..api.transparency import report
from ..context import Hub, hub_of
from ..settings import INCIDENT_TYPES

routes = web.RouteTableDef()

TEMPLATES = Path(__file__).with_name("templates")
_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def when(value: str | None) -> Markup:
    """A time as people read it, with the exact one for machines.

    In UTC, said so: the page cannot know its reader's zone, and the same
    times are in the JSON for anyone who wants them converted.
    """
    if not value:
        return Markup("")
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    shown = f"{moment.day} {moment:%b %Y, %H:%M} UTC"
    return Markup('<time datetime="{}">{}</time>').format(value, shown)


_ENV.filters["when"] = when


def isolate(text: str) -> str:
    """Wrap text in FSI…PDI: a ``<bdi>`` for places that take only text (options)."""
    return f"\u2068{text}\u2069"


_ENV.filters["isolate"] = isolate


def _link(q: LogQuery, page: int) -> str:
    """The page's own URL for another page of the same filter."""
    params: dict[str, Any] = {"page": page}
    if q.per_page != LogQuery().per_page:
        params["per_page"] = q.per_page
    if q.agency:
        params["agency"] = q.agency
    if q.incident_type:
        params["incident_type"] = q.incident_type
    return "/?" + urlencode(params)


async def render(hub: Hub, q: LogQuery) -> bytes:
    """The page's HTML for one page of the log."""
    published = await report(hub)
    log = await log_page(hub, q)
    html = _ENV.get_template("public.html").render(
        name=hub.settings.name,
        # The public map (public-map.js) draws on the operator's tiles too.
        tiles_url=hub.settings.tiles_url,
        tiles_attribution=hub.settings.tiles_attribution,
        report=published,
        policy=published["policy"],
        log=log,
        query=q,
        agencies=sorted({a["agency"] for a in published["agencies"]}),
        incident_types=INCIDENT_TYPES,
        previous=_link(q, q.page - 1) if q.page > 1 else None,
        next=_link(q, q.page + 1) if q.page < log["pages"] else None,
    )
    return html.encode()


@routes.get("/")
async def public_page(request: web.Request) -> web.Response:
    """The public page: policy, transparency and the request log."""
    hub = hub_of(request)
    q = read_query(request)

    async def make() -> bytes:
        return await render(hub, q)

    body = await hub.public_cache.get(("page", q), make)
    return web.Response(
        body=body,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "no-cache"},
    )
