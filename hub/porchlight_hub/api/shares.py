"""A home's shares: uploading the consented clips, listing, revoking."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import func, select, update

from .. import db
from ..auth import require_home
from ..clock import to_ts
from ..context import Hub, hub_of
from ..errors import ApiError, json_response, not_found
from ..media import receive_clip, remove_share_files
from ..settings import SEALED_CONTENT_TYPE
from ..views import share_for_home

routes = web.RouteTableDef()

LIVE = ("uploading", "complete")


async def _clips_of(hub: Hub, share_ids: list[str]) -> dict[str, list[Any]]:
    c = db.share_clips
    out: dict[str, list[Any]] = {sid: [] for sid in share_ids}
    if not share_ids:
        return out
    async with hub.engine.connect() as conn:
        rows = await conn.execute(
            select(c)
            .where(c.c.share_id.in_(share_ids))
            .order_by(c.c.start, c.c.clip_id)
        )
        for row in rows.mappings():
            out[row["share_id"]].append(row)
    return out


async def _own_share(hub: Hub, home_id: str, share_id: str) -> dict[str, Any]:
    async with hub.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(db.shares).where(
                        db.shares.c.id == share_id, db.shares.c.home_id == home_id
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise not_found("share")
    return dict(row)


@routes.get("/api/v1/shares")
async def list_shares(request: web.Request) -> web.Response:
    """Every share the home made, newest first, with its clips."""
    home = await require_home(request)
    hub = hub_of(request)
    async with hub.engine.connect() as conn:
        shares = (
            (
                await conn.execute(
                    select(db.shares)
                    .where(db.shares.c.home_id == home["id"])
                    .order_by(db.shares.c.created_at.desc())
                )
            )
            .mappings()
            .all()
        )
    clips = await _clips_of(hub, [s["id"] for s in shares])
    items = [share_for_home(s, clips[s["id"]]) for s in shares]
    return json_response({"shares": items, "count": len(items)})


@routes.get("/api/v1/shares/{share_id}")
async def get_share(request: web.Request) -> web.Response:
    """One share, to resume an upload after a restart."""
    home = await require_home(request)
    hub = hub_of(request)
    share = await _own_share(hub, home["id"], request.match_info["share_id"])
    clips = await _clips_of(hub, [share["id"]])
    return json_response(share_for_home(share, clips[share["id"]]))


async def delete_share(hub: Hub, share: dict[str, Any], reason: str) -> dict[str, Any]:
    """End a share: files first, then the record, then tell the home.

    Shared by revocation and retention so both leave the same trace.
    """
    now = to_ts(hub.clock.now())
    removed = await remove_share_files(hub.shares_dir / share["id"])
    async with hub.engine.begin() as conn:
        await conn.execute(
            update(db.shares)
            .where(db.shares.c.id == share["id"], db.shares.c.status.in_(LIVE))
            .values(status=reason, deleted_at=now, deleted_reason=reason)
        )
        await conn.execute(
            update(db.share_clips)
            .where(db.share_clips.c.share_id == share["id"])
            .values(deleted_at=now)
        )
    clips = (await _clips_of(hub, [share["id"]]))[share["id"]]
    updated = {**share, "status": reason, "deleted_at": now, "deleted_reason": reason}
    view = share_for_home(updated, clips)
    view["files_removed"] = removed
    hub.broker.publish(
        share["home_id"],
        "share.deleted",
        {
            "share_id": share["id"],
            "request_id": share["request_id"],
            "reason": reason,
            "deleted_at": view["deleted_at"],
            "clip_ids": [c["clip_id"] for c in clips],
        },
    )
    return view


@routes.delete("/api/v1/shares/{share_id}")
async def revoke_share(request: web.Request) -> web.Response:
    """Revoke: files deleted now, the agency gets 410 from here on."""
    home = await require_home(request)
    hub = hub_of(request)
    share = await _own_share(hub, home["id"], request.match_info["share_id"])
    if share["status"] not in LIVE:
        clips = await _clips_of(hub, [share["id"]])
        return json_response(share_for_home(share, clips[share["id"]]))
    return json_response(await delete_share(hub, share, "revoked"))


@routes.put("/api/v1/shares/{share_id}/clips/{clip_id}")
async def upload_clip(request: web.Request) -> web.Response:
    """Receive one clip of a share, streamed to disk and verified."""
    home = await require_home(request)
    hub = hub_of(request)
    share = await _own_share(hub, home["id"], request.match_info["share_id"])
    if share["status"] not in LIVE:
        raise ApiError(410, "share_gone", f"This share was {share['status']}.")
    c = db.share_clips
    async with hub.engine.connect() as conn:
        clip = (
            (
                await conn.execute(
                    select(c).where(
                        c.c.share_id == share["id"],
                        c.c.clip_id == request.match_info["clip_id"],
                    )
                )
            )
            .mappings()
            .first()
        )
    if clip is None:
        raise not_found("clip in this share")
    if clip["stored_path"] is not None:
        return json_response(
            {
                "clip_id": clip["clip_id"],
                "status": "stored",
                "share_status": share["status"],
            }
        )
    max_bytes = hub.settings.max_clip_bytes
    length = request.content_length
    if length is not None and length > max_bytes:
        raise ApiError(
            413, "payload_too_large", f"A clip may be at most {max_bytes} bytes."
        )
    if request.content_type != clip["content_type"]:
        raise ApiError(
            415,
            "content_type_mismatch",
            f"This clip was announced as {clip['content_type']}.",
        )
    if length is not None and length != clip["size"]:
        raise ApiError(
            422,
            "size_mismatch",
            f"The upload has {length} bytes; the manifest says {clip['size']}.",
        )
    relative = f"{share['id']}/{clip['id']}"
    await receive_clip(
        request.content.iter_any(),
        hub.tmp_dir,
        hub.shares_dir / relative,
        expected_size=clip["size"],
        expected_sha256=clip["sha256"],
        max_bytes=max_bytes,
        sealed=clip["content_type"] == SEALED_CONTENT_TYPE,
    )
    now = to_ts(hub.clock.now())
    async with hub.engine.begin() as conn:
        current = (
            await conn.execute(
                select(db.shares.c.status).where(db.shares.c.id == share["id"])
            )
        ).scalar_one()
        if current in LIVE:
            await conn.execute(
                update(c)
                .where(c.c.id == clip["id"], c.c.stored_path.is_(None))
                .values(stored_path=relative, uploaded_at=now)
            )
            missing = (
                await conn.execute(
                    select(func.count()).where(
                        c.c.share_id == share["id"], c.c.stored_path.is_(None)
                    )
                )
            ).scalar_one()
            if missing == 0:
                current = "complete"
                await conn.execute(
                    update(db.shares)
                    .where(db.shares.c.id == share["id"])
                    .values(status="complete")
                )
    if current not in LIVE:
        # Revoked or expired while the bytes were arriving: keep nothing.
        await remove_share_files(hub.shares_dir / share["id"])
        raise ApiError(410, "share_gone", f"This share was {current}.")
    return json_response(
        {"clip_id": clip["clip_id"], "status": "stored", "share_status": current},
        status=201,
    )
