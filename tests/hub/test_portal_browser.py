"""The agency portal and the public page in real Chromium, a real hub, a real home.

What an agency does, in the browser the hub serves it (``/agency/``): sign in
with its API key, import its identity file, draw the circle around a home,
meet the hub's §2.3 message for a 13-hour window, fix it and send the signed
request; the home (a real Home Assistant with the demo doorbell) shares one
clip; the portal shows the share, downloads and decrypts the clip to the
home's exact bytes, and the home's ledger records the access; a second
request is withdrawn; after signing out the portal's calls answer 401. The
public page (``GET /``) then lists both requests and no case number.

tests/browser/portal_e2e.mjs drives the browser and asks this test for what
only the home can do (share a clip) and check (its ledger); the test asserts
on its report and asks the hub itself. Screenshots land in the test's folder;
with PORCHLIGHT_PORTAL_SCREENSHOTS=DIR they are copied there too (the
README's: ``=docs/screenshots``).
"""

from __future__ import annotations

import contextlib
import json
import struct
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import aiohttp
import pytest
from aiohttp import web

from ..processes import (
    REPO,
    HomeAssistant,
    HubProcess,
    Newcomer,
    demo_home,
    develop_config,
    free_port,
    home_assistant,
    hub_process,
    pair_and_adopt,
    recorded_clips,
    ring,
    wait_for,
)
from ..processes_agency import Agency, agency_add, agency_shares
from ..processes_browser import (
    DESKTOP,
    PHONE,
    browser_tools,
    copy_screenshots,
    png_size,
    run_script,
)

pytestmark = pytest.mark.timeout(600)

SCRIPT: Final = REPO / "tests" / "browser" / "portal_e2e.mjs"
TILES_SCRIPT: Final = REPO / "tests" / "browser" / "portal_tiles.mjs"
HOSTILE_ATTRIBUTION: Final = '<img src=x onerror="window.__pwned=1">© Tiles & Co'

SCRIPT_TIMEOUT: Final = 300.0  # every wait inside the script is bounded too
SCREENSHOTS_ENV: Final = "PORCHLIGHT_PORTAL_SCREENSHOTS"
SHOTS: Final = {
    "portal-sign-in.png": DESKTOP,
    "portal-request.png": DESKTOP,
    "portal-shares.png": DESKTOP,
    "portal-phone-request.png": PHONE,
    "portal-phone-requests.png": PHONE,
    "public-desktop.png": DESKTOP,
    "public-phone.png": PHONE,
}
# Copied for the README (the sign-in page says little).
README_SHOTS: Final = tuple(name for name in SHOTS if name != "portal-sign-in.png")
CASES: Final = ("2026-0201", "2026-0202")
RULE_MESSAGE: Final = "the window must last between 15 minutes and 12 hours"


async def record_a_clip(hass: HomeAssistant, newcomer: Newcomer) -> None:
    """Ring until the home's library holds a clip (at most three rings)."""

    async def some() -> bool:
        return bool(await recorded_clips(hass))

    for _ in range(3):
        await ring(hass, newcomer)
        try:
            await wait_for(some, within=10)
        except AssertionError:
            continue
        return
    raise AssertionError("no clip after three rings")


