"""Neighbourhood alerts: posting, reading nearby ones, commenting."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import and_, case, func, insert, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import ColumnElement

from .. import db
from ..auth import require_home
from ..clock import to_ts
from ..context import Hub, hub_of
from ..errors import ApiError, json_response, not_found
from ..geo import bounding_box, coarsen, distance_m
from ..homes_nearby import homes_within
from ..security import new_id
from ..settings import HOME_ALERT_CATEGORIES
from ..validation import Fields, query_number, query_time, read_json
from ..views import alert_view, comment_view

routes = web.RouteTableDef()

SAMPLE = 4096
WALK_MIN_HITS = 32


def _alert_query() -> Any:
    al, ag = db.alerts, db.agencies
    return select(al, ag.c.name.label("agency_name")).select_from(
        al.outerjoin(ag, ag.c.id == al.c.agency_id)
    )


async def broadcast_alert(hub: Hub, alert: dict[str, Any]) -> None:
    """Tell every paired home within the broadcast radius, with its distance."""
    async with hub.engine.connect() as conn:
        targets = await homes_within(
            conn,
            alert["latitude"],
            alert["longitude"],
            hub.settings.alert_broadcast_radius_m,
            include_opted_out=True,
        )
    for home_id, dist in targets:
        if hub.broker.connected(home_id):
            hub.broker.publish(
                home_id, "alert.created", alert_view(alert, dist, home_id)
            )


def parse_alert(
    fields: Fields, hub: Hub, categories: tuple[str, ...]
) -> dict[str, Any]:
    """The fields common to a neighbour's and an agency's alert."""
    policy = hub.settings.policy
    return {
        "category": fields.req_string("category", choices=categories),
        "title": fields.req_string("title", min_len=1, max_len=policy.title_max),
        "description": fields.string(
            "description", required=False, max_len=policy.description_max
        )
        or "",
    }


@routes.post("/api/v1/alerts")
async def post_alert(request: web.Request) -> web.Response:
    """A neighbour's alert; its location is coarsened to a ~100 m grid."""
    home = await require_home(request)
    hub = hub_of(request)
    fields = Fields(await read_json(request))
    values = parse_alert(fields, hub, HOME_ALERT_CATEGORIES)
    lat = fields.number("latitude", required=False, minimum=-90, maximum=90)
    lon = fields.number("longitude", required=False, minimum=-180, maximum=180)
    if (lat is None) != (lon is None):
        raise ApiError(
            422,
            "invalid_field",
            "Send latitude and longitude together.",
            field="latitude",
        )
    if lat is None or lon is None:
        lat, lon = home["latitude"], home["longitude"]
    elif (
        distance_m(home["latitude"], home["longitude"], lat, lon)
        > hub.settings.max_alert_post_distance_m
    ):
        raise ApiError(
            422,
            "invalid_field",
            "An alert must be within"
            f" {hub.settings.max_alert_post_distance_m:g} m of your home.",
            field="latitude",
        )
    lat, lon = coarsen(lat, lon)
    row = {
        "id": new_id("alr"),
        "home_id": home["id"],
        "agency_id": None,
        "latitude": lat,
        "longitude": lon,
        "created_at": to_ts(hub.clock.now()),
        **values,
    }
    async with hub.engine.begin() as conn:
        await conn.execute(insert(db.alerts).values(**row))
    await broadcast_alert(hub, row)
    own = distance_m(home["latitude"], home["longitude"], lat, lon)
    return json_response(alert_view(row, own, home["id"]), status=201)


async def _walk_newest_first(
    conn: AsyncConnection,
    box: tuple[float, float, float, float],
    since_ts: float | None,
) -> bool:
    """Whether walking the time index beats searching the place index.

    Without statistics SQLite always searches the place index and then sorts
    the whole box: quick for a quiet corner, hundreds of milliseconds where
    alerts are dense. The newest alerts, read from the covering time index in
    well under a millisecond, tell which case this is.
    """
    al = db.alerts
    recent = select(al.c.latitude, al.c.longitude)
    if since_ts is not None:
        recent = recent.where(al.c.created_at >= since_ts)
    sub = recent.order_by(al.c.created_at.desc()).limit(SAMPLE).subquery()
    inside = and_(
        sub.c.latitude.between(box[0], box[1]),
        sub.c.longitude.between(box[2], box[3]),
    )
    total, hits = (
        await conn.execute(
            select(func.count(), func.coalesce(func.sum(case((inside, 1))), 0))
        )
    ).one()
    return bool(total < SAMPLE or hits >= WALK_MIN_HITS)


