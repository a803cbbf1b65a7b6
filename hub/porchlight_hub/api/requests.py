"""Video requests as a home receives them, and the home's decision."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import db
from ..auth import require_home
from ..clock import iso, to_ts
from ..context import Hub, hub_of
from ..errors import ApiError, dumps, json_response, not_found
from ..rules import check_retention
from ..security import new_id
from ..settings import CLIP_CONTENT_TYPES, INNER_CONTENT_TYPES, SEALED_CONTENT_TYPE
from ..validation import Fields, query_choice, query_number, read_json
from ..views import home_request_query, request_for_home

routes = web.RouteTableDef()

HOME_STATUSES = ("pending", "shared", "declined", "withdrawn", "expired", "closed")
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_\-:.]{8,128}")
CLIP_ID = re.compile(r"[A-Za-z0-9_\-.:]{1,128}")
SHA256 = re.compile(r"[0-9a-f]{64}")


@routes.get("/api/v1/requests")
async def list_requests(request: web.Request) -> web.Response:
    """Requests delivered to the calling home, newest first."""
    home = await require_home(request)
    hub = hub_of(request)
    status = query_choice(request, "status", HOME_STATUSES)
    limit = int(
        query_number(request, "limit", 500, minimum=1, maximum=1000, integer=True)
    )
    r, d = db.requests, db.deliveries
    query = home_request_query().where(d.c.home_id == home["id"])
    if status == "pending":
        query = query.where(d.c.decision.is_(None), r.c.status == "open")
    elif status == "shared":
        query = query.where(d.c.decision == "share")
    elif status == "declined":
        query = query.where(d.c.decision == "decline")
    elif status is not None:
        query = query.where(d.c.decision.is_(None), r.c.status == status)
    async with hub.engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    query.order_by(d.c.delivered_at.desc(), r.c.id).limit(limit)
                )
            )
            .mappings()
            .all()
        )
    items = [request_for_home(row) for row in rows]
    return json_response({"requests": items, "count": len(items)})


async def _delivered(conn: AsyncConnection, request_id: str, home_id: str) -> Any:
    return (
        (
            await conn.execute(
                home_request_query().where(
                    db.requests.c.id == request_id, db.deliveries.c.home_id == home_id
                )
            )
        )
        .mappings()
        .first()
    )


@routes.get("/api/v1/requests/{request_id}")
async def get_request(request: web.Request) -> web.Response:
    """One request delivered to the calling home."""
    home = await require_home(request)
    hub = hub_of(request)
    async with hub.engine.connect() as conn:
        row = await _delivered(conn, request.match_info["request_id"], home["id"])
    if row is None:
        raise not_found("request")
    return json_response(request_for_home(row))


def _parse_clips(
    raw: list[Any], hub: Hub, window: tuple[float, float]
) -> list[dict[str, Any]]:
    """Check a share's clip manifest: every clip well formed and in the window."""
    if not raw:
        raise ApiError(
            422, "invalid_field", "A share needs at least one clip.", field="clips"
        )
    if len(raw) > hub.settings.max_clips_per_share:
        raise ApiError(
            422,
            "invalid_field",
            f"A share holds at most {hub.settings.max_clips_per_share} clips.",
            field="clips",
        )
    clips: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise ApiError(
                422,
                "invalid_field",
                f"The field 'clips[{index}]' must be an object.",
                field=f"clips[{index}]",
            )
        f = Fields(item, prefix=f"clips[{index}].")
        clip_id = f.req_string("clip_id", pattern=CLIP_ID)
        if clip_id in seen:
            raise ApiError(
                422,
                "invalid_field",
                f"The clip '{clip_id}' is listed twice.",
                field=f"clips[{index}].clip_id",
            )
        seen.add(clip_id)
        start = f.req_timestamp("start")
        end = f.req_timestamp("end")
        if end < start:
            raise ApiError(
                422,
                "invalid_field",
                f"The field 'clips[{index}].end' is before its start.",
                field=f"clips[{index}].end",
            )
        if to_ts(end) < window[0] or to_ts(start) > window[1]:
            raise ApiError(
                422,
                "clip_outside_window",
                f"The clip '{clip_id}' does not overlap the request's window.",
                field=f"clips[{index}]",
            )
        size = f.req_number("size", minimum=1, integer=True)
        if size > hub.settings.max_clip_bytes:
            raise ApiError(
                413,
                "clip_too_large",
                f"The clip '{clip_id}' is larger than this hub accepts"
                f" ({hub.settings.max_clip_bytes} bytes).",
                field=f"clips[{index}].size",
            )
        clips.append(
            {
                "clip_id": clip_id,
                "camera": f.req_string("camera", min_len=1, max_len=128),
                "start": to_ts(start),
                "end": to_ts(end),
                **_sealing(f, hub, index),
                "size": int(size),
                "sha256": f.req_string("sha256", pattern=SHA256).lower(),
            }
        )
    return clips