@dataclass(slots=True)
class Neighbourhood:
    """The hub, the home and the agency; answers the browser script's asks."""

    hass: HomeAssistant
    hub: HubProcess
    agency: Agency
    shared: dict[str, Any] = field(default_factory=dict)

    async def answer(self, message: dict[str, Any]) -> dict[str, Any]:
        """Do what the script asks, checking as we go; raise if it is wrong."""
        match message["ask"]:
            case "share_one_clip":
                return await self.share_one_clip(message["request_id"])
            case "accessed":
                await wait_for(self.accessed, within=30)
                return {}
        raise AssertionError(f"unknown ask {message}")

    async def share_one_clip(self, request_id: str) -> dict[str, Any]:
        """The household shares one clip of the request; the hub has its bytes."""

        async def offered() -> list[dict[str, Any]]:
            payload = await self.hass.ws({"type": "porchlight/requests"})
            found = [r for r in payload["requests"] if r["id"] == request_id]
            return list(found[0]["clips"]) if found and found[0]["clips"] else []

        clips = await wait_for(offered, within=60)
        library = {c["clip_id"]: c for c in await recorded_clips(self.hass)}
        chosen = clips[0]["id"]
        await self.hass.ws(
            {
                "type": "call_service",
                "domain": "porchlight",
                "service": "share_clips",
                "service_data": {"request_id": request_id, "clip_ids": [chosen]},
            }
        )

        async def uploaded() -> Any:
            listing = await agency_shares(self.agency, request_id)
            shares = listing["shares"]
            ready = shares and all(c["available"] for c in shares[0]["clips"])
            return listing if ready else None

        listing = await wait_for(uploaded, within=60)
        (share,) = listing["shares"]
        (clip,) = share["clips"]
        assert clip["plaintext_sha256"] == library[chosen]["sha256"]
        self.shared = {
            "request_id": request_id,
            "share_id": share["share_id"],
            "hub_clip_id": clip["id"],
            "sha256": library[chosen]["sha256"],
            "neighbour": share["neighbour"],
        }
        return self.shared

    async def ledger_kinds(self) -> set[str]:
        ledger = await self.hass.ws({"type": "porchlight/ledger"})
        return {e["kind"] for e in ledger["entries"]}

    async def accessed(self) -> bool:
        return "share_accessed" in await self.ledger_kinds()


def check_report(report: dict[str, Any], home: Neighbourhood, shots: Path) -> None:
    """What the browser saw."""
    assert report["page_errors"] == []
    assert report["csp_violations"] == []
    signed_in = report["signed_in"]
    assert signed_in["agency"] == home.agency.name
    assert signed_in["key_input_after"] == ""
    assert signed_in["key_in_page"] is False
    assert signed_in["key_in_storage"] is False
    assert report["csrf_without_header"] == {"status": 403, "error": "csrf"}
    assert report["keys"]["status"] == "ready"
    assert report["keys"]["stored_extractable"] == [False, False]
    assert report["wrong_identity"].startswith(
        "This identity file is not this agency's"
    )
    circle = report["circle"]
    assert 144 <= circle["radius_m"] <= 642
    assert circle["distance_to_home_m"] < 30, circle
    assert RULE_MESSAGE in report["rule_message"]
    assert report["rule_message"].startswith("Rule window_length:")
    first = report["first"]
    assert first["homes_reached"] == "<5"
    assert report["share"]["neighbour"] == home.shared["neighbour"]
    assert report["share"]["expires"], "the share shows its expiry"
    assert report["opened"]["sha256"] == home.shared["sha256"]
    assert report["opened"]["blob_sha256"] == home.shared["sha256"]
    assert report["opened"]["shown"] in ("img", "video")
    assert report["second"]["status_after"] == "withdrawn"
    assert report["hostile"]["pwned"] is None
    assert report["hostile"]["text_shown"] is True
    assert report["overflow"]["phone_request"] <= PHONE[0]
    assert report["overflow"]["phone_requests"] <= PHONE[0]
    assert report["overflow"]["public_phone"] <= PHONE[0]
    after = report["after_sign_out"]
    assert after["sign_in_shown"] is True
    assert after["statuses"] == {
        "GET /api/v1/agency/session": 401,
        "GET /api/v1/agency/requests": 401,
        "GET /api/v1/agency/portal": 401,
        f"GET /api/v1/agency/requests/{first['id']}/shares": 401,
        f"GET /api/v1/agency/clips/{home.shared['hub_clip_id']}": 401,
    }
    public = report["public"]
    assert public["maps"] >= 2
    assert public["maps_drawn"] >= 2
    for name, size in SHOTS.items():
        assert str(shots / name) in report["screenshots"], name
        assert png_size(shots / name)[0] == size[0], name


async def check_hub(report: dict[str, Any], home: Neighbourhood) -> None:
    """The hub afterwards: the agency's requests, and the public faces."""
    first, second = report["first"]["id"], report["second"]["id"]
    async with aiohttp.ClientSession() as session:
        headers = home.agency.headers
        async with session.get(
            f"{home.hub.url}/api/v1/agency/requests", headers=headers
        ) as resp:
            mine = {r["id"]: r for r in (await resp.json())["requests"]}
        assert mine[first]["status"] == "open"
        assert mine[first]["case_number"] == CASES[0]
        assert mine[second]["status"] == "withdrawn"
        assert mine[second]["case_number"] == CASES[1]
        async with session.get(f"{home.hub.url}/") as resp:
            assert resp.status == 200
            assert "script-src 'self'" in resp.headers["Content-Security-Policy"]
            page = await resp.text()
        async with session.get(f"{home.hub.url}/api/v1/public/requests") as resp:
            assert resp.status == 200
            public_json = await resp.text()
    listed = {r["id"] for r in json.loads(public_json)["requests"]}
    assert {first, second} <= listed
    assert first in page
    assert second in page
    for case in CASES:
        assert case not in page
        assert case not in public_json
        assert case not in report["public"]["html"]
    assert "share_accessed" in await home.ledger_kinds()