@routes.get("/api/v1/alerts")
async def list_alerts(request: web.Request) -> web.Response:
    """Alerts near the calling home, newest first.

    Where alerts are dense, walks the time index newest-first inside the
    bounding box, in batches, until ``limit`` alerts fall inside the circle:
    the cost follows the answer size, not the number of alerts stored. Where
    they are sparse, the place index finds the few in the box faster.
    """
    home = await require_home(request)
    hub = hub_of(request)
    radius = query_number(
        request,
        "radius_m",
        1600,
        minimum=1,
        maximum=hub.settings.max_alert_query_radius_m,
    )
    limit = int(
        query_number(request, "limit", 100, minimum=1, maximum=500, integer=True)
    )
    since = query_time(request, "since")
    lat0, lon0 = home["latitude"], home["longitude"]
    box = bounding_box(lat0, lon0, radius)
    since_ts = None if since is None else to_ts(since)
    al = db.alerts
    found: list[dict[str, Any]] = []
    cursor: tuple[float, str] | None = None
    batch = max(limit * 2, 64)
    async with hub.engine.connect() as conn:
        lat: ColumnElement[Any] = al.c.latitude
        lon: ColumnElement[Any] = al.c.longitude
        if await _walk_newest_first(conn, box, since_ts):
            # An expression is not indexable: the planner walks time instead.
            lat, lon = lat + literal_column("0"), lon + literal_column("0")
        base = _alert_query().where(
            lat.between(box[0], box[1]), lon.between(box[2], box[3])
        )
        if since_ts is not None:
            base = base.where(al.c.created_at >= since_ts)
        while len(found) < limit:
            query = base
            if cursor is not None:
                query = query.where(
                    or_(
                        al.c.created_at < cursor[0],
                        and_(al.c.created_at == cursor[0], al.c.id < cursor[1]),
                    )
                )
            rows = (
                (
                    await conn.execute(
                        query.order_by(al.c.created_at.desc(), al.c.id.desc()).limit(
                            batch
                        )
                    )
                )
                .mappings()
                .all()
            )
            for row in rows:
                dist = distance_m(lat0, lon0, row["latitude"], row["longitude"])
                if dist <= radius:
                    found.append(alert_view(row, dist, home["id"]))
                    if len(found) == limit:
                        break
            if len(rows) < batch:
                break
            cursor = (rows[-1]["created_at"], rows[-1]["id"])
    return json_response({"alerts": found, "count": len(found)})


async def _visible_alert(
    hub: Hub, home: dict[str, Any], alert_id: str
) -> dict[str, Any]:
    """An alert the home may read: one within the hub's query radius."""
    async with hub.engine.connect() as conn:
        row = (
            (await conn.execute(_alert_query().where(db.alerts.c.id == alert_id)))
            .mappings()
            .first()
        )
    if row is None:
        raise not_found("alert")
    alert = dict(row)
    dist = distance_m(
        home["latitude"], home["longitude"], alert["latitude"], alert["longitude"]
    )
    if dist > hub.settings.max_alert_query_radius_m:
        raise not_found("alert")
    alert["_distance"] = dist
    return alert


@routes.get("/api/v1/alerts/{alert_id}")
async def get_alert(request: web.Request) -> web.Response:
    """One alert with its comments."""
    home = await require_home(request)
    hub = hub_of(request)
    alert = await _visible_alert(hub, home, request.match_info["alert_id"])
    c, ag = db.alert_comments, db.agencies
    async with hub.engine.connect() as conn:
        comments = (
            (
                await conn.execute(
                    select(c, ag.c.name.label("agency_name"))
                    .select_from(c.outerjoin(ag, ag.c.id == c.c.agency_id))
                    .where(c.c.alert_id == alert["id"])
                    .order_by(c.c.created_at, c.c.id)
                )
            )
            .mappings()
            .all()
        )
    view = alert_view(alert, alert["_distance"], home["id"])
    view["comments"] = [
        comment_view(row, home["id"], row["agency_name"]) for row in comments
    ]
    return json_response(view)


@routes.post("/api/v1/alerts/{alert_id}/comments")
async def comment_alert(request: web.Request) -> web.Response:
    """Comment on an alert; homes that heard of the alert hear of the comment."""
    home = await require_home(request)
    hub = hub_of(request)
    alert = await _visible_alert(hub, home, request.match_info["alert_id"])
    fields = Fields(await read_json(request))
    text = fields.req_string("text", min_len=1, max_len=hub.settings.policy.comment_max)
    row = {
        "id": new_id("cmt"),
        "alert_id": alert["id"],
        "home_id": home["id"],
        "agency_id": None,
        "text": text,
        "created_at": to_ts(hub.clock.now()),
    }
    async with hub.engine.begin() as conn:
        await conn.execute(insert(db.alert_comments).values(**row))
        targets = await homes_within(
            conn,
            alert["latitude"],
            alert["longitude"],
            hub.settings.alert_broadcast_radius_m,
            include_opted_out=True,
        )
    for target, _dist in targets:
        hub.broker.publish(
            target,
            "alert.comment",
            {
                "alert_id": alert["id"],
                "comment": comment_view(row, target),
            },
        )
    return json_response(comment_view(row, home["id"]), status=201)


__all__ = ["broadcast_alert", "parse_alert", "routes"]
