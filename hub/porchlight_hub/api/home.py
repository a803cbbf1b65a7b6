"""A home's own profile: name, location and the opt-out switch."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select, update

from .. import db
from ..auth import require_home
from ..clock import iso
from ..context import Hub, hub_of
from ..errors import ApiError, json_response
from ..geo import distance_m
from ..validation import Fields, read_json

routes = web.RouteTableDef()


def home_view(row: dict[str, Any], hub_id: str) -> dict[str, Any]:
    """The home as it sees itself."""
    return {
        "home_id": row["id"],
        "hub_id": hub_id,
        "name": row["name"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "opted_out": bool(row["opted_out"]),
        "created_at": iso(row["created_at"]),
        "paired_at": iso(row["paired_at"]),
    }


def check_move(
    hub: Hub, home: Any, latitude: float, longitude: float, *, pairing: bool = False
) -> bool:
    """Refuse to move a home far from where the operator put it (§2.5).

    Requests are delivered by location, so a home that could move itself
    anywhere could put itself inside any circle it liked. A home whose
    operator left its place open (only the demo does) is placed where it
    first pairs; returns True when that pairing fixes the place.
    """
    anchor_lat = home["anchor_latitude"]
    anchor_lon = home["anchor_longitude"]
    if anchor_lat is None or anchor_lon is None:
        if pairing:
            return True
        anchor_lat, anchor_lon = home["latitude"], home["longitude"]
    away = distance_m(anchor_lat, anchor_lon, latitude, longitude)
    limit = hub.settings.max_home_move_m
    if away > limit:
        raise ApiError(
            422,
            "location_locked",
            f"This home's location was set by the hub's operator; it may move at"
            f" most {limit:g} m from there, and this is {away:.0f} m away. Ask the"
            f" operator to run `porchlight-hub home move --home {home['id']}"
            " --lat … --lon …`.",
            field="latitude",
        )
    return False


@routes.get("/api/v1/home")
async def get_home(request: web.Request) -> web.Response:
    """Read the calling home's profile."""
    home = await require_home(request)
    return json_response(home_view(home, hub_of(request).hub_id))


@routes.patch("/api/v1/home")
async def patch_home(request: web.Request) -> web.Response:
    """Change name, location or opt-out; the home's streams hear of it."""
    home = await require_home(request)
    hub = hub_of(request)
    fields = Fields(await read_json(request))
    values: dict[str, Any] = {}
    opted_out = fields.boolean("opted_out", required=False)
    if opted_out is not None:
        values["opted_out"] = opted_out
    name = fields.string("name", required=False, min_len=1, max_len=100)
    if name is not None:
        values["name"] = name
    latitude = fields.number("latitude", required=False, minimum=-90, maximum=90)
    longitude = fields.number("longitude", required=False, minimum=-180, maximum=180)
    if (latitude is None) != (longitude is None):
        raise ApiError(
            422,
            "invalid_field",
            "Send latitude and longitude together.",
            field="latitude",
        )
    if latitude is not None and longitude is not None:
        check_move(hub, home, latitude, longitude)
        values["latitude"] = latitude
        values["longitude"] = longitude
    if not values:
        raise ApiError(
            422,
            "invalid_body",
            "Send at least one of opted_out, name, latitude and longitude.",
        )
    async with hub.engine.begin() as conn:
        await conn.execute(
            update(db.homes).where(db.homes.c.id == home["id"]).values(**values)
        )
        row = (
            (await conn.execute(select(db.homes).where(db.homes.c.id == home["id"])))
            .mappings()
            .one()
        )
    view = home_view(dict(row), hub.hub_id)
    hub.broker.publish(home["id"], "home.updated", view)
    return json_response(view)
