"""Endpoints anyone may call: health and pairing."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select, update

from .. import __version__, db
from ..clock import to_ts
from ..context import hub_of
from ..errors import ApiError, json_response
from ..security import hash_secret, new_token, normalise_code
from ..validation import Fields, read_json
from .home import check_move

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
            home = (
                (await conn.execute(select(db.homes).where(db.homes.c.id == home_id)))
                .mappings()
                .one()
            )
            values: dict[str, Any] = {
                "token_hash": hash_secret(token),
                "paired_at": now,
            }
            # Raising here rolls the claim back: the code still works.
            if (
                latitude is not None
                and longitude is not None
                and check_move(hub, home, latitude, longitude, pairing=True)
            ):
                values["anchor_latitude"] = latitude
                values["anchor_longitude"] = longitude
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
