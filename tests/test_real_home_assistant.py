"""A newcomer's first run, in a real Home Assistant process, on this line.

What scripts/develop gives a newcomer, done through the APIs the frontend
uses: onboarding, pairing with the hub, adopting the demo doorbell, a ring,
and the clip in the media browser. Home Assistant's own log must then hold
nothing from Porchlight above INFO but the standard custom-integration
warning. The suite runs on both supported lines, so this holds on both.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from .processes import develop_config, free_port, home_assistant, hub_process

pytestmark = pytest.mark.timeout(300)

CONFIG = yaml.safe_load(
    (Path(__file__).parent.parent / "config" / "configuration.yaml")
    .read_text()
    .replace("!include", "")
)["homeassistant"]
LEVEL = re.compile(
    r"^\S+ \S+ (?P<level>[A-Z]+) \((?P<thread>[^)]*)\) \[(?P<logger>[^\]]+)\]"
)
# What Home Assistant logs for every custom integration it loads.
CUSTOM_INTEGRATION_WARNING = re.compile(
    r"We found a custom integration \w+ which has not been tested by Home Assistant"
)


def porchlight_problems(log: str) -> list[str]:
    """Log records above INFO that come from, or name, Porchlight."""
    problems = []
    for record in re.split(r"\n(?=\d{4}-\d\d-\d\d )", log):
        match = LEVEL.match(record)
        if match is None or match["level"] in ("DEBUG", "INFO"):
            continue
        if "porchlight" not in record.lower():
            continue
        if CUSTOM_INTEGRATION_WARNING.search(record):
            continue
        problems.append(record)
    return problems


def test_the_log_check_sees_problems() -> None:
    """The check above must be able to fail."""
    log = (
        "2026-12-01 08:00:00.000 WARNING (SyncWorker_0) [homeassistant.loader] "
        "We found a custom integration porchlight which has not been tested by "
        "Home Assistant. This component might cause stability problems\n"
        "2026-12-01 08:00:01.000 INFO (MainThread) [custom_components.porchlight] ok\n"
        "2026-12-01 08:00:02.000 ERROR (MainThread) [homeassistant.helpers.entity] "
        "Error adding entity for platform porchlight\n"
        "Traceback (most recent call last):\n"
        "2026-12-01 08:00:03.000 WARNING (MainThread) [homeassistant.components.http] "
        "something else entirely\n"
    )
    assert [p.splitlines()[0][-23:] for p in porchlight_problems(log)] == [
        "for platform porchlight"
    ]


async def _browse(hass: Any, content_id: str) -> dict[str, Any]:
    result: dict[str, Any] = await hass.ws(
        {"type": "media_source/browse_media", "media_content_id": content_id}
    )
    return result


async def _clips_in_media_browser(hass: Any) -> list[dict[str, Any]]:
    """Walk the media browser from Porchlight's root down to its clips."""
    pending = ["media-source://porchlight"]
    clips: list[dict[str, Any]] = []
    while pending:
        node = await _browse(hass, pending.pop())
        for child in node.get("children") or []:
            if child["can_expand"]:
                pending.append(child["media_content_id"])
            elif child["can_play"]:
                clips.append(child)
    return clips


async def _wait_for(check: Any, within: float) -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if result := await check():
            return result
        if loop.time() > deadline:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.5)


async def test_a_newcomers_first_run(tmp_path: Path, socket_enabled: None) -> None:
    port = free_port()
    config = develop_config(tmp_path / "config", port)
    async with hub_process(tmp_path / "hub") as hub:
        code = await hub.add_home("Demo home", CONFIG["latitude"], CONFIG["longitude"])
        async with home_assistant(config, port) as hass:
            await hass.onboard()

            flow = await hass.rest(
                "POST", "/api/config/config_entries/flow", {"handler": "porchlight"}
            )
            assert flow["step_id"] == "user"
            done = await hass.rest(
                "POST",
                f"/api/config/config_entries/flow/{flow['flow_id']}",
                {"url": hub.url, "pairing_code": code},
            )
            assert done["type"] == "create_entry", done
            entry_id = done["result"]["entry_id"]

            flow = await hass.rest(
                "POST",
                "/api/config/config_entries/subentries/flow",
                {"handler": [entry_id, "doorbell"]},
            )
            done = await hass.rest(
                "POST",
                f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
                {
                    "name": "Front door",
                    "camera_entity": "camera.demo_doorbell_camera",
                    "trigger_entity": "input_button.demo_doorbell",
                    "record_seconds": 3,
                },
            )
            assert done["type"] == "create_entry", done

            async def ring_entity() -> str | None:
                states = await hass.rest("GET", "/api/states")
                rings = [
                    s["entity_id"]
                    for s in states
                    if s["entity_id"].startswith("event.")
                    and s["attributes"].get("event_types") == ["ring"]
                ]
                return rings[0] if rings else None

            ring = await _wait_for(ring_entity, within=30)
            await hass.rest(
                "POST",
                "/api/services/input_button/press",
                {"entity_id": "input_button.demo_doorbell"},
            )

            async def rang() -> bool:
                state = await hass.rest("GET", f"/api/states/{ring}")
                return bool(state["attributes"].get("event_type") == "ring")

            await _wait_for(rang, within=15)
            clips = await _wait_for(lambda: _clips_in_media_browser(hass), within=30)
            assert all(c["media_content_type"] == "image/jpeg" for c in clips)
            played = await hass.ws(
                {
                    "type": "media_source/resolve_media",
                    "media_content_id": clips[0]["media_content_id"],
                }
            )
            async with hass.session.get(f"{hass.url}{played['url']}") as resp:
                assert resp.status == 200
                assert (await resp.read()).startswith(b"\xff\xd8")
            log = hass.log.read_text(errors="replace")
    assert not porchlight_problems(log), "\n\n".join(porchlight_problems(log))
