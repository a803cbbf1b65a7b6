"""The consent panel in real Chromium, on a real Home Assistant and a real hub.

The panel's own tests run it against a mock; this one runs what a household
gets: Home Assistant's frontend logged in as its owner, the panel at
``/porchlight`` fed by the real WebSocket commands, and decisions that reach
a hub process, checked from the agency's side. tests/browser/panel_e2e.mjs
drives the browser; it asks this test for every agency operation and check
(tests/processes_agency.py) and reports what it saw. The test asserts on the
report, and asks the hub itself, as the agency and as the home.

Screenshots land in the test's folder; with PORCHLIGHT_PANEL_SCREENSHOTS=DIR
they are copied there too (the README's: ``=docs/screenshots``).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final

import pytest

from .processes import (
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
from .processes_agency import (
    Agency,
    agency_add,
    agency_download,
    agency_post_request,
    agency_shares,
)
from .processes_browser import (
    DESKTOP,
    PHONE,
    add_member,
    browser_tools,
    copy_screenshots,
    png_size,
    run_script,
)

pytestmark = pytest.mark.timeout(600)

SCRIPT: Final = REPO / "tests" / "browser" / "panel_e2e.mjs"
SCRIPT_TIMEOUT: Final = 360.0  # every wait inside the script is bounded too
SCREENSHOTS_ENV: Final = "PORCHLIGHT_PANEL_SCREENSHOTS"
MEMBER_PASSWORD: Final = "a-member-password"
SHOTS: Final = {
    "panel-requests-light.png": DESKTOP,
    "panel-requests-dark.png": DESKTOP,
    "panel-phone-light.png": PHONE,
    "panel-phone-dark.png": PHONE,
    "panel-shares-light.png": DESKTOP,
    "panel-card-light.png": None,  # the card alone, as big as it is
}
# Copied for the README. Not the Shares tab yet: its clips read "not
# uploaded yet" until the coordinator's next resync (up to 10 minutes).
README_SHOTS: Final = tuple(name for name in SHOTS if name != "panel-shares-light.png")
LEDGER_KINDS: Final = (
    "request_received",
    "decision",
    "clip_uploaded",
    "share_accessed",
    "share_revoked",
)
DASHBOARD: Final = {
    "title": "Home",
    "views": [
        {
            "title": "Home",
            "path": "home",
            "cards": [{"type": "custom:porchlight-requests-card"}],
        }
    ],
}


async def record_two_clips(hass: HomeAssistant, newcomer: Newcomer) -> None:
    """Ring until the library holds two clips (at most three rings).

    A ring stores a snapshot every 2 s of its 3 s, so one ring usually gives
    two; on a slow machine the second comes too late to be taken, and the
    next ring, a few seconds later, adds more.
    """

    async def two() -> bool:
        return len(await recorded_clips(hass)) >= 2

    for _ in range(3):
        await ring(hass, newcomer)
        with contextlib.suppress(AssertionError):
            await wait_for(two, within=10)
            return
    raise AssertionError(f"clips after three rings: {await recorded_clips(hass)}")


async def clips_of(hass: HomeAssistant, request_id: str) -> dict[str, Any]:
    """The request's clips as the panel gets them, with their bytes' SHA-256.

    Empty until the request reached the home. The bytes come from the
    panel's signed clip URLs, as the browser fetches them, and must be what
    the clip library recorded.
    """
    recorded = {c["clip_id"]: c for c in await recorded_clips(hass)}
    payload = await hass.ws({"type": "porchlight/requests"})
    requests = [r for r in payload["requests"] if r["id"] == request_id]
    clips = {}
    for clip in requests[0]["clips"] if requests else []:
        async with hass.session.get(f"{hass.url}{clip['url']}") as resp:
            assert resp.status == 200, clip
            body = await resp.read()
        assert body.startswith(b"\xff\xd8"), "a snapshot clip is a JPEG"
        assert clip["start"] == clip["end"], "a snapshot's start is its end"
        digest = hashlib.sha256(body).hexdigest()
        assert digest == recorded[clip["id"]]["sha256"]
        clips[clip["id"]] = {"sha256": digest, "start": clip["start"]}
    return clips


def when(text: str) -> datetime:
    """An ISO 8601 time, however its zone is written (``Z`` or ``+00:00``)."""
    return datetime.fromisoformat(text)


@dataclass(slots=True)
class Household:
    """The home, its hub and the agency; answers the browser script's asks."""

    hass: HomeAssistant
    hub: HubProcess
    agency: Agency
    centre: tuple[float, float]
    clips: dict[str, Any] = field(default_factory=dict)
    first: dict[str, Any] = field(default_factory=dict)
    second: dict[str, Any] = field(default_factory=dict)
    hub_clip: str = ""

    async def ask_for_footage(
        self,
        case_number: str,
        incident_type: str = "package_theft",
        description: str = "A parcel taken from a porch.",
    ) -> dict[str, Any]:
        """A request for the hour until now around the home: it covers every clip.

        The hub refuses a window ending in the future; its clock reads the
        request after this one does.
        """
        end = datetime.now(UTC)
        return await agency_post_request(
            self.agency,
            case_number=case_number,
            window=(end - timedelta(hours=1), end),
            centre=self.centre,
            incident_type=incident_type,
            description=description,
        )

    async def answer(self, message: dict[str, Any]) -> dict[str, Any]:
        """Do what the script asks, checking the hub; raise if it is wrong."""
        match message["ask"]:
            case "post_request":
                self.second = await self.ask_for_footage(
                    "2026-0102",
                    incident_type="vandalism",
                    description="Car windows smashed in the street overnight.",
                )
                return {"request_id": self.second["id"]}
            case "shared":
                return await self.check_shared(message["clip_id"])
            case "declined":
                await wait_for(lambda: self.declined(self.first["id"]), within=30)
                return {}
            case "revoked":
                await wait_for(self.gone, within=30)
                return {}
        raise AssertionError(f"unknown ask {message}")

    async def check_shared(self, clip_id: str) -> dict[str, Any]:
        """The agency sees exactly the chosen clip, and gets its very bytes."""

        async def uploaded() -> Any:
            listing = await agency_shares(self.agency, self.second["id"])
            shares = listing["shares"]
            ready = shares and all(c["available"] for c in shares[0]["clips"])
            return listing if ready else None

        listing = await wait_for(uploaded, within=60)
        (share,) = listing["shares"]
        (clip,) = share["clips"]
        assert when(clip["start"]) == when(self.clips[clip_id]["start"])
        assert clip["plaintext_sha256"] == self.clips[clip_id]["sha256"]
        download = await agency_download(self.agency, clip["id"])
        assert download.status == 200
        assert download.sha256 == self.clips[clip_id]["sha256"]
        self.hub_clip = clip["id"]
        return {"share_id": share["share_id"]}

    async def hub_view(self, request_id: str) -> Any:
        """The request as the hub tells the home about it (with the home's token)."""
        path = self.hass.config / ".storage" / "core.config_entries"
        stored = json.loads(await asyncio.to_thread(path.read_text))
        (entry,) = [e for e in stored["data"]["entries"] if e["domain"] == "porchlight"]
        async with self.hass.session.get(
            f"{self.hub.url}/api/v1/requests/{request_id}",
            headers={"Authorization": f"Bearer {entry['data']['token']}"},
        ) as resp:
            assert resp.status == 200, await resp.text()
            return await resp.json()

    async def declined(self, request_id: str) -> bool:
        return bool((await self.hub_view(request_id))["decision"] == "decline")

    async def gone(self) -> bool:
        return (await agency_download(self.agency, self.hub_clip)).status == 410


