"""Agency portal sessions: a cookie traded for the API key, kept only as a hash.

The portal must never hold the key (DESIGN.md §2.6), so signing in trades it
for a random session secret in an HttpOnly, SameSite=Strict cookie. The
database keeps only the secret's hash, like every other secret of the hub.

Sessions last a fixed time from sign-in (``session_hours``, 8 by default),
not a sliding one: a forgotten browser ends its session on its own, and an
agency signs in once per shift.

The CSRF token is derived from the session secret (a hash of it), so it
needs no storage, means nothing without the cookie, and a stolen token does
not reveal the cookie.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import delete, insert, select

from . import db
from .clock import to_ts
from .context import Hub
from .errors import ApiError
from .security import hash_secret, new_token

COOKIE = "porchlight_agency"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Expired sessions are kept a day, so a late visitor hears "expired", not "none".
KEEP_EXPIRED_S = 24 * 3600.0


def csrf_token(secret: str) -> str:
    """The CSRF token that goes with a session secret."""
    return hash_secret(f"porchlight-csrf:{secret}")


def cookie_secret(request: web.Request) -> str | None:
    """The session secret the browser sent, if any."""
    value = request.cookies.get(COOKIE, "").strip()
    return value or None


async def open_session(hub: Hub, agency_id: str) -> tuple[str, float]:
    """A new session for the agency: (secret, expiry as epoch seconds)."""
    secret = new_token()
    now = hub.clock.now()
    expires = to_ts(now + timedelta(hours=hub.settings.session_hours))
    async with hub.engine.begin() as conn:
        await conn.execute(
            insert(db.agency_sessions).values(
                token_hash=hash_secret(secret),
                agency_id=agency_id,
                created_at=to_ts(now),
                expires_at=expires,
            )
        )
    return secret, expires


async def session_agency(hub: Hub, secret: str) -> tuple[dict[str, Any], float]:
    """The signed-in agency and the session's expiry, or 401."""
    s, a = db.agency_sessions, db.agencies
    async with hub.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(a, s.c.expires_at.label("session_expires_at"))
                    .select_from(s.join(a, a.c.id == s.c.agency_id))
                    .where(
                        s.c.token_hash == hash_secret(secret),
                        a.c.revoked_at.is_(None),
                    )
                )
            )
            .mappings()
            .first()
        )
    if row is None:
        raise ApiError(401, "no_session", "Not signed in: sign in with the API key.")
    expires = float(row["session_expires_at"])
    if expires <= to_ts(hub.clock.now()):
        raise ApiError(
            401, "session_expired", "The session has expired: sign in again."
        )
    agency = {k: v for k, v in row.items() if k != "session_expires_at"}
    return agency, expires


async def close_session(hub: Hub, secret: str) -> None:
    """Forget a session (sign out)."""
    s = db.agency_sessions
    async with hub.engine.begin() as conn:
        await conn.execute(delete(s).where(s.c.token_hash == hash_secret(secret)))


async def purge_sessions(hub: Hub) -> int:
    """Drop sessions that expired more than a day ago; returns how many."""
    s = db.agency_sessions
    cutoff = to_ts(hub.clock.now()) - KEEP_EXPIRED_S
    async with hub.engine.begin() as conn:
        gone = await conn.execute(delete(s).where(s.c.expires_at < cutoff))
    return int(gone.rowcount or 0)


def check_browser_call(hub: Hub, request: web.Request, secret: str | None) -> None:
    """CSRF defence for a cookie-authenticated call; 403 ``csrf`` if it fails.

    A state-changing call must come from the hub's own origin (when the
    browser says where it comes from) and carry the session's CSRF token,
    which a page of another origin cannot read.
    """
    if request.method in SAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if origin is not None and origin.lower() != hub.proxies.origin(request):
        raise ApiError(
            403, "csrf", "This call came from another site's page; it was refused."
        )
    if secret is None:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not hmac.compare_digest(sent.encode(), csrf_token(secret).encode()):
        raise ApiError(
            403,
            "csrf",
            f"Send the session's csrf_token in the {CSRF_HEADER} header.",
        )
