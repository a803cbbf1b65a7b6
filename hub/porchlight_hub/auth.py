"""Who is calling: a paired home or an agency, by bearer secret or session.

Agencies may also use the portal's session cookie (see :mod:`.sessions`);
with the cookie, state-changing calls need the session's CSRF token. A
bearer key is never sent by a browser on its own, so it needs none.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from sqlalchemy import select

from . import db
from .context import hub_of
from .errors import ApiError
from .security import hash_secret
from .sessions import check_browser_call, cookie_secret, session_agency


def _bearer_or_none(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    api_key = request.headers.get("X-API-Key", "").strip()
    return api_key or None


def _unauthorized() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "Send 'Authorization: Bearer <token>'.",
    )


def _bearer(request: web.Request) -> str:
    secret = _bearer_or_none(request)
    if secret is None:
        raise _unauthorized()
    return secret


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


async def agency_by_key(request: web.Request, key: str) -> dict[str, Any] | None:
    """The agency whose API key this is, unless it was revoked."""
    hub = hub_of(request)
    async with hub.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(db.agencies).where(
                        db.agencies.c.key_hash == hash_secret(key),
                        db.agencies.c.revoked_at.is_(None),
                    )
                )
            )
            .mappings()
            .first()
        )
    return None if row is None else dict(row)


async def require_agency(request: web.Request) -> dict[str, Any]:
    """The agency calling by key or by portal session, or 401 (403 on CSRF)."""
    key = _bearer_or_none(request)
    if key is not None:
        agency = await agency_by_key(request, key)
        if agency is None:
            raise ApiError(401, "invalid_key", "The agency API key is not valid.")
        return agency
    secret = cookie_secret(request)
    if secret is None:
        raise _unauthorized()
    hub = hub_of(request)
    agency, _expires = await session_agency(hub, secret)
    check_browser_call(hub, request, secret)
    return agency
