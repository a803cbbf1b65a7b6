"""Who is calling: a paired home or an agency, by bearer secret."""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from . import db
from .context import hub_of
from .errors import ApiError
from .security import hash_secret


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    api_key = request.headers.get("X-API-Key", "").strip()
    if api_key:
        return api_key
    raise ApiError(
        401,
        "unauthorized",
        "Send 'Authorization: Bearer <token>'.",
    )


async def require_home(request: web.Request) -> dict[str, Any]:
    """The paired home whose token this is, or 401."""
    token_hash = hash_secret(_bearer(request))
    hub = hub_of(request)
    async with hub.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(db.homes).where(db.homes.c.token_hash == token_hash)
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise ApiError(401, "invalid_token", "The home token is not valid.")
    return dict(row)


async def require_agency(request: web.Request) -> dict[str, Any]:
    """The agency whose key this is, or 401."""
    key_hash = hash_secret(_bearer(request))
    hub = hub_of(request)
    async with hub.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(db.agencies).where(
                        db.agencies.c.key_hash == key_hash,
                        db.agencies.c.revoked_at.is_(None),
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise ApiError(401, "invalid_key", "The agency API key is not valid.")
    return dict(row)
