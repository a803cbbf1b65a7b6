"""What an agency can do: ask narrowly, follow up, fetch consented clips."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select, update

from .. import db
from ..auth import require_agency
from ..clock import iso, to_ts
from ..context import Hub, hub_of
from ..errors import ApiError, json_response, not_found
from ..security import new_id
from ..validation import Fields, read_json
from ..views import (
    home_request_query,
    neighbour,
    request_for_agency,
    request_for_home,
)
from .alerts import broadcast_alert, parse_alert

routes = web.RouteTableDef()


async def _shares(hub: Hub, request_id: str) -> int:
    """How many homes shared; declines are never counted per request."""
    d = db.deliveries
    async with hub.engine.connect() as conn:
        return int(
            (
                await conn.execute(
                    select(func.count()).where(
                        d.c.request_id == request_id, d.c.decision == "share"
                    )
                )
            ).scalar_one()
        )


async def _own_request(hub: Hub, agency_id: str, request_id: str) -> dict[str, Any]:
    r = db.requests
    async with hub.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(r).where(r.c.id == request_id, r.c.agency_id == agency_id)
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise not_found("request")
    return dict(row)


@routes.get("/api/v1/agency")
async def profile(request: web.Request) -> web.Response:
    """Who the key belongs to, and the public keys the hub hands to homes.

    An agency's client compares these with its own identity before it signs,
    so a mistyped registration shows up at once, not as refused requests.
    """
    agency = await require_agency(request)
    return json_response(
        {
            "agency_id": agency["id"],
            "name": agency["name"],
            "kind": agency["kind"],
            "agency_recipient": agency["recipient"],
            "agency_signing_key": agency["signing_key"],
            "keys_updated_at": iso(agency["keys_updated_at"]),
        }
    )


@routes.get("/api/v1/agency/requests")
async def list_requests(request: web.Request) -> web.Response:
    """The agency's own requests, newest first."""
    agency = await require_agency(request)
    hub = hub_of(request)
    r = db.requests
    async with hub.engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    select(r)
                    .where(r.c.agency_id == agency["id"])
                    .order_by(r.c.created_at.desc())
                )
            )
            .mappings()
            .all()
        )
    items = [request_for_agency(row, await _shares(hub, row["id"])) for row in rows]
    return json_response({"requests": items, "count": len(items)})


@routes.get("/api/v1/agency/requests/{request_id}")
async def get_request(request: web.Request) -> web.Response:
    """One of the agency's own requests, with aggregate answers."""
    agency = await require_agency(request)
    hub = hub_of(request)
    row = await _own_request(hub, agency["id"], request.match_info["request_id"])
    return json_response(request_for_agency(row, await _shares(hub, row["id"])))


async def end_request(hub: Hub, request_id: str, status: str) -> dict[str, Any]:
    """Move an open request to a final status and tell every home it reached."""
    r = db.requests
    now = to_ts(hub.clock.now())
    async with hub.engine.begin() as conn:
        changed = await conn.execute(
            update(r)
            .where(r.c.id == request_id, r.c.status == "open")
            .values(status=status, updated_at=now)
        )
        rows = (
            (await conn.execute(home_request_query().where(r.c.id == request_id)))
            .mappings()
            .all()
        )
        row = (
            (await conn.execute(select(r).where(r.c.id == request_id))).mappings().one()
        )
    if changed.rowcount == 1:
        hub.requests_changed()
        for delivery in rows:
            hub.broker.publish(
                delivery["home_id"], "request.updated", request_for_home(delivery)
            )
    return dict(row)


async def _finish(request: web.Request, status: str) -> web.Response:
    agency = await require_agency(request)
    hub = hub_of(request)
    row = await _own_request(hub, agency["id"], request.match_info["request_id"])
    if row["status"] != "open":
        raise ApiError(
            409, "request_closed", f"This request is already {row['status']}."
        )
    row = await end_request(hub, row["id"], status)
    return json_response(request_for_agency(row, await _shares(hub, row["id"])))


@routes.post("/api/v1/agency/requests/{request_id}/withdraw")
async def withdraw(request: web.Request) -> web.Response:
    """The agency no longer needs footage; homes stop being asked."""
    return await _finish(request, "withdrawn")


@routes.post("/api/v1/agency/requests/{request_id}/close")
async def close(request: web.Request) -> web.Response:
    """The case is closed; no further decisions are taken."""
    return await _finish(request, "closed")


