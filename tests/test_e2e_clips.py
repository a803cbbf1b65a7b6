"""End to end: the local clip library feeds requests' matching clips."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from homeassistant.core import HomeAssistant

from custom_components.porchlight.const import DOMAIN

from .e2e import entity_id, pair_entry, post_request, wait_for
from .hub.conftest import HubHarness


async def test_matching_clips_follow_the_window(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    clips = entry.runtime_data.clips
    now = real_hub.clock.now()
    # post_request asks for now-3 h .. now-1 h.
    inside = await clips.async_add(
        "front",
        "Front door",
        now - timedelta(hours=2),
        now - timedelta(hours=2) + timedelta(seconds=10),
        "image/jpeg",
        b"\xff\xd8inside\xff\xd9",
    )
    await clips.async_add(
        "front",
        "Front door",
        now - timedelta(minutes=30),
        now - timedelta(minutes=29),
        "image/jpeg",
        b"\xff\xd8outside\xff\xd9",
    )
    agency = await real_hub.add_agency()
    request = await post_request(hass, real_hub, agency)

    event = entity_id(hass, "event", "video_requests")
    await wait_for(
        lambda: hass.states.get(event).attributes.get("request_id") == request["id"]
    )
    assert hass.states.get(event).attributes["matching_clips"] == 1
    pending = hass.states.get(entity_id(hass, "sensor", "pending_video_requests"))
    assert pending.attributes["requests"][0]["matching_clips"] == 1

    answer: Any = await hass.services.async_call(
        DOMAIN,
        "get_request",
        {"request_id": request["id"]},
        blocking=True,
        return_response=True,
    )
    assert answer["matching_clips"] == 1
    assert [c["clip_id"] for c in answer["clips"]] == [inside.clip_id]
    assert answer["clips"][0]["sha256"] == inside.sha256


async def test_old_clips_are_purged_at_setup(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    clips = entry.runtime_data.clips
    now = real_hub.clock.now()
    old = await clips.async_add(
        "front",
        "Front door",
        now - timedelta(days=20),
        now - timedelta(days=20, seconds=-10),
        "image/jpeg",
        b"\xff\xd8old\xff\xd9",
    )
    fresh = await clips.async_add(
        "front",
        "Front door",
        now - timedelta(days=1),
        now - timedelta(days=1, seconds=-10),
        "image/jpeg",
        b"\xff\xd8new\xff\xd9",
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()

    clips = entry.runtime_data.clips
    assert clips.get(old.clip_id) is None
    assert clips.get(fresh.clip_id) is not None
    assert not clips.file_path(old).exists()