def _sealing(f: Fields, hub: Hub, index: int) -> dict[str, Any]:
    """A clip's content type, and for a sealed one what it holds.

    The hub is not trusted with footage (principle 8): unless its operator
    allowed unsealed clips, only ``application/age`` is taken.
    """
    content_type = f.req_string("content_type", choices=CLIP_CONTENT_TYPES)
    if content_type != SEALED_CONTENT_TYPE:
        if not hub.settings.allow_unsealed:
            raise ApiError(
                422,
                "unsealed_clip",
                "This hub takes sealed clips only: encrypt each clip to the"
                " request's agency_recipient with age and announce it as"
                f" {SEALED_CONTENT_TYPE}, with inner_content_type and"
                " plaintext_sha256.",
                field=f"clips[{index}].content_type",
            )
        return {"content_type": content_type}
    return {
        "content_type": content_type,
        "inner_content_type": f.req_string(
            "inner_content_type", choices=INNER_CONTENT_TYPES
        ),
        "plaintext_sha256": f.req_string("plaintext_sha256", pattern=SHA256),
    }


async def _pseudonym(conn: AsyncConnection, agency_id: str, home_id: str) -> None:
    """Give the home a per-agency number, once."""
    p = db.pseudonyms
    exists = await conn.execute(
        select(p.c.number).where(p.c.agency_id == agency_id, p.c.home_id == home_id)
    )
    if exists.first() is not None:
        return
    top = await conn.execute(
        select(func.coalesce(func.max(p.c.number), 0)).where(p.c.agency_id == agency_id)
    )
    await conn.execute(
        insert(p).values(
            agency_id=agency_id, home_id=home_id, number=top.scalar_one() + 1
        )
    )


def _replay(row: Any, key: str, digest: str) -> web.Response | None:
    """The stored answer for a repeated idempotency key, or a conflict."""
    if row["idempotency_key"] == key:
        if row["decision_digest"] != digest:
            raise ApiError(
                409,
                "idempotency_conflict",
                "This idempotency key was used with a different decision.",
            )
        return web.Response(
            text=row["decision_response"], content_type="application/json"
        )
    return None


@routes.post("/api/v1/requests/{request_id}/decision")
async def decide(request: web.Request) -> web.Response:
    """Share or decline, exactly once per request; safe to retry."""
    home = await require_home(request)
    hub = hub_of(request)
    body = await read_json(request)
    fields = Fields(body)
    decision = fields.req_string("decision", choices=("share", "decline"))
    key = fields.req_string("idempotency_key", pattern=IDEMPOTENCY_KEY)
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()
    request_id = request.match_info["request_id"]
    now_dt = hub.clock.now()
    now = to_ts(now_dt)
    d = db.deliveries
    async with hub.engine.begin() as conn:
        row = await _delivered(conn, request_id, home["id"])
        if row is None:
            raise not_found("request")
        replay = _replay(row, key, digest)
        if replay is not None:
            return replay
        if row["decision"] is not None:
            raise ApiError(
                409,
                "already_decided",
                f"This request was already decided ({row['decision']}).",
            )
        if row["status"] != "open" or row["expires_at"] <= now:
            state = row["status"] if row["status"] != "open" else "expired"
            raise ApiError(
                409,
                "request_closed",
                f"This request is {state} and takes no decisions.",
            )
        response: dict[str, Any]
        share_id: str | None = None
        if decision == "decline":
            response = {
                "request_id": request_id,
                "decision": "decline",
                "status": "declined",
            }
        else:
            policy = hub.settings.policy
            retention = fields.number("retention_days", required=False)
            days = check_retention(
                retention
                if retention is not None
                else min(policy.default_retention_days, policy.max_retention_days),
                policy,
            )
            clips = _parse_clips(
                fields.array("clips") or [],
                hub,
                (row["window_start"], row["window_end"]),
            )
            share_id = new_id("shr")
            expires = to_ts(now_dt + timedelta(days=days))
            await conn.execute(
                insert(db.shares).values(
                    id=share_id,
                    request_id=request_id,
                    home_id=home["id"],
                    agency_id=row["agency_id"],
                    retention_days=days,
                    status="uploading",
                    created_at=now,
                    expires_at=expires,
                )
            )
            await conn.execute(
                insert(db.share_clips),
                [{"id": new_id("clp"), "share_id": share_id, **c} for c in clips],
            )
            await _pseudonym(conn, row["agency_id"], home["id"])
            response = {
                "request_id": request_id,
                "decision": "share",
                "share_id": share_id,
                "status": "uploading",
                "retention_days": days,
                "expires_at": iso(expires),
                "clips": [{"clip_id": c["clip_id"], "uploaded": False} for c in clips],
            }
        text = dumps(response)
        claimed = await conn.execute(
            update(d)
            .where(
                d.c.request_id == request_id,
                d.c.home_id == home["id"],
                d.c.decision.is_(None),
            )
            .values(
                decision=decision,
                decided_at=now,
                idempotency_key=key,
                decision_digest=digest,
                decision_response=text,
                share_id=share_id,
            )
        )
        if claimed.rowcount != 1:
            raise ApiError(409, "already_decided", "This request was already decided.")
    if decision == "share":
        hub.requests_changed()
    return web.Response(text=text, content_type="application/json")