@routes.get("/api/v1/agency/requests/{request_id}/shares")
async def request_shares(request: web.Request) -> web.Response:
    """Clips shared for one request, each home only as a pseudonym."""
    agency = await require_agency(request)
    hub = hub_of(request)
    row = await _own_request(hub, agency["id"], request.match_info["request_id"])
    s, c, p = db.shares, db.share_clips, db.pseudonyms
    async with hub.engine.connect() as conn:
        shares = (
            (
                await conn.execute(
                    select(s, p.c.number)
                    .select_from(
                        s.join(
                            p,
                            (p.c.agency_id == s.c.agency_id)
                            & (p.c.home_id == s.c.home_id),
                        )
                    )
                    .where(s.c.request_id == row["id"], s.c.agency_id == agency["id"])
                    .order_by(p.c.number)
                )
            )
            .mappings()
            .all()
        )
        clips = (
            (
                await conn.execute(
                    select(c)
                    .where(c.c.share_id.in_([x["id"] for x in shares]))
                    .order_by(c.c.start)
                )
            )
            .mappings()
            .all()
        )
    by_share: dict[str, list[dict[str, Any]]] = {x["id"]: [] for x in shares}
    for clip in clips:
        live = clip["stored_path"] is not None and clip["deleted_at"] is None
        by_share[clip["share_id"]].append(
            {
                "id": clip["id"],
                "camera": clip["camera"],
                "start": iso(clip["start"]),
                "end": iso(clip["end"]),
                "content_type": clip["content_type"],
                "inner_content_type": clip["inner_content_type"],
                "plaintext_sha256": clip["plaintext_sha256"],
                "size": clip["size"],
                "sha256": clip["sha256"],
                "available": live,
                "url": f"/api/v1/agency/clips/{clip['id']}" if live else None,
            }
        )
    items = [
        {
            "share_id": x["id"],
            "neighbour": neighbour(x["number"]),
            "status": x["status"],
            "shared_at": iso(x["created_at"]),
            "expires_at": iso(x["expires_at"]),
            "deleted_at": iso(x["deleted_at"]),
            "clips": by_share[x["id"]],
        }
        for x in shares
    ]
    return json_response(
        {"request_id": row["id"], "shares": items, "count": len(items)}
    )


@routes.get("/api/v1/agency/clips/{clip_id}")
async def get_clip(request: web.Request) -> web.StreamResponse:
    """Serve a consented clip; every access is logged and told to its home."""
    agency = await require_agency(request)
    hub = hub_of(request)
    s, c = db.shares, db.share_clips
    async with hub.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(
                        c,
                        s.c.home_id,
                        s.c.request_id,
                        s.c.status.label("share_status"),
                    )
                    .select_from(c.join(s, s.c.id == c.c.share_id))
                    .where(
                        c.c.id == request.match_info["clip_id"],
                        s.c.agency_id == agency["id"],
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise not_found("clip")
    if row["share_status"] not in ("uploading", "complete") or row["deleted_at"]:
        raise ApiError(
            410, "gone", "This clip was deleted: its share was revoked or expired."
        )
    if row["stored_path"] is None:
        raise ApiError(409, "not_uploaded", "This clip has not been uploaded yet.")
    path = hub.shares_dir / row["stored_path"]
    if not path.is_file():
        raise ApiError(410, "gone", "This clip is no longer stored.")
    now_dt = hub.clock.now()
    async with hub.engine.begin() as conn:
        await conn.execute(
            insert(db.clip_accesses).values(
                share_clip_id=row["id"],
                agency_id=agency["id"],
                accessed_at=to_ts(now_dt),
            )
        )
    hub.broker.publish(
        row["home_id"],
        "share.accessed",
        {
            "share_id": row["share_id"],
            "request_id": row["request_id"],
            "clip_id": row["clip_id"],
            "agency": agency["name"],
            "agency_kind": agency["kind"],
            "accessed_at": iso(to_ts(now_dt)),
        },
    )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": row["content_type"],
            "X-Content-SHA256": row["sha256"],
            "Cache-Control": "no-store",
        },
    )


@routes.post("/api/v1/agency/alerts")
async def post_alert(request: web.Request) -> web.Response:
    """An official alert (category ``police``) at a stated location."""
    agency = await require_agency(request)
    hub = hub_of(request)
    body = await read_json(request)
    body.setdefault("category", "police")
    fields = Fields(body)
    values = parse_alert(fields, hub, ("police",))
    row = {
        "id": new_id("alr"),
        "home_id": None,
        "agency_id": agency["id"],
        "latitude": fields.req_number("latitude", minimum=-90, maximum=90),
        "longitude": fields.req_number("longitude", minimum=-180, maximum=180),
        "created_at": to_ts(hub.clock.now()),
        "agency_name": agency["name"],
        **values,
    }
    async with hub.engine.begin() as conn:
        await conn.execute(
            insert(db.alerts).values(
                **{k: v for k, v in row.items() if k != "agency_name"}
            )
        )
    await broadcast_alert(hub, row)
    return json_response(
        {
            "id": row["id"],
            "category": row["category"],
            "title": row["title"],
            "description": row["description"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "created_at": iso(row["created_at"]),
        },
        status=201,
    )
