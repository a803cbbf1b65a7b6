"""The agency portal's session: sign in, CSRF, sign out, expiry, limits, TLS.

Everything goes over HTTP as a browser would send it: the cookie is read
from ``Set-Cookie`` and sent back in ``Cookie`` by hand, because aiohttp's
client (rightly) keeps no cookies for a bare IP address like 127.0.0.1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

from sqlalchemy import select

from porchlight_hub import admin, db
from porchlight_hub.context import HUB
from porchlight_hub.security import hash_secret
from porchlight_hub.sessions import COOKIE, csrf_token
from porchlight_hub.sweeper import sweep

from .conftest import HubHarness, HubMaker, call_raw, open_request

SESSION = "/api/v1/agency/session"


@dataclass
class SignedIn:
    """A browser signed in to the portal."""

    cookie: str
    csrf: str
    body: dict[str, Any]
    set_cookie: str

    @property
    def jar(self) -> dict[str, str]:
        return {"Cookie": f"{COOKIE}={self.cookie}"}

    @property
    def with_csrf(self) -> dict[str, str]:
        return {**self.jar, "X-CSRF-Token": self.csrf}


async def sign_in(
    hub: HubHarness, key: str, headers: dict[str, str] | None = None
) -> SignedIn:
    async with hub.session.post(
        f"{hub.url}{SESSION}", json={"api_key": key}, headers=headers or {}
    ) as resp:
        body = await resp.json()
        assert resp.status == 200, body
        (raw,) = resp.headers.getall("Set-Cookie")
    parsed: SimpleCookie = SimpleCookie()
    parsed.load(raw)
    return SignedIn(parsed[COOKIE].value, body["csrf_token"], body, raw)


async def raw_call(
    hub: HubHarness,
    method: str,
    path: str,
    *,
    json_body: Any = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, Any]:
    """(status, JSON body or None, headers)."""
    if json_body is not None:
        headers = {**(headers or {}), "Content-Type": "application/json"}
    resp = await call_raw(
        hub,
        method,
        path,
        data=None if json_body is None else json.dumps(json_body),
        headers=headers,
    )
    body = resp.json() if resp.content_type == "application/json" else None
    return resp.status, body, resp.headers


def attributes(set_cookie: str) -> set[str]:
    """The cookie's attributes, lower-cased, values kept: {'httponly', 'path=/'}."""
    return {part.strip().lower() for part in set_cookie.split(";")[1:]}


async def test_sign_in_sets_a_strict_http_only_cookie(hub: HubHarness) -> None:
    agency = await hub.add_agency("City Police")
    signed = await sign_in(hub, agency.secret)
    attrs = attributes(signed.set_cookie)
    assert {"httponly", "samesite=strict", "path=/", "max-age=28800"} <= attrs
    assert "secure" not in attrs  # plain HTTP, no trusted proxy
    assert len(signed.cookie) >= 43  # 32 random bytes, URL-safe base64
    assert signed.cookie != agency.secret
    assert signed.body["agency"] == {
        "agency_id": agency.id,
        "name": "City Police",
        "kind": "police",
        "agency_recipient": agency.identity.recipient if agency.identity else None,
        "agency_signing_key": agency.identity.signing_key if agency.identity else None,
    }
    assert signed.csrf == csrf_token(signed.cookie) != signed.cookie
    expected = hub.clock.now() + timedelta(hours=8)
    assert signed.body["expires_at"] == expected.isoformat().replace("+00:00", "Z")

    # Stored only as a hash.
    async with hub.engine.connect() as conn:
        stored = (await conn.execute(select(db.agency_sessions))).mappings().all()
    assert [row["token_hash"] for row in stored] == [hash_secret(signed.cookie)]
    assert signed.cookie not in repr([dict(row) for row in stored])

    # GET answers the same, and sets no new cookie.
    status, body, headers = await raw_call(hub, "GET", SESSION, headers=signed.jar)
    assert (status, body) == (200, signed.body)
    assert "Set-Cookie" not in headers


