"""The portal's dry-run check, its building blocks, and the serve options for it.

``POST /agency/requests/check`` promises the very answer the real POST would
give, so every case here sends the same body to both and compares.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from porchlight_hub import admin, cli
from porchlight_hub.cache import PublicCache
from porchlight_hub.proxy import parse_networks
from porchlight_hub.web.headers import content_security_policy, tile_origin

from .conftest import CENTRE, Client, HubHarness, iso, open_request
from .test_cli import call_main

CHECK = "/api/v1/agency/requests/check"
POST = "/api/v1/agency/requests"


def _cases(hub: HubHarness) -> list[dict[str, Any]]:
    now = hub.clock.now()
    area = {"latitude": CENTRE[0], "longitude": CENTRE[1], "radius_m": 400}
    base = hub.request_body()
    return [
        {k: v for k, v in base.items() if k != "contact"},
        {**base, "case_number": "<script>"},
        {**base, "incident_type": "jaywalking"},
        {**base, "window_start": iso(now - timedelta(hours=14))},
        {**base, "window_end": iso(now + timedelta(hours=1))},
        {
            **base,
            "window_start": iso(now - timedelta(days=50)),
            "window_end": iso(now - timedelta(days=49, hours=23)),
        },
        {**base, "area": {**area, "radius_m": 50}},
        {**base, "area": {**area, "latitude": 91}},
        {**base, "description": "   "},
        {**base, "window_start": "2026-06-01T10:00:00+02:00"},
        {**base, "area": "here"},
    ]


async def test_check_answers_what_the_real_post_answers(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    seen = set()
    for body in _cases(hub):
        checked = await agency.call("POST", CHECK, body)
        posted = await agency.call("POST", POST, body)
        assert checked == posted, body
        assert checked[0] == 422
        seen.add(checked[1].get("rule") or checked[1]["error"])
        assert "field" in checked[1], checked[1]
    assert {
        "missing_field",
        "case_number",
        "incident_type",
        "window_length",
        "window_in_future",
        "window_age",
        "area_size",
        "invalid_field",
    } <= seen
    # Nothing was made by any of it.
    _, listed = await agency.call("GET", POST)
    assert listed["count"] == 0


async def test_check_passes_a_good_draft_and_counts_the_case(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    body = hub.request_body()
    assert await agency.call("POST", CHECK, body) == (200, {"ok": True})
    await open_request(hub, agency)
    await open_request(hub, agency)
    checked = await agency.call("POST", CHECK, body)
    posted = await agency.call("POST", POST, body)
    assert checked == posted
    assert (checked[1]["rule"], checked[1]["field"]) == (
        "case_request_limit",
        "case_number",
    )
    assert (
        "homes_reached"
        not in (await agency.call("POST", CHECK, hub.request_body(case_number="X-1")))[
            1
        ]
    )


async def test_check_refuses_what_the_agency_may_not_send(hub: HubHarness) -> None:
    federal = await hub.add_agency("Bureau", "federal")
    checked = await federal.call("POST", CHECK, hub.request_body())
    assert checked == await federal.call("POST", POST, hub.request_body())
    assert checked[1]["rule"] == "agency_kind"
    keyless = Client(hub, (await admin.add_agency(hub.engine, "Old", "police")).api_key)
    checked = await keyless.call("POST", CHECK, hub.request_body())
    assert (checked[0], checked[1]["error"]) == (422, "agency_keys_missing")
    status, body = await hub.call("POST", CHECK, hub.request_body())
    assert (status, body["error"]) == (401, "unauthorized")


# --- building blocks ------------------------------------------------------------


async def test_the_cache_computes_once_for_concurrent_readers() -> None:
    cache = PublicCache(ttl_s=60)
    calls = 0
    gate = asyncio.Event()

    async def make() -> bytes:
        nonlocal calls
        calls += 1
        await gate.wait()
        return f"v{calls}".encode()

    readers = [asyncio.create_task(cache.get("k", make)) for _ in range(50)]
    await asyncio.sleep(0.01)
    gate.set()
    assert set(await asyncio.gather(*readers)) == {b"v1"}
    assert calls == 1
    assert await cache.get("k", make) == b"v1"
    cache.changed()
    assert await cache.get("k", make) == b"v2"


async def test_the_cache_expires_evicts_and_passes_errors_on() -> None:
    cache = PublicCache(ttl_s=0, max_entries=2)
    values = iter([b"a", b"b"])

    async def make() -> bytes:
        return next(values)

    assert await cache.get("k", make) == b"a"
    assert await cache.get("k", make) == b"b"  # ttl 0: never reused

    async def boom() -> bytes:
        raise RuntimeError("db down")

    with pytest.raises(RuntimeError, match="db down"):
        await cache.get("x", boom)

    kept = PublicCache(ttl_s=60, max_entries=2)
    for key in ("a", "b", "c"):
        await kept.get(key, lambda key=key: _const(key))
    assert await kept.get("a", lambda: _const("new")) == b"new"  # evicted
    assert await kept.get("c", lambda: _const("other")) == b"c"


async def _const(value: str) -> bytes:
    return value.encode()


async def test_a_change_during_a_computation_is_not_cached() -> None:
    cache = PublicCache(ttl_s=60)

    async def stale() -> bytes:
        cache.changed()
        return b"stale"

    assert await cache.get("k", stale) == b"stale"
    assert await cache.get("k", lambda: _const("fresh")) == b"fresh"


def test_tile_templates() -> None:
    assert tile_origin("https://{s}.tile.osm.org/{z}/{x}/{y}.png") == (
        "https://*.tile.osm.org"
    )
    assert tile_origin("http://tiles.local:8080/{z}/{x}/{y}.png") == (
        "http://tiles.local:8080"
    )
    for bad in (
        "ftp://tiles/{z}/{x}/{y}.png",
        "https://tiles.example/{z}/{x}.png",
        "https://{a}.b.example/{z}/{x}/{y}",
        "https://x.example;script-src *//{z}/{x}/{y}",
        "/relative/{z}/{x}/{y}.png",
    ):
        with pytest.raises(ValueError, match="tile URL"):
            tile_origin(bad)
    assert "img-src 'self' data: blob:;" in content_security_policy(None)


def test_proxy_networks() -> None:
    nets = parse_networks(["10.0.0.0/8", "::1", " 192.168.1.7 "])
    assert [str(n) for n in nets] == ["10.0.0.0/8", "::1/128", "192.168.1.7/32"]
    with pytest.raises(ValueError, match="not an IP address"):
        parse_networks(["proxy.local"])


def test_serve_options_reach_the_settings(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: dict[str, Any] = {}

    async def fake_serve(settings: Any) -> None:
        seen["settings"] = settings

    monkeypatch.setattr(cli, "serve", fake_serve)
    tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    code, _, err = call_main(
        capsys,
        *("serve", "--db", f"sqlite+aiosqlite:///{tmp_path / 'h.db'}"),
        *("--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "127.0.0.1"),
        *("--tiles", tiles, "--tiles-attribution", "© Example"),
        *("--session-hours", "2"),
    )
    assert code == 0, err
    settings = seen["settings"]
    assert settings.trusted_proxies == ("10.0.0.0/8", "127.0.0.1")
    assert (settings.tiles_url, settings.tiles_attribution) == (tiles, "© Example")
    assert settings.session_hours == 2
    for args, message in (
        (("--trusted-proxy", "proxy.local"), "not an IP address"),
        (("--tiles", "ftp://x/{z}/{x}/{y}"), "tile URL"),
        (("--tiles-attribution", "x"), "only applies with --tiles"),
        (("--session-hours", "0"), "--session-hours"),
    ):
        code, _, err = call_main(capsys, "serve", *args)
        assert code == 2
        assert message in err


def _request(
    headers: dict[str, str], remote: str = "10.0.0.5", tls: bool = False
) -> Any:
    from unittest.mock import Mock

    from aiohttp.test_utils import make_mocked_request

    transport = Mock()
    transport.get_extra_info = lambda name, default=None: {
        "sslcontext": object() if tls else None,
        "peername": (remote, 40000),
    }.get(name, default)
    return make_mocked_request("GET", "/", headers=headers, transport=transport)


def test_what_a_request_looks_like_through_the_proxies() -> None:
    from porchlight_hub.proxy import Proxies

    proxies = Proxies(["10.0.0.0/8"])
    forwarded = {
        "Host": "hub.internal:8765",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "hub.example.org",
        "X-Forwarded-For": "203.0.113.9, 10.0.0.7",
    }
    via_proxy = _request(forwarded)
    assert proxies.is_tls(via_proxy)
    assert proxies.client_ip(via_proxy) == "203.0.113.9"  # past the inner proxy
    assert proxies.origin(via_proxy) == "https://hub.example.org"
    direct = _request(forwarded, remote="198.51.100.4")
    assert not proxies.is_tls(direct)
    assert proxies.client_ip(direct) == "198.51.100.4"
    assert proxies.origin(direct) == "http://hub.internal:8765"
    assert proxies.is_tls(_request({"Host": "hub"}, remote="198.51.100.4", tls=True))
    only_proxies = _request({"X-Forwarded-For": "10.0.0.8"})
    assert proxies.client_ip(only_proxies) == "10.0.0.8"
    assert proxies.client_ip(_request({})) == "10.0.0.5"
    assert not Proxies([]).is_tls(via_proxy)
    assert not proxies.is_tls(_request(forwarded, remote="not-an-ip"))
