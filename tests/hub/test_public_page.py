"""The public faces: GET /, the public request log, static files and headers.

What an agency or a home wrote must come out escaped and isolated, and what
is private to a request (case number, description, contact) must come out
nowhere; both are checked on the rendered HTML and on the JSON.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from porchlight_hub import db
from porchlight_hub.api.portal import density_cells
from porchlight_hub.context import HUB

from .conftest import (
    CENTRE,
    HubHarness,
    HubMaker,
    call_raw,
    clip_bytes,
    make_share,
    offset,
    open_request,
)

LOG = "/api/v1/public/requests"
HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "Police \u202eLIVE\u202c Dept",
)
LONG_WORD = "W" * 5000
PRIVATE = {
    "case_number": "SECRET-CASE-7731",
    "description": "secret-description-qz81 burglary at number 12",
    "contact": "secret-contact-qz82 Det. Jones 555-0199",
}


def csp(headers: dict[str, str]) -> dict[str, str]:
    """The Content-Security-Policy as {directive: sources}."""
    out = {}
    for part in headers["Content-Security-Policy"].split(";"):
        name, _, sources = part.strip().partition(" ")
        out[name] = sources
    return out


def assert_security_headers(headers: dict[str, str]) -> None:
    policy = csp(headers)
    assert policy["script-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


async def page(hub: HubHarness, **params: str) -> str:
    resp = await call_raw(hub, "GET", "/", params=params or None)
    assert resp.status == 200, resp.body[:500]
    assert resp.content_type == "text/html"
    assert_security_headers(resp.headers)
    return resp.body.decode()


async def test_hostile_strings_are_escaped_on_the_page(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(name=f"{HOSTILE[0]} {LONG_WORD}")
    for index, name in enumerate(HOSTILE):
        agency = await hub.add_agency(name)
        await open_request(hub, agency, case_number=f"HOSTILE-{index}")
    html = await page(hub)
    # The page's only script is its own module; no markup from data survives.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script type="module" src="/static/public-map.js">'
    ]
    assert "<img" not in html
    assert "onerror=alert(1)>" not in html.replace("&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html
    # Every right-to-left override sits inside an isolating <bdi>, or (in a
    # <select>'s options, which hold only text) between FSI and PDI marks.
    for match in re.finditer("\u202e", html):
        before = html[: match.start()]
        if before.rfind("<") > before.rfind(">"):
            continue  # an attribute's value (an option's), never displayed
        in_bdi = before.rfind("<bdi") > before.rfind("</bdi>")
        in_isolate = before.rfind("\u2068") > before.rfind("\u2069")
        assert in_bdi or in_isolate, html[match.start() - 80 : match.start()]
    assert LONG_WORD in html  # whole, for the stylesheet to wrap
    assert (
        f'<bdi class="user-text">&lt;script&gt;alert(1)&lt;/script&gt; {LONG_WORD}'
        in html
    )


async def test_private_fields_appear_nowhere_public(hub: HubHarness) -> None:
    agency = await hub.add_agency("City Police")
    home = await hub.add_home("Next door")
    req = await open_request(hub, agency, **PRIVATE)
    await make_share(hub, home, req["id"], {"c1": clip_bytes(2000)})
    other = dict(PRIVATE, case_number="SECRET-CASE-7732")
    await open_request(hub, agency, **other)
    texts = [
        await page(hub),
        await page(hub, agency="City Police"),
        await page(hub, incident_type="burglary"),
    ]
    for params in ({}, {"agency": "City Police"}, {"per_page": "1", "page": "2"}):
        resp = await call_raw(hub, "GET", LOG, params=params)
        assert resp.status == 200
        texts.append(resp.body.decode())
    for text in texts:
        for secret in (*PRIVATE.values(), other["case_number"], "secret-"):
            assert secret not in text
        assert home.id not in text
        assert "Next door" not in text
        if not text.startswith("<!doctype"):
            assert "declin" not in text  # declines only per week, in the report


async def test_the_log_is_newest_first_paged_and_filtered(hub: HubHarness) -> None:
    police = await hub.add_agency("City Police")
    sheriff = await hub.add_agency("County Sheriff", "sheriff")
    made = []
    for index in range(5):
        agency = police if index % 2 == 0 else sheriff
        incident = "theft" if index < 3 else "vandalism"
        made.append(
            await open_request(
                hub, agency, case_number=f"C-{index}", incident_type=incident
            )
        )
        hub.clock.advance(timedelta(minutes=1))
    status, body = await hub.call("GET", LOG, params={"per_page": "2"})
    assert status == 200
    assert [r["id"] for r in body["requests"]] == [made[4]["id"], made[3]["id"]]
    assert (body["page"], body["per_page"], body["total"], body["pages"]) == (
        1,
        2,
        5,
        3,
    )
    status, body = await hub.call("GET", LOG, params={"per_page": "2", "page": "3"})
    assert [r["id"] for r in body["requests"]] == [made[0]["id"]]
    status, body = await hub.call("GET", LOG, params={"page": "9"})
    assert (body["requests"], body["total"], body["pages"]) == ([], 5, 1)
    status, body = await hub.call("GET", LOG, params={"agency": "County Sheriff"})
    assert [r["id"] for r in body["requests"]] == [made[3]["id"], made[1]["id"]]
    assert body["requests"][0]["agency"] == {
        "name": "County Sheriff",
        "kind": "sheriff",
    }
    status, body = await hub.call(
        "GET", LOG, params={"agency": "City Police", "incident_type": "theft"}
    )
    assert [r["id"] for r in body["requests"]] == [made[2]["id"], made[0]["id"]]

    html = await page(hub, agency="County Sheriff")
    assert html.count('<li class="request') == 2
    assert '<option value="County Sheriff" selected>' in html
    html = await page(hub, per_page="2", page="2")
    assert 'href="/?page=1&amp;per_page=2#requests"' in html
    assert 'href="/?page=3&amp;per_page=2#requests"' in html


async def test_entries_carry_counts_status_and_dates(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    home = await hub.add_home()
    req = await open_request(hub, agency)
    await make_share(hub, home, req["id"], {"c1": clip_bytes(2000)})
    withdrawn = await open_request(hub, agency, case_number="2026-0050")
    hub.clock.advance(timedelta(minutes=5))
    await agency.call("POST", f"/api/v1/agency/requests/{withdrawn['id']}/withdraw")
    closed = await open_request(hub, agency, case_number="2026-0051")
    await agency.call("POST", f"/api/v1/agency/requests/{closed['id']}/close")
    _, body = await hub.call("GET", LOG)
    by_id = {r["id"]: r for r in body["requests"]}
    first = by_id[req["id"]]
    assert (first["homes_reached"], first["shares"], first["status"]) == (
        "<5",
        "<5",
        "open",
    )
    assert first["area"] == {
        "latitude": CENTRE[0],
        "longitude": CENTRE[1],
        "radius_m": 400,
    }
    assert first["window_start"] == req["window_start"]
    assert (first["withdrawn_at"], first["closed_at"]) == (None, None)
    assert first["expires_at"] == req["expires_at"]
    later = (hub.clock.now()).isoformat().replace("+00:00", "Z")
    assert by_id[withdrawn["id"]]["withdrawn_at"] == later
    assert by_id[closed["id"]]["closed_at"] == later
    assert by_id[closed["id"]]["withdrawn_at"] is None

    html = await page(hub)
    assert (
        f'<div class="area-map" data-latitude="{CENTRE[0]}"'
        f' data-longitude="{CENTRE[1]}" data-radius-m="400.0">'
    ) in html or 'data-radius-m="400"' in html
    assert "Area: a circle of radius 400 m around 52.37000, 4.89000." in html
    assert '<link rel="stylesheet" href="/static/public.css">' in html
    # Times read as people read them, the exact one kept for machines.
    shown = hub.clock.now()
    assert (
        f'<time datetime="{later}">{shown.day} {shown:%b %Y, %H:%M} UTC</time>' in html
    )
    assert "Not allowed" in html  # federal agencies, by default


async def test_a_change_reaches_the_log_at_once(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(public_cache_s=300)
    agency = await hub.add_agency()
    home = await hub.add_home()
    req = await open_request(hub, agency)
    _, body = await hub.call("GET", LOG)
    assert body["requests"][0]["status"] == "open"
    # Behind the hub's back: the cached answer stands (it is a cache)...
    async with hub.engine.begin() as conn:
        await conn.execute(
            update(db.requests)
            .where(db.requests.c.id == req["id"])
            .values(radius_m=401)
        )
    _, body = await hub.call("GET", LOG)
    assert body["requests"][0]["area"]["radius_m"] == 400
    # ...but every change through the hub drops it.
    await make_share(hub, home, req["id"], {"c1": clip_bytes(2000)})
    _, body = await hub.call("GET", LOG)
    assert body["requests"][0]["area"]["radius_m"] == 401
    await agency.call("POST", f"/api/v1/agency/requests/{req['id']}/withdraw")
    _, body = await hub.call("GET", LOG)
    assert body["requests"][0]["status"] == "withdrawn"
    hub.clock.advance(timedelta(seconds=1))
    second = await open_request(hub, agency, case_number="2026-0060")
    _, body = await hub.call("GET", LOG)
    assert body["requests"][0]["id"] == second["id"]
    assert f'id="{second["id"]}"' in await page(hub)
    # Expiry by the sweeper too.
    hub.clock.advance(timedelta(days=15))
    await _sweep(hub)
    _, body = await hub.call("GET", LOG)
    assert body["requests"][0]["status"] == "expired"


async def _sweep(hub: HubHarness) -> None:
    from porchlight_hub.sweeper import sweep

    await sweep(hub.runner.app[HUB])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "0"}, "per_page"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"incident_type": "jaywalking"}, "incident_type"),
        ({"agency": "x" * 121}, "agency"),
    ],
)
async def test_bad_queries_are_422(
    hub: HubHarness, params: dict[str, str], field: str
) -> None:
    status, body = await hub.call("GET", LOG, params=params)
    assert (status, body["error"], body["field"]) == (422, "invalid_field", field)
    resp = await call_raw(hub, "GET", "/", params=params)
    assert resp.status == 422


# --- static files and the portal ------------------------------------------------


@pytest.fixture
def static_dir(tmp_path: Path) -> Path:
    root = tmp_path / "static"
    (root / "portal" / "assets").mkdir(parents=True)
    (root / "public.css").write_text("body { margin: 0 }\n")
    (root / "public-map.js").write_text("export {};\n")
    (root / "portal" / "index.html").write_text(
        "<!doctype html><title>Portal</title>\n"
    )
    (root / "portal" / "assets" / "app.js").write_text("console.log(1);\n")
    (root / ".secret.js").write_text("nope\n")
    (tmp_path / "outside.js").write_text("nope\n")
    return root


async def test_static_files_are_served_with_types_and_revalidation(
    tuned_hub: HubMaker, static_dir: Path
) -> None:
    hub = await tuned_hub(static_dir=static_dir)
    for path, kind, text in (
        ("/static/public.css", "text/css", "margin"),
        ("/static/public-map.js", "text/javascript", "export"),
        ("/agency/", "text/html", "Portal"),
        ("/agency/assets/app.js", "text/javascript", "console"),
        ("/agency/requests/req_123", "text/html", "Portal"),
    ):
        resp = await call_raw(hub, "GET", path)
        assert resp.status == 200, path
        assert resp.content_type == kind, path
        assert text in resp.body.decode()
        assert resp.headers["Cache-Control"] == "no-cache"
        assert "ETag" in resp.headers or "Last-Modified" in resp.headers
        assert_security_headers(resp.headers)
    first = await call_raw(hub, "GET", "/static/public.css")
    again = await call_raw(
        hub,
        "GET",
        "/static/public.css",
        headers={"If-Modified-Since": first.headers["Last-Modified"]},
    )
    assert again.status == 304
    redirect = await call_raw(hub, "GET", "/agency", headers={})
    assert redirect.status == 200  # followed to /agency/
    for missing in (
        "/static/missing.js",
        "/static/.secret.js",
        "/static/%2e%2e/outside.js",
        "/static/portal/../../outside.js",
        "/agency/missing.js",
        "/static/portal",
    ):
        resp = await call_raw(hub, "GET", missing)
        assert resp.status == 404, missing
        assert_security_headers(resp.headers)


async def test_the_portal_is_404_until_its_bundle_exists(
    tuned_hub: HubMaker, tmp_path: Path
) -> None:
    hub = await tuned_hub(static_dir=tmp_path / "empty")
    for path in ("/agency/", "/static/public.css", "/agency/app.js"):
        resp = await call_raw(hub, "GET", path)
        assert resp.status == 404, path
        assert resp.json()["error"] == "not_found"


async def test_json_answers_carry_the_headers_too(hub: HubHarness) -> None:
    resp = await call_raw(hub, "GET", "/api/v1/health")
    assert_security_headers(resp.headers)


async def test_tiles_reach_the_policy_and_the_portal(tuned_hub: HubMaker) -> None:
    tiles = "https://{s}.tile.example.org/{z}/{x}/{y}.png"
    hub = await tuned_hub(tiles_url=tiles, tiles_attribution="© Example")
    resp = await call_raw(hub, "GET", "/")
    assert (
        csp(resp.headers)["img-src"] == "'self' data: blob: https://*.tile.example.org"
    )
    agency = await hub.add_agency()
    _, body = await agency.call("GET", "/api/v1/agency/portal")
    assert body["tiles"] == {"url": tiles, "attribution": "© Example"}


async def test_the_public_map_gets_the_tiles_escaped(tuned_hub: HubMaker) -> None:
    tiles = "https://tile.example.org/{z}/{x}/{y}.png"
    hub = await tuned_hub(tiles_url=tiles, tiles_attribution='"><script>x</script>')
    html = await page(hub)
    (meta,) = re.findall(r'<meta name="porchlight-tiles"[^>]*>', html)
    assert f'content="{tiles}"' in meta
    assert 'data-attribution="&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in meta
    assert "<script>x" not in html


async def test_no_tiles_no_tile_meta(hub: HubHarness) -> None:
    assert 'name="porchlight-tiles"' not in await page(hub)


async def test_density_is_coarse_and_k_anonymous(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    (cell,) = density_cells([CENTRE], 500)
    middle = (cell["latitude"], cell["longitude"])
    near = [offset(*middle, north_m=10 * i, east_m=-5 * i) for i in range(1, 7)]
    for index, (lat, lon) in enumerate(near):
        await hub.add_home(f"Near {index}", lat, lon)
    far = offset(*CENTRE, north_m=3000)
    await hub.add_home("Far", *far)
    hidden = await hub.add_home("Opted out", *offset(*CENTRE, east_m=6000))
    await hidden.call("PATCH", "/api/v1/home", {"opted_out": True})
    status, body = await agency.call("GET", "/api/v1/agency/portal")
    assert status == 200
    density = body["density"]
    assert density["cell_m"] == 500
    assert sorted(str(c["homes"]) for c in density["cells"]) == ["6", "<5"]
    positions = {(round(a, 5), round(b, 5)) for a, b in (*near, far)}
    for cell in density["cells"]:
        assert (cell["latitude"], cell["longitude"]) not in positions
    dense = next(c for c in density["cells"] if c["homes"] == 6)
    assert abs(dense["latitude"] - CENTRE[0]) < 0.005
    assert body["policy"]["radius_min_m"] > 100
    assert body["hub"]["hub_id"].startswith("hub_")