# A record of Porchlight's own loggers above INFO, in Home Assistant's log.
OUR_PROBLEM: Final = re.compile(
    r"^\S+ \S+ (WARNING|ERROR|CRITICAL) \([^)]*\) \[custom_components\.porchlight",
    re.MULTILINE,
)


def check_report(report: dict[str, Any], home: Household, shots: Path) -> None:
    """What the browser saw."""
    assert set(report["first_request_clips"]) == set(home.clips)
    assert set(report["second_request_clips"]) == set(home.clips)
    live = report["live"]
    assert (live["request_id"], live["same_page"]) == (home.second["id"], True)
    assert live["appeared_ms"] < 30_000  # pushed: a subscribe event, no polling
    assert report["card_requests"] == 2
    assert report["luminance"]["light"] > 0.8
    assert report["luminance"]["dark"] < 0.1
    for label, result in report["reach"].items():
        assert result["problems"] == [], label
    assert report["reach"]["Requests"]["checked"] >= 10
    assert {"Requests", "Shares", "Shares (confirming revoke)", "Ledger"} <= set(
        report["reach"]
    )
    assert "Declined" in report["first_request_text"]
    assert "Agency accesses (1)" in report["share_text"]
    assert "Springfield PD opened" in report["share_text"]
    assert "Revoked" in report["revoked_text"]
    assert report["revoke_buttons_after"] == 0
    assert "hash chain verifies" in report["ledger"]["banner"]
    for kind in LEDGER_KINDS:
        label = kind.replace("_", " ").capitalize()
        assert label in report["ledger"]["kinds"], (kind, report["ledger"])
    assert "/porchlight" in report["admin_sidebar"]
    member = report["non_admin"]
    assert member["sidebar"], "the member has a sidebar"
    assert "/porchlight" not in member["sidebar"]
    assert member["panels"] == 0
    assert member["path"] != "/porchlight"
    answers = member["answers"]
    refused = answers.pop("porchlight.decline")
    assert {a["code"] for a in answers.values()} == {"unauthorized"}, answers
    # Home Assistant answers an admin service's Unauthorized as an error of
    # its own kind (code home_assistant_error on both lines), saying so.
    assert "unauthorized" in refused["message"].lower(), refused
    assert [e for e in report["page_errors"] if not _home_assistants_own(e)] == []
    for name, size in SHOTS.items():
        assert str(shots / name) in report["screenshots"]
        assert size is None or png_size(shots / name) == size, name