async def test_the_cookie_works_on_every_agency_route(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    signed = await sign_in(hub, agency.secret)
    status, body, _ = await raw_call(
        hub, "GET", "/api/v1/agency/requests", headers=signed.jar
    )
    assert status == 200, body
    assert [r["id"] for r in body["requests"]] == [req["id"]]
    status, body, _ = await raw_call(hub, "GET", "/api/v1/agency", headers=signed.jar)
    assert (status, body["agency_id"]) == (200, agency.id)


async def test_changes_by_cookie_need_the_csrf_token(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    signed = await sign_in(hub, agency.secret)
    withdraw = f"/api/v1/agency/requests/{req['id']}/withdraw"

    status, body, _ = await raw_call(hub, "POST", withdraw, headers=signed.jar)
    assert (status, body["error"]) == (403, "csrf")
    wrong = {**signed.jar, "X-CSRF-Token": csrf_token("another session")}
    status, body, _ = await raw_call(hub, "POST", withdraw, headers=wrong)
    assert (status, body["error"]) == (403, "csrf")
    foreign = {**signed.with_csrf, "Origin": "https://evil.example"}
    status, body, _ = await raw_call(hub, "POST", withdraw, headers=foreign)
    assert (status, body["error"]) == (403, "csrf")
    # Still open: none of the refused calls did anything.
    status, body = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}")
    assert body["status"] == "open"

    own = {**signed.with_csrf, "Origin": hub.url}
    status, body, _ = await raw_call(hub, "POST", withdraw, headers=own)
    assert (status, body["status"]) == (200, "withdrawn")


async def test_a_bearer_key_needs_no_csrf_token(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    # A key is never sent by a browser on its own: no token, any Origin.
    status, body = await agency.call(
        "POST",
        f"/api/v1/agency/requests/{req['id']}/close",
        headers={"Origin": "https://elsewhere.example"},
    )
    assert (status, body["status"]) == (200, "closed")
    # And the key wins over a stale cookie sent alongside it.
    status, body = await agency.call(
        "GET", "/api/v1/agency", headers={"Cookie": f"{COOKIE}=stale"}
    )
    assert status == 200, body


async def test_sign_out_ends_the_session(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    signed = await sign_in(hub, agency.secret)
    status, body, _ = await raw_call(hub, "DELETE", SESSION, headers=signed.jar)
    assert (status, body["error"]) == (403, "csrf")
    status, _, headers = await raw_call(
        hub, "DELETE", SESSION, headers=signed.with_csrf
    )
    assert status == 204
    cleared = headers["Set-Cookie"]
    assert cleared.startswith(f'{COOKIE}=""') or cleared.startswith(f"{COOKIE}=;")
    assert "max-age=0" in attributes(cleared)
    async with hub.engine.connect() as conn:
        assert (await conn.execute(select(db.agency_sessions))).first() is None
    for method, path in (
        ("GET", SESSION),
        ("GET", "/api/v1/agency/requests"),
        ("GET", "/api/v1/agency/portal"),
        ("POST", "/api/v1/agency/requests/check"),
    ):
        status, body, _ = await raw_call(
            hub, method, path, json_body={}, headers=signed.with_csrf
        )
        assert (status, body["error"]) == (401, "no_session"), (method, path)
    status, body, _ = await raw_call(hub, "GET", SESSION)
    assert (status, body["error"]) == (401, "no_session")


async def test_an_expired_session_says_so(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    signed = await sign_in(hub, agency.secret)
    hub.clock.advance(timedelta(hours=8) - timedelta(seconds=1))
    status, _, _ = await raw_call(hub, "GET", SESSION, headers=signed.jar)
    assert status == 200  # fixed lifetime: using it did not extend it
    hub.clock.advance(timedelta(seconds=1))
    for path in (SESSION, "/api/v1/agency/requests"):
        status, body, _ = await raw_call(hub, "GET", path, headers=signed.jar)
        assert (status, body["error"]) == (401, "session_expired"), path
    # A day later the sweeper forgets it altogether.
    hub.clock.advance(timedelta(days=1, seconds=1))
    await sweep(hub.runner.app[HUB])
    status, body, _ = await raw_call(hub, "GET", SESSION, headers=signed.jar)
    assert (status, body["error"]) == (401, "no_session")


async def test_a_revoked_agency_loses_its_sessions(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    signed = await sign_in(hub, agency.secret)
    await admin.revoke_agency(hub.engine, agency.id)
    status, body, _ = await raw_call(hub, "GET", SESSION, headers=signed.jar)
    assert (status, body["error"]) == (401, "no_session")


async def test_wrong_keys_are_rate_limited_per_client(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(signin_failures_allowed=3, trusted_proxies=("127.0.0.1",))
    agency = await hub.add_agency()
    alice = {"X-Forwarded-For": "203.0.113.7"}
    for _ in range(3):
        status, body, _ = await raw_call(
            hub, "POST", SESSION, json_body={"api_key": "guess"}, headers=alice
        )
        assert (status, body["error"]) == (401, "bad_key")
    status, body, headers = await raw_call(
        hub, "POST", SESSION, json_body={"api_key": agency.secret}, headers=alice
    )
    assert (status, body["error"]) == (429, "rate_limited")
    assert 1 <= int(headers["Retry-After"]) <= 60
    # Another browser behind the same proxy is not locked out.
    signed = await sign_in(hub, agency.secret, {"X-Forwarded-For": "198.51.100.2"})
    assert signed.body["agency"]["agency_id"] == agency.id


async def test_sign_ins_are_limited_per_agency(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(signins_per_agency=2)
    agency, other = await hub.add_agency("A"), await hub.add_agency("B")
    await sign_in(hub, agency.secret)
    await sign_in(hub, agency.secret)
    status, body, headers = await raw_call(
        hub, "POST", SESSION, json_body={"api_key": agency.secret}
    )
    assert (status, body["error"]) == (429, "rate_limited")
    assert int(headers["Retry-After"]) >= 1
    await sign_in(hub, other.secret)


async def test_sign_in_refuses_another_sites_page(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    status, body, _ = await raw_call(
        hub,
        "POST",
        SESSION,
        json_body={"api_key": agency.secret},
        headers={"Origin": "https://evil.example"},
    )
    assert (status, body["error"]) == (403, "csrf")


async def test_cookie_is_secure_only_over_tls_from_a_trusted_proxy(
    tuned_hub: HubMaker,
) -> None:
    https = {"X-Forwarded-Proto": "https"}
    untrusted = await tuned_hub()
    agency = await untrusted.add_agency()
    signed = await sign_in(untrusted, agency.secret, https)
    assert "secure" not in attributes(signed.set_cookie)

    elsewhere = await tuned_hub(trusted_proxies=("10.0.0.0/8",))
    agency = await elsewhere.add_agency()
    signed = await sign_in(elsewhere, agency.secret, https)
    assert "secure" not in attributes(signed.set_cookie)

    proxied = await tuned_hub(trusted_proxies=("10.0.0.0/8", "127.0.0.1/32"))
    agency = await proxied.add_agency()
    signed = await sign_in(proxied, agency.secret, https)
    assert "secure" in attributes(signed.set_cookie)
    plain = await sign_in(proxied, agency.secret)
    assert "secure" not in attributes(plain.set_cookie)

    # Behind the proxy the browser's origin is https://<its host>.
    req = await open_request(proxied, agency)
    host = proxied.url.removeprefix("http://")
    headers = {**signed.with_csrf, **https, "Origin": f"https://{host}"}
    status, body, _ = await raw_call(
        proxied,
        "POST",
        f"/api/v1/agency/requests/{req['id']}/withdraw",
        headers=headers,
    )
    assert (status, body["status"]) == (200, "withdrawn")
