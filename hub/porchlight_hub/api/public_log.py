"""The public request log: every request ever made, as anyone may see it.

DESIGN.md §2.6: agency, kind, incident type, window, area, k-anonymous
counts, status and dates; never case numbers, descriptions, contacts,
declines per request, or anything about homes. The rows are chosen column by
column, so a field added to requests later stays private until it is listed
here.

Anyone may poll this, so answers come from :class:`~..cache.PublicCache`:
readers share one query per page until a request changes (or a few seconds
pass), and a crowd of readers does not slow the agencies down.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import Select, func, select

from .. import db
from ..clock import iso
from ..context import Hub, hub_of
from ..errors import ApiError, dumps
from ..settings import INCIDENT_TYPES
from ..validation import query_number
from ..views import k_anon, window_text

routes = web.RouteTableDef()

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 50


@dataclass(frozen=True, slots=True)
class LogQuery:
    """One page of the log, filtered."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE
    agency: str | None = None
    incident_type: str | None = None


def read_query(request: web.Request) -> LogQuery:
    """The page and filters from the query string; 422 names a bad one."""
    page = query_number(request, "page", 1, minimum=1, maximum=1e9, integer=True)
    per_page = query_number(
        request,
        "per_page",
        DEFAULT_PER_PAGE,
        minimum=1,
        maximum=MAX_PER_PAGE,
        integer=True,
    )
    agency = request.query.get("agency", "").strip() or None
    if agency is not None and len(agency) > 120:
        raise ApiError(
            422,
            "invalid_field",
            "The field 'agency' must be at most 120 characters.",
            field="agency",
        )
    incident = request.query.get("incident_type", "").strip() or None
    if incident is not None and incident not in INCIDENT_TYPES:
        raise ApiError(
            422,
            "invalid_field",
            f"The field 'incident_type' must be one of {', '.join(INCIDENT_TYPES)}.",
            field="incident_type",
        )
    return LogQuery(int(page), int(per_page), agency, incident)


def _filtered(query: Select[Any], q: LogQuery) -> Select[Any]:
    r, a = db.requests, db.agencies
    query = query.select_from(r.join(a, a.c.id == r.c.agency_id))
    if q.agency is not None:
        query = query.where(a.c.name == q.agency)
    if q.incident_type is not None:
        query = query.where(r.c.incident_type == q.incident_type)
    return query


def public_entry(row: Any, shares: int) -> dict[str, Any]:
    """One request as the public sees it."""
    status = row["status"]
    ended = iso(row["updated_at"])
    return {
        "id": row["id"],
        "agency": {"name": row["agency_name"], "kind": row["agency_kind"]},
        "incident_type": row["incident_type"],
        "window_start": window_text(row, "window_start"),
        "window_end": window_text(row, "window_end"),
        "area": {
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "radius_m": row["radius_m"],
        },
        "homes_reached": k_anon(row["homes_reached"]),
        "shares": k_anon(shares),
        "status": status,
        "created_at": iso(row["created_at"]),
        "withdrawn_at": ended if status == "withdrawn" else None,
        "closed_at": ended if status == "closed" else None,
        "expires_at": iso(row["expires_at"]),
    }


async def log_page(hub: Hub, q: LogQuery) -> dict[str, Any]:
    """One page of the log, newest first, with the totals for paging."""
    r, a, d = db.requests, db.agencies, db.deliveries
    columns = (
        r.c.id,
        a.c.name.label("agency_name"),
        a.c.kind.label("agency_kind"),
        r.c.incident_type,
        r.c.window_start,
        r.c.window_end,
        r.c.window_start_text,
        r.c.window_end_text,
        r.c.latitude,
        r.c.longitude,
        r.c.radius_m,
        r.c.homes_reached,
        r.c.status,
        r.c.created_at,
        r.c.updated_at,
        r.c.expires_at,
    )
    async with hub.engine.connect() as conn:
        total = int(
            (await conn.execute(_filtered(select(func.count()), q))).scalar_one()
        )
        rows = (
            (
                await conn.execute(
                    _filtered(select(*columns), q)
                    .order_by(r.c.created_at.desc(), r.c.id.desc())
                    .limit(q.per_page)
                    .offset((q.page - 1) * q.per_page)
                )
            )
            .mappings()
            .all()
        )
        shares: dict[str, int] = {}
        if rows:
            counted = await conn.execute(
                select(d.c.request_id, func.count())
                .where(
                    d.c.request_id.in_([row["id"] for row in rows]),
                    d.c.decision == "share",
                )
                .group_by(d.c.request_id)
            )
            shares = {str(k): int(v) for k, v in counted.tuples()}
    return {
        "requests": [public_entry(row, shares.get(row["id"], 0)) for row in rows],
        "page": q.page,
        "per_page": q.per_page,
        "total": total,
        "pages": max(1, math.ceil(total / q.per_page)),
    }


async def cached_json(hub: Hub, q: LogQuery) -> bytes:
    """The page as JSON bytes, through the cache."""

    async def make() -> bytes:
        return dumps(await log_page(hub, q)).encode()

    return await hub.public_cache.get(("log", q), make)


@routes.get("/api/v1/public/requests")
async def public_requests(request: web.Request) -> web.Response:
    """The public request log, newest first, paginated and filterable."""
    hub = hub_of(request)
    body = await cached_json(hub, read_query(request))
    return web.Response(
        body=body,
        content_type="application/json",
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=5"},
    )