async def test_the_agency_portal_in_a_real_browser(
    tmp_path: Path, socket_enabled: None
) -> None:
    browser_tools()  # before minutes of set-up
    port = free_port()
    config = develop_config(tmp_path / "config", port)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    centre = demo_home()
    async with hub_process(tmp_path / "hub") as hub:
        code = await hub.add_home("Demo home", *centre)
        async with home_assistant(config, port) as hass:
            await hass.onboard()
            await record_a_clip(hass, await pair_and_adopt(hass, hub, code))
            agency = await agency_add(hub, "Springfield PD")
            home = Neighbourhood(hass, hub, agency)
            identity = tmp_path / "springfield.agency-identity"
            identity.write_text(agency.identity.to_text())
            stranger = await agency_add(hub, "Shelbyville PD")
            wrong = tmp_path / "shelbyville.agency-identity"
            wrong.write_text(stranger.identity.to_text())
            report = await run_script(
                SCRIPT,
                {
                    "hub_url": hub.url,
                    "api_key": agency.key,
                    "identity_file": str(identity),
                    "wrong_identity_file": str(wrong),
                    "home": {"latitude": centre[0], "longitude": centre[1]},
                    "cases": list(CASES),
                    "time_zone": "Asia/Kolkata",
                    "screenshots": str(shots),
                },
                tmp_path,
                home.answer,
                SCRIPT_TIMEOUT,
            )
            check_report(report, home, shots)
            await check_hub(report, home)

    copy_screenshots(shots, SCREENSHOTS_ENV, README_SHOTS)


def tile_png() -> bytes:
    """A 256 x 256 PNG of one colour: a map tile, as far as Leaflet can tell."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 256, 256, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xd9\xe6\xc8" * 256 for _ in range(256))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@contextlib.asynccontextmanager
async def tile_server(served: list[str]) -> AsyncIterator[str]:
    """A tile server on 127.0.0.1; its URL template. Every tile asked is noted."""
    png = tile_png()

    async def tile(request: web.Request) -> web.Response:
        served.append(request.path)
        return web.Response(body=png, content_type="image/png")

    app = web.Application()
    app.router.add_get("/tiles/{z}/{x}/{y}.png", tile)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    try:
        yield f"http://127.0.0.1:{port}/tiles/{{z}}/{{x}}/{{y}}.png"
    finally:
        await runner.cleanup()


async def test_the_portal_map_with_the_operators_tiles(
    tmp_path: Path, socket_enabled: None
) -> None:
    """With ``--tiles``: the operator's tiles, let in by the CSP; the credit as text."""
    browser_tools()
    served: list[str] = []
    async with (
        tile_server(served) as template,
        hub_process(
            tmp_path / "hub",
            "--tiles", template, "--tiles-attribution", HOSTILE_ATTRIBUTION,
        ) as hub,
    ):  # fmt: skip
        await hub.add_home("Demo home", *demo_home())
        agency = await agency_add(hub, "Springfield PD")

        async def no_asks(message: dict[str, Any]) -> dict[str, Any]:
            raise AssertionError(f"unexpected ask {message}")

        report = await run_script(
            TILES_SCRIPT,
            {"hub_url": hub.url, "api_key": agency.key, "screenshots": str(tmp_path)},
            tmp_path,
            no_asks,
            120.0,
        )
    assert report["page_errors"] == []
    assert report["csp_violations"] == []
    assert report["tiles_loaded"] >= 4
    assert report["tile_sources"] == [template.split("/tiles/")[0]]
    assert len(served) >= report["tiles_loaded"]
    assert HOSTILE_ATTRIBUTION in report["attribution_text"]
    assert report["attribution_elements"] == 0
    assert report["pwned"] is None
    assert "No map tiles" not in report["hint"]
