"""Endpoints anyone may call: health, the transparency report, pairing."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import Integer, func, select, update

from . import __version__, db
from .clock import iso, to_ts
from .context import hub_of
from .errors import ApiError, json_response
from .security import hash_secret, new_token, normalise_code
from .validation import Fields, read_json

routes = web.RouteTableDef()


@routes.get("/api/v1/health")
async def health(request: web.Request) -> web.Response:
    """Identify the hub; used by clients before pairing."""
    hub = hub_of(request)
    return json_response(
        {"hub_id": hub.hub_id, "name": hub.settings.name, "version": __version__}
    )


@routes.post("/api/v1/pair")
async def pair(request: web.Request) -> web.Response:
    """Trade a one-time pairing code for a home token."""
    hub = hub_of(request)
    client = request.remote or "unknown"
    wait = hub.pair_limiter.retry_after(client)
    if wait > 0:
        err = ApiError(
            429, "rate_limited", "Too many wrong pairing codes; try again later."
        )
        err.headers = {"Retry-After": str(max(1, round(wait)))}
        raise err
    fields = Fields(await read_json(request))
    code = fields.req_string("code", min_len=1, max_len=64)
    name = fields.string("name", required=False, min_len=1, max_len=100)
    latitude = fields.number("latitude", required=False, minimum=-90, maximum=90)
    longitude = fields.number("longitude", required=False, minimum=-180, maximum=180)
    if (latitude is None) != (longitude is None):
        raise ApiError(
            422,
            "invalid_field",
            "Send latitude and longitude together.",
            field="latitude",
        )
    now = to_ts(hub.clock.now())
    code_hash = hash_secret(normalise_code(code))
    token = new_token()
    async with hub.engine.begin() as conn:
        claimed = await conn.execute(
            update(db.pairing_codes)
            .where(
                db.pairing_codes.c.code_hash == code_hash,
                db.pairing_codes.c.used_at.is_(None),
                db.pairing_codes.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(db.pairing_codes.c.home_id)
        )
        home_id = claimed.scalar_one_or_none()
        if home_id is not None:
            values: dict[str, Any] = {
                "token_hash": hash_secret(token),
                "paired_at": now,
            }
            if name:
                values["name"] = name
            if latitude is not None and longitude is not None:
                values["latitude"] = latitude
                values["longitude"] = longitude
            await conn.execute(
                update(db.homes).where(db.homes.c.id == home_id).values(**values)
            )
            # One pairing per code, and a new pairing retires the others.
            await conn.execute(
                update(db.pairing_codes)
                .where(
                    db.pairing_codes.c.home_id == home_id,
                    db.pairing_codes.c.used_at.is_(None),
                )
                .values(used_at=now)
            )
    if home_id is None:
        hub.pair_limiter.record_failure(client)
        raise ApiError(
            422, "invalid_code", "The pairing code is unknown, used or expired."
        )
    return json_response({"home_id": home_id, "token": token, "hub_id": hub.hub_id})


@routes.get("/api/v1/transparency")
async def transparency(request: web.Request) -> web.Response:
    """Aggregate, per-agency accountability figures; no home is identifiable."""
    hub = hub_of(request)
    r, d, s, c, a = (
        db.requests,
        db.deliveries,
        db.shares,
        db.share_clips,
        db.agencies,
    )
    per: dict[str, dict[str, Any]] = {}
    async with hub.engine.connect() as conn:
        for row in (await conn.execute(select(a).order_by(a.c.name))).mappings():
            per[row["id"]] = {
                "agency": row["name"],
                "kind": row["kind"],
                "requests": 0,
                "requests_withdrawn": 0,
                "homes_reached": 0,
                "shares": 0,
                "declines": 0,
                "clips_shared": 0,
                "clips_deleted_on_schedule": 0,
                "clips_revoked": 0,
                "clip_accesses": 0,
            }
        req_rows = await conn.execute(
            select(
                r.c.agency_id,
                func.count(),
                func.coalesce(func.sum(r.c.homes_reached), 0),
                func.sum((r.c.status == "withdrawn").cast(Integer)),
            ).group_by(r.c.agency_id)
        )
        for agency_id, count, reached, withdrawn in req_rows:
            per[agency_id].update(
                requests=count,
                homes_reached=int(reached),
                requests_withdrawn=int(withdrawn or 0),
            )
        decl = await conn.execute(
            select(r.c.agency_id, func.count())
            .select_from(d.join(r, r.c.id == d.c.request_id))
            .where(d.c.decision == "decline")
            .group_by(r.c.agency_id)
        )
        for agency_id, count in decl:
            per[agency_id]["declines"] = count
        shr = await conn.execute(
            select(s.c.agency_id, func.count()).group_by(s.c.agency_id)
        )
        for agency_id, count in shr:
            per[agency_id]["shares"] = count
        clips = await conn.execute(
            select(
                s.c.agency_id,
                func.sum((c.c.uploaded_at.is_not(None)).cast(Integer)),
                func.sum(
                    (
                        (s.c.deleted_reason == "expired") & c.c.uploaded_at.is_not(None)
                    ).cast(Integer)
                ),
                func.sum(
                    (
                        (s.c.deleted_reason == "revoked") & c.c.uploaded_at.is_not(None)
                    ).cast(Integer)
                ),
            )
            .select_from(c.join(s, s.c.id == c.c.share_id))
            .group_by(s.c.agency_id)
        )
        for agency_id, shared, expired, revoked in clips:
            per[agency_id].update(
                clips_shared=int(shared or 0),
                clips_deleted_on_schedule=int(expired or 0),
                clips_revoked=int(revoked or 0),
            )
        acc = await conn.execute(
            select(db.clip_accesses.c.agency_id, func.count()).group_by(
                db.clip_accesses.c.agency_id
            )
        )
        for agency_id, count in acc:
            per[agency_id]["clip_accesses"] = count
    agencies = list(per.values())
    totals = {
        key: sum(item[key] for item in agencies)
        for key in (
            "requests",
            "requests_withdrawn",
            "homes_reached",
            "shares",
            "declines",
            "clips_shared",
            "clips_deleted_on_schedule",
            "clips_revoked",
            "clip_accesses",
        )
    }
    return json_response(
        {
            "hub_id": hub.hub_id,
            "name": hub.settings.name,
            "generated_at": iso(to_ts(hub.clock.now())),
            "policy": hub.settings.policy.as_report(),
            "totals": totals,
            "agencies": agencies,
        }
    )
