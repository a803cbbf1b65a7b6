"""A newcomer's first run, in a real Home Assistant process, on this line.

What scripts/develop gives a newcomer, done through the APIs the frontend
uses: onboarding, pairing with the hub, adopting the demo doorbell, a ring,
and the clip in the media browser. Home Assistant's own log must then hold
nothing from Porchlight above INFO but the standard custom-integration
warning. The suite runs on both supported lines, so this holds on both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from .processes import (
    demo_home,
    develop_config,
    free_port,
    home_assistant,
    hub_process,
    pair_and_adopt,
    ring,
    wait_for,
)

pytestmark = pytest.mark.timeout(300)

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


async def test_a_newcomers_first_run(tmp_path: Path, socket_enabled: None) -> None:
    port = free_port()
    config = develop_config(tmp_path / "config", port)
    async with hub_process(tmp_path / "hub") as hub:
        code = await hub.add_home("Demo home", *demo_home())
        async with home_assistant(config, port) as hass:
            await hass.onboard()

            await ring(hass, await pair_and_adopt(hass, hub, code))
            clips = await wait_for(lambda: _clips_in_media_browser(hass), within=30)
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
