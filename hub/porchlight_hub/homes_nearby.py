"""Finding the paired homes around a point: the heart of every fan-out."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from . import db
from .geo import bounding_box, distance_m


async def homes_within(
    conn: AsyncConnection,
    latitude: float,
    longitude: float,
    radius_m: float,
    *,
    include_opted_out: bool,
) -> list[tuple[str, float]]:
    """Paired homes inside the circle, with their distance from its centre.

    The index on (latitude, longitude) narrows to the bounding box; the exact
    great-circle distance decides.
    """
    lat_min, lat_max, lon_min, lon_max = bounding_box(latitude, longitude, radius_m)
    h = db.homes
    query = select(h.c.id, h.c.latitude, h.c.longitude).where(
        h.c.latitude.between(lat_min, lat_max),
        h.c.longitude.between(lon_min, lon_max),
        h.c.token_hash.is_not(None),
    )
    if not include_opted_out:
        query = query.where(h.c.opted_out.is_(False))
    found: list[tuple[str, float]] = []
    for home_id, lat, lon in await conn.execute(query):
        dist = distance_m(latitude, longitude, lat, lon)
        if dist <= radius_m:
            found.append((home_id, dist))
    return found
