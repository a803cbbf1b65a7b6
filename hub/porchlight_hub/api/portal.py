"""What the agency portal needs beyond the request API.

``GET /agency/portal`` gives the map its setting: tiles if the operator
configured them, the §2.3 policy, and a coarse grid of how many homes live
where, so a circle can be placed sensibly with no tiles at all. The grid is
coarse on purpose (500 m cells, counts below 5 read "<5"): the agency learns
where homes are about as well as a street map would tell it, never where one
home is.

``POST /agency/requests/check`` is the real intake's validation without the
signature and without delivering anything, so the portal shows the hub's own
messages as the agency types.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from aiohttp import web
from sqlalchemy import select

from .. import db
from ..auth import require_agency
from ..context import Hub, hub_of
from ..errors import json_response
from ..geo import METRES_PER_DEGREE_LAT
from ..rules import check_case_limit
from ..settings import INCIDENT_TYPES
from ..validation import read_json
from ..views import k_anon
from .intake import case_count, check_draft

routes = web.RouteTableDef()


def density_cells(
    points: list[tuple[float, float]], cell_m: float
) -> list[dict[str, Any]]:
    """Homes counted per square cell of ``cell_m``, at each cell's centre."""
    counts: Counter[tuple[int, int]] = Counter()
    for lat, lon in points:
        row = math.floor(lat * METRES_PER_DEGREE_LAT / cell_m)
        counts[(row, _column(row, lon, cell_m))] += 1
    cells = []
    for (row, col), homes in sorted(counts.items()):
        lat = (row + 0.5) * cell_m / METRES_PER_DEGREE_LAT
        cells.append(
            {
                "latitude": round(lat, 5),
                "longitude": round((col + 0.5) * cell_m / _lon_metres(row, cell_m), 5),
                "homes": k_anon(homes),
            }
        )
    return cells


def _lon_metres(row: int, cell_m: float) -> float:
    """Metres per degree of longitude along a row's centre latitude."""
    lat = (row + 0.5) * cell_m / METRES_PER_DEGREE_LAT
    return METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6)


def _column(row: int, lon: float, cell_m: float) -> int:
    return math.floor(lon * _lon_metres(row, cell_m) / cell_m)


async def _density(hub: Hub) -> dict[str, Any]:
    h = db.homes
    async with hub.engine.connect() as conn:
        rows = await conn.execute(
            select(h.c.latitude, h.c.longitude).where(h.c.opted_out.is_(False))
        )
        points = [(float(lat), float(lon)) for lat, lon in rows]
    cell_m = hub.settings.density_cell_m
    return {"cell_m": cell_m, "cells": density_cells(points, cell_m)}


@routes.get("/api/v1/agency/portal")
async def portal(request: web.Request) -> web.Response:
    """The portal's setting: hub, tiles, policy, incident types, home density."""
    await require_agency(request)
    hub = hub_of(request)
    settings = hub.settings
    tiles = None
    if settings.tiles_url:
        tiles = {"url": settings.tiles_url, "attribution": settings.tiles_attribution}
    return json_response(
        {
            "hub": {"hub_id": hub.hub_id, "name": settings.name},
            "tiles": tiles,
            "policy": settings.policy.as_report(),
            "incident_types": list(INCIDENT_TYPES),
            "density": await _density(hub),
        }
    )


@routes.post("/api/v1/agency/requests/check")
async def check(request: web.Request) -> web.Response:
    """Would this request pass? The same 422 the real POST gives, or ok."""
    agency = await require_agency(request)
    hub = hub_of(request)
    policy = hub.settings.policy
    body = await read_json(request)
    draft = check_draft(body, agency, hub.clock.now(), policy)
    async with hub.engine.connect() as conn:
        existing = await case_count(conn, agency["id"], draft.case_number)
    check_case_limit(existing, policy)
    return json_response({"ok": True})
