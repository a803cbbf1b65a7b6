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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import db
from ..clock import iso
from ..context import Hub, hub_of
from ..errors import ApiError, dumps
from ..settings import INCIDENT_TYPES
from ..validation import query_choice, query_number
from ..views import area_of, k_anon, window_text

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
    incident = query_choice(request, "incident_type", INCIDENT_TYPES)
    return LogQuery(int(page), int(per_page), agency, incident)


async def _where(conn: AsyncConnection, q: LogQuery) -> list[Any] | None:
    """The filter as conditions on requests alone; None when nothing can match.

    The agency's name is resolved to its ids first, so the page query walks
    requests by ``ix_requests_created`` instead of joining and sorting.
    """
    r, a = db.requests, db.agencies
    conditions: list[Any] = []
    if q.agency is not None:
        ids = (await conn.execute(select(a.c.id).where(a.c.name == q.agency))).scalars()
        found = list(ids)
        if not found:
            return None
        conditions.append(r.c.agency_id.in_(found))
    if q.incident_type is not None:
        conditions.append(r.c.incident_type == q.incident_type)
    return conditions


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
        "area": area_of(row),
        "homes_reached": k_anon(row["homes_reached"]),
        "shares": k_anon(shares),
        "status": status,
        "created_at": iso(row["created_at"]),
        "withdrawn_at": ended if status == "withdrawn" else None,
        "closed_at": ended if status == "closed" else None,
        "expires_at": iso(row["expires_at"]),
    }


async def log_page(hub: Hub, q: LogQuery) -> dict[str, Any]:
    """One page of the log, newest first, with the totals for paging.

    Two queries: the count, and the page with its agency and share count as
    per-row subqueries (a join would let the planner leave the index).
    """
    r, a, d = db.requests, db.agencies, db.deliveries
    columns = (
        r.c.id,
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
        select(a.c.name)
        .where(a.c.id == r.c.agency_id)
        .scalar_subquery()
        .label("agency_name"),
        select(a.c.kind)
        .where(a.c.id == r.c.agency_id)
        .scalar_subquery()
        .label("agency_kind"),
        select(func.count())
        .where(d.c.request_id == r.c.id, d.c.decision == "share")
        .scalar_subquery()
        .label("shares"),
    )
    total = 0
    rows: Sequence[Any] = ()
    async with hub.engine.connect() as conn:
        where = await _where(conn, q)
        if where is not None:
            total = int(
                (
                    await conn.execute(
                        select(func.count()).select_from(r).where(*where)
                    )
                ).scalar_one()
            )
            rows = (
                (
                    await conn.execute(
                        select(*columns)
                        .where(*where)
                        .order_by(r.c.created_at.desc(), r.c.id.desc())
                        .limit(q.per_page)
                        .offset((q.page - 1) * q.per_page)
                    )
                )
                .mappings()
                .all()
            )
    return {
        "requests": [public_entry(row, int(row["shares"])) for row in rows],
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
