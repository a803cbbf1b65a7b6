"""The public transparency report: what each agency asked and got, in aggregate.

Agencies learn nothing about who declined (DESIGN.md §2.5): declines appear
only here, per agency and ISO calendar week, and only for weeks that have
ended, so a decline can never be timed against one request. Every count that
comes from homes' answers reads ``"<5"`` below 5.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import Integer, func, select

from .. import db
from ..clock import iso, to_ts
from ..context import Hub, hub_of
from ..errors import json_response
from ..views import k_anon

routes = web.RouteTableDef()

# ISO weeks start on Monday; the Monday before the Unix epoch (a Thursday).
WEEK_ZERO = datetime(1969, 12, 29, tzinfo=UTC)
WEEK_S = 7 * 24 * 3600
EXACT = ("requests", "requests_withdrawn")
FROM_HOMES = (
    "homes_reached",
    "shares",
    "clips_shared",
    "clips_deleted_on_schedule",
    "clips_revoked",
    "clip_accesses",
)


def week_index(ts: float) -> int:
    """Which ISO week (counted from WEEK_ZERO) a time falls in."""
    return int((ts - WEEK_ZERO.timestamp()) // WEEK_S)


def week_label(index: int) -> str:
    """``2026-W23`` for a week index."""
    year, week, _ = (WEEK_ZERO + timedelta(weeks=index)).isocalendar()
    return f"{year}-W{week:02d}"


async def _raw_counts(conn: Any) -> dict[str, dict[str, Any]]:
    r, s, c, a = db.requests, db.shares, db.share_clips, db.agencies
    per: dict[str, dict[str, Any]] = {}
    for row in (await conn.execute(select(a).order_by(a.c.name))).mappings():
        per[row["id"]] = {
            "agency": row["name"],
            "kind": row["kind"],
            "first_request": None,
            **dict.fromkeys((*EXACT, *FROM_HOMES), 0),
        }
    req_rows = await conn.execute(
        select(
            r.c.agency_id,
            func.count(),
            func.coalesce(func.sum(r.c.homes_reached), 0),
            func.sum((r.c.status == "withdrawn").cast(Integer)),
            func.min(r.c.created_at),
        ).group_by(r.c.agency_id)
    )
    for agency_id, count, reached, withdrawn, first in req_rows:
        per[agency_id].update(
            requests=count,
            homes_reached=int(reached),
            requests_withdrawn=int(withdrawn or 0),
            first_request=first,
        )
    shr = await conn.execute(
        select(s.c.agency_id, func.count()).group_by(s.c.agency_id)
    )
    for agency_id, count in shr:
        per[agency_id]["shares"] = count
    uploaded = c.c.uploaded_at.is_not(None)
    clips = await conn.execute(
        select(
            s.c.agency_id,
            func.sum(uploaded.cast(Integer)),
            func.sum(((s.c.deleted_reason == "expired") & uploaded).cast(Integer)),
            func.sum(((s.c.deleted_reason == "revoked") & uploaded).cast(Integer)),
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
    return per


async def _declines(conn: Any, before: float) -> dict[tuple[str, int], int]:
    """Declines per (agency, week), for the weeks that ended before ``before``.

    Grouped here rather than in SQL: week arithmetic on floats is not portable
    between SQLite and PostgreSQL, and a report is read rarely.
    """
    r, d = db.requests, db.deliveries
    rows = await conn.execute(
        select(r.c.agency_id, d.c.decided_at)
        .select_from(d.join(r, r.c.id == d.c.request_id))
        .where(d.c.decision == "decline", d.c.decided_at < before)
    )
    out: dict[tuple[str, int], int] = {}
    for agency_id, decided_at in rows:
        key = (agency_id, week_index(decided_at))
        out[key] = out.get(key, 0) + 1
    return out


def _publish(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        **{key: raw[key] for key in EXACT},
        **{key: k_anon(raw[key]) for key in FROM_HOMES},
    }


async def raw_counts(hub: Hub) -> dict[str, dict[str, Any]]:
    """Exact per-agency figures by agency id: the operator's view, unpublished."""
    async with hub.engine.connect() as conn:
        return await _raw_counts(conn)


async def report(hub: Hub) -> dict[str, Any]:
    """The report as published: by the JSON route and on the public page."""
    now = to_ts(hub.clock.now())
    this_week = week_index(now)
    async with hub.engine.connect() as conn:
        per = await _raw_counts(conn)
        week_start = WEEK_ZERO.timestamp() + this_week * WEEK_S
        declines = await _declines(conn, week_start)
    agencies = []
    for agency_id, raw in per.items():
        weeks = []
        if raw["first_request"] is not None:
            weeks = [
                {
                    "week": week_label(w),
                    "declines": k_anon(declines.get((agency_id, w), 0)),
                }
                for w in range(week_index(raw["first_request"]), this_week)
            ]
        agencies.append(
            {
                "agency": raw["agency"],
                "kind": raw["kind"],
                **_publish(raw),
                "declines_by_week": weeks,
            }
        )
    totals = {
        key: sum(raw[key] for raw in per.values()) for key in (*EXACT, *FROM_HOMES)
    }
    return {
        "hub_id": hub.hub_id,
        "name": hub.settings.name,
        "generated_at": iso(now),
        "policy": hub.settings.policy.as_report(),
        "totals": _publish(totals),
        "agencies": agencies,
    }


@routes.get("/api/v1/transparency")
async def transparency(request: web.Request) -> web.Response:
    """Aggregate, per-agency accountability figures; no home is identifiable."""
    return json_response(await report(hub_of(request)))
