"""Time-driven duties: retention, request expiry, interrupted uploads.

Runs once at start-up (catching up on everything that expired while the hub
was down) and then every ``sweep_interval_s``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiohttp import web
from sqlalchemy import select

from . import db
from .api.agency import end_request
from .api.shares import LIVE, delete_share
from .clock import to_ts
from .context import HUB, Hub
from .media import clean_tmp, remove_share_files
from .sessions import purge_sessions

_LOGGER = logging.getLogger(__name__)


async def sweep(hub: Hub) -> dict[str, int]:
    """Apply every deadline that has passed; returns what was done."""
    now = to_ts(hub.clock.now())
    s, r = db.shares, db.requests
    async with hub.engine.connect() as conn:
        expired_shares = (
            (
                await conn.execute(
                    select(s).where(s.c.status.in_(LIVE), s.c.expires_at <= now)
                )
            )
            .mappings()
            .all()
        )
        expired_requests = (
            (
                await conn.execute(
                    select(r.c.id).where(r.c.status == "open", r.c.expires_at <= now)
                )
            )
            .scalars()
            .all()
        )
    for share in expired_shares:
        await delete_share(hub, dict(share), "expired")
    for request_id in expired_requests:
        await end_request(hub, request_id, "expired")
    orphans = await _remove_orphans(hub)
    await purge_sessions(hub)
    return {
        "shares_expired": len(expired_shares),
        "requests_expired": len(expired_requests),
        "orphans_removed": orphans,
    }


async def _remove_orphans(hub: Hub) -> int:
    """Remove folders of shares that ended but whose files survived a fault."""
    if not hub.shares_dir.is_dir():
        return 0
    on_disk = {p.name for p in hub.shares_dir.iterdir() if p.is_dir()}
    if not on_disk:
        return 0
    s = db.shares
    async with hub.engine.connect() as conn:
        live = set(
            (
                await conn.execute(
                    select(s.c.id).where(s.c.id.in_(on_disk), s.c.status.in_(LIVE))
                )
            )
            .scalars()
            .all()
        )
    removed = 0
    for name in on_disk - live:
        if await remove_share_files(hub.shares_dir / name):
            removed += 1
    return removed


async def _loop(hub: Hub, stop: asyncio.Event) -> None:
    while True:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(hub.settings.sweep_interval_s):
                await stop.wait()
        if stop.is_set():
            return
        try:
            await sweep(hub)
        except Exception:
            _LOGGER.exception("Sweep failed; will retry")


async def sweeper_ctx(app: web.Application) -> AsyncIterator[None]:
    """Catch up at start-up, then sweep periodically until shutdown."""
    hub = app[HUB]
    await asyncio.get_running_loop().run_in_executor(None, clean_tmp, hub.tmp_dir)
    done = await sweep(hub)
    if any(done.values()):
        _LOGGER.info("Start-up sweep: %s", done)
    stop = asyncio.Event()
    task = asyncio.create_task(_loop(hub, stop))
    yield
    # Let a sweep in progress finish: cancelling it mid-query leaks its
    # database connection (and, on SQLite, that connection's thread).
    stop.set()
    await task
