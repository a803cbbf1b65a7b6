"""Signing in to the agency portal: the API key traded for a session cookie.

``POST`` signs in, ``GET`` says who is signed in (the portal calls it on
load), ``DELETE`` signs out. Wrong keys are rate limited per client address,
and sign-ins per agency, so neither guessing keys nor minting sessions with
a leaked one goes unchecked.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web

from ..auth import agency_by_key
from ..clock import iso
from ..context import Hub, hub_of
from ..errors import ApiError, json_response
from ..security import FailureLimiter
from ..sessions import (
    COOKIE,
    check_browser_call,
    close_session,
    cookie_secret,
    csrf_token,
    open_session,
    session_agency,
)
from ..validation import Fields, read_json

routes = web.RouteTableDef()
PATH = "/api/v1/agency/session"


def _session_body(agency: dict[str, Any], secret: str, expires: float) -> Any:
    return {
        "agency": {
            "agency_id": agency["id"],
            "name": agency["name"],
            "kind": agency["kind"],
            "agency_recipient": agency["recipient"],
            "agency_signing_key": agency["signing_key"],
        },
        "csrf_token": csrf_token(secret),
        "expires_at": iso(expires),
    }


def _limited(limiter: FailureLimiter, client: str, message: str) -> None:
    wait = limiter.retry_after(client)
    if wait > 0:
        err = ApiError(429, "rate_limited", message)
        err.headers = {"Retry-After": str(max(1, round(wait)))}
        raise err


def _set_cookie(
    hub: Hub, request: web.Request, resp: web.StreamResponse, value: str, age: int
) -> None:
    resp.set_cookie(
        COOKIE,
        value,
        max_age=age,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=hub.proxies.is_tls(request),
    )


def _signed_in_secret(request: web.Request) -> str:
    secret = cookie_secret(request)
    if secret is None:
        raise ApiError(401, "no_session", "Not signed in: sign in with the API key.")
    return secret


@routes.post(PATH)
async def sign_in(request: web.Request) -> web.Response:
    """Trade the API key for an HttpOnly session cookie and a CSRF token."""
    hub = hub_of(request)
    client = hub.proxies.client_ip(request)
    _limited(hub.signin_limiter, client, "Too many wrong API keys; try again later.")
    # No cookie yet, so only the origin can be checked: no signing a browser
    # in to someone else's agency from another site's page.
    check_browser_call(hub, request, None)
    fields = Fields(await read_json(request))
    key = fields.req_string("api_key", min_len=1, max_len=256)
    agency = await agency_by_key(request, key)
    if agency is None:
        hub.signin_limiter.record_failure(client)
        raise ApiError(401, "bad_key", "The API key is not valid.")
    _limited(
        hub.agency_signin_limiter,
        agency["id"],
        "Too many sign-ins for this agency; try again later.",
    )
    # Counted as "failures" of the limiter: each sign-in uses up the allowance.
    hub.agency_signin_limiter.record_failure(agency["id"])
    secret, expires = await open_session(hub, agency["id"])
    resp = json_response(_session_body(agency, secret, expires))
    _set_cookie(hub, request, resp, secret, round(hub.settings.session_hours * 3600))
    return resp


@routes.get(PATH)
async def current(request: web.Request) -> web.Response:
    """Who is signed in, and the CSRF token to send with changes."""
    hub = hub_of(request)
    secret = _signed_in_secret(request)
    agency, expires = await session_agency(hub, secret)
    return json_response(_session_body(agency, secret, expires))


@routes.delete(PATH)
async def sign_out(request: web.Request) -> web.Response:
    """End the session on the hub and clear the cookie."""
    hub = hub_of(request)
    secret = _signed_in_secret(request)
    await session_agency(hub, secret)
    check_browser_call(hub, request, secret)
    await close_session(hub, secret)
    resp = web.Response(status=204)
    _set_cookie(hub, request, resp, "", 0)
    return resp