async def check_hub(report: dict[str, Any], home: Household) -> None:
    """What the hub holds afterwards, asked by the agency and by the home."""
    listing = await agency_shares(home.agency, home.second["id"])
    (share,) = listing["shares"]
    assert share["share_id"] == report["share_id"]
    assert share["status"] == "revoked"
    (clip,) = share["clips"]
    assert clip["plaintext_sha256"] == home.clips[report["shared_clip"]]["sha256"]
    assert not clip["available"]
    assert (await agency_download(home.agency, home.hub_clip)).status == 410
    first = await home.hub_view(home.first["id"])
    assert (first["decision"], first["status"]) == ("decline", "declined")
    assert (await home.hub_view(home.second["id"]))["decision"] == "share"
    ledger = await home.hass.ws({"type": "porchlight/ledger"})
    assert ledger["verified"] is True
    assert set(LEDGER_KINDS) <= {e["kind"] for e in ledger["entries"]}
    log = await asyncio.to_thread(home.hass.log.read_text, errors="replace")
    assert not OUR_PROBLEM.findall(log), [
        line for line in log.splitlines() if OUR_PROBLEM.match(line)
    ]


# Home Assistant's own map (its dashboard's map card, Leaflet) sometimes
# throws this in a busy browser when it draws twice; no Porchlight code is
# on its stack, and our panel and card use no Leaflet.
_HA_MAP_ERROR = "Map container is already initialized"


def _home_assistants_own(error: str) -> bool:
    """An uncaught error thrown by Home Assistant's frontend, not by ours."""
    return _HA_MAP_ERROR in error and "porchlight" not in error.lower()


async def test_the_consent_panel_in_a_real_browser(
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
            await record_two_clips(hass, await pair_and_adopt(hass, hub, code))
            home = Household(hass, hub, await agency_add(hub, "Springfield PD"), centre)
            home.first = await home.ask_for_footage("2026-0101")

            async def two_clips() -> dict[str, Any]:
                clips = await clips_of(hass, home.first["id"])
                return clips if len(clips) >= 2 else {}

            home.clips = await wait_for(two_clips, within=30)
            member = await add_member(hass, "Sam", "sam", MEMBER_PASSWORD)
            # A dashboard of its own: the default one differs between the lines.
            await hass.ws(
                {
                    "type": "lovelace/dashboards/create",
                    "url_path": "porchlight-card",
                    "title": "Porchlight card",
                    "show_in_sidebar": False,
                }
            )
            await hass.ws(
                {
                    "type": "lovelace/config/save",
                    "url_path": "porchlight-card",
                    "config": DASHBOARD,
                }
            )
            core = await hass.rest("GET", "/api/config")
            config_for_script = {
                "hass_url": hass.url,
                "time_zone": core["time_zone"],
                "admin": {
                    "access_token": hass.token,
                    "refresh_token": hass.refresh_token,
                    "expires_in": 1800,
                },
                "user": member,
                "first_request": home.first["id"],
                "dashboard_path": "/porchlight-card/home",
                "screenshots": str(shots),
                "debug_dir": str(tmp_path),
            }
            report = await run_script(
                SCRIPT, config_for_script, tmp_path, home.answer, SCRIPT_TIMEOUT
            )
            check_report(report, home, shots)
            await check_hub(report, home)

    copy_screenshots(shots, SCREENSHOTS_ENV, README_SHOTS)
