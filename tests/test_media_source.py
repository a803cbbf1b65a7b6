"""The clips in the media browser: browse, resolve, and the authenticated view."""

from __future__ import annotations

from datetime import datetime, timedelta
from http import HTTPStatus
from types import MappingProxyType
from typing import Any

import pytest
from homeassistant.components import media_source
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import Unresolvable
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from yarl import URL

from custom_components.porchlight.clips import Clip
from custom_components.porchlight.const import DOMAIN

from .e2e import pair_entry
from .hub.conftest import HubHarness

ROOT = f"media-source://{DOMAIN}"
VIDEO = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 64
JPEG = b"\xff\xd8porch\xff\xd9"


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A time in Home Assistant's zone, some days before today."""
    today = dt_util.now().date() - timedelta(days=day_offset)
    return datetime(
        today.year,
        today.month,
        today.day,
        hour,
        minute,
        tzinfo=dt_util.get_default_time_zone(),
    )


async def add_clips(entry: ConfigEntry) -> dict[str, Clip]:
    """Clips on two doorbells, the front one on two days."""
    clips = entry.runtime_data.clips
    return {
        "front_morning": await clips.async_add(
            "front",
            "Front door",
            local(1, 9),
            local(1, 9, 1),
            "video/mp4",
            VIDEO,
        ),
        "front_evening": await clips.async_add(
            "front",
            "Front door",
            local(1, 18, 30),
            local(1, 18, 31),
            "image/jpeg",
            JPEG,
        ),
        # Runs past midnight: it belongs to the day it started on.
        "front_late": await clips.async_add(
            "front",
            "Porch camera",
            local(2, 23, 59),
            local(1, 0, 5),
            "video/mp4",
            VIDEO,
        ),
        "back": await clips.async_add(
            "back yard/gate",
            "Gate",
            local(2, 7, 15),
            local(2, 7, 16),
            "image/jpeg",
            JPEG,
        ),
    }


@pytest.fixture
async def entry(hass: HomeAssistant, real_hub: HubHarness) -> ConfigEntry:
    """A paired home with the media browser set up."""
    assert await async_setup_component(hass, "media_source", {})
    return await pair_entry(hass, real_hub)


def ids(item: Any) -> list[str]:
    return [child.media_content_id for child in item.children]


def titles(item: Any) -> list[str]:
    return [child.title for child in item.children]


async def test_browse_by_doorbell_and_day(
    hass: HomeAssistant, entry: ConfigEntry
) -> None:
    clips = await add_clips(entry)
    root = await media_source.async_browse_media(hass, ROOT)
    # One home: its doorbells are shown straight away.
    assert root.title == "Porchlight"
    assert titles(root) == ["back yard/gate", "front"]
    prefix = f"{ROOT}/{entry.entry_id}"
    assert ids(root) == [f"{prefix}/back%20yard%2Fgate", f"{prefix}/front"]
    assert all(child.can_expand and not child.can_play for child in root.children)

    home = await media_source.async_browse_media(hass, prefix)
    assert home.title == entry.title
    assert ids(home) == ids(root)

    front = await media_source.async_browse_media(hass, f"{prefix}/front")
    yesterday, before = local(1, 0).date(), local(2, 0).date()
    # Newest day first, in the local time zone.
    assert ids(front) == [
        f"{prefix}/front/{yesterday.isoformat()}",
        f"{prefix}/front/{before.isoformat()}",
    ]

    assert titles(front) == [yesterday.isoformat(), before.isoformat()]
    day = await media_source.async_browse_media(
        hass, front.children[0].media_content_id
    )
    assert ids(day) == [
        f"{prefix}/clip/{clips['front_evening'].clip_id}",
        f"{prefix}/clip/{clips['front_morning'].clip_id}",
    ]
    evening, morning = day.children
    assert evening.title == f"Front door · {yesterday.isoformat()} 18:30:00"
    assert morning.title == f"Front door · {yesterday.isoformat()} 09:00:00"
    assert evening.media_class == "image"
    assert morning.media_class == "video"
    assert evening.can_play
    assert not evening.can_expand
    clip_path = (
        f"/api/porchlight/clips/{entry.entry_id}/{clips['front_evening'].clip_id}"
    )
    assert evening.thumbnail == clip_path
    assert morning.thumbnail is None
    assert day.thumbnail == clip_path

    earlier = await media_source.async_browse_media(
        hass, front.children[1].media_content_id
    )
    assert titles(earlier) == [f"Porch camera · {before.isoformat()} 23:59:00"]
    assert earlier.thumbnail is None

    gate = await media_source.async_browse_media(
        hass, root.children[0].media_content_id
    )
    gate_day = await media_source.async_browse_media(
        hass, gate.children[0].media_content_id
    )
    assert titles(gate_day) == [f"Gate · {before.isoformat()} 07:15:00"]

    single = await media_source.async_browse_media(hass, evening.media_content_id)
    assert single.title == evening.title
    assert single.can_play


async def test_root_lists_homes_when_there_are_several(
    hass: HomeAssistant, real_hub: HubHarness, entry: ConfigEntry
) -> None:
    second = await pair_entry(hass, real_hub)
    root = await media_source.async_browse_media(hass, ROOT)
    assert sorted(ids(root)) == sorted(f"{ROOT}/{e.entry_id}" for e in (entry, second))
    empty = await media_source.async_browse_media(hass, f"{ROOT}/{second.entry_id}")
    assert empty.children == []


async def test_play_a_clip_through_the_signed_url(
    hass: HomeAssistant, entry: ConfigEntry, hass_client: Any, hass_client_no_auth: Any
) -> None:
    clips = await add_clips(entry)
    clip = clips["front_morning"]
    played = await media_source.async_resolve_media(
        hass, f"{ROOT}/{entry.entry_id}/clip/{clip.clip_id}", None
    )
    assert played.mime_type == "video/mp4"
    url = URL(played.url)
    assert url.path == f"/api/porchlight/clips/{entry.entry_id}/{clip.clip_id}"
    assert "authSig" in url.query

    client = await hass_client()
    response = await client.get(url.path)
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "video/mp4"
    assert await response.read() == VIDEO

    anonymous = await hass_client_no_auth()
    response = await anonymous.get(url.path)
    assert response.status == HTTPStatus.UNAUTHORIZED
    # A media player without a login can fetch the signed URL.
    response = await anonymous.get(played.url)
    assert response.status == HTTPStatus.OK
    assert await response.read() == VIDEO

    jpeg = clips["back"]
    response = await client.get(
        f"/api/porchlight/clips/{entry.entry_id}/{jpeg.clip_id}"
    )
    assert response.status == HTTPStatus.OK
    assert response.headers["Content-Type"] == "image/jpeg"
    assert await response.read() == JPEG


async def test_unknown_or_deleted_clips_are_not_found(
    hass: HomeAssistant, entry: ConfigEntry, hass_client: Any
) -> None:
    clips = await add_clips(entry)
    client = await hass_client()
    base = "/api/porchlight/clips"
    response = await client.get(f"{base}/{entry.entry_id}/{'0' * 32}")
    assert response.status == HTTPStatus.NOT_FOUND
    response = await client.get(f"{base}/nope/{clips['back'].clip_id}")
    assert response.status == HTTPStatus.NOT_FOUND

    gone = clips["front_evening"]
    path = entry.runtime_data.clips.file_path(gone)
    await hass.async_add_executor_job(path.unlink)
    response = await client.get(f"{base}/{entry.entry_id}/{gone.clip_id}")
    assert response.status == HTTPStatus.NOT_FOUND

    with pytest.raises(Unresolvable) as err:
        await media_source.async_resolve_media(
            hass, f"{ROOT}/{entry.entry_id}/clip/{'0' * 32}", None
        )
    assert err.value.translation_key == "media_unknown_clip"


@pytest.mark.parametrize(
    ("identifier", "key"),
    [
        ("{entry}", "media_not_a_clip"),
        ("{entry}/front", "media_not_a_clip"),
        ("{entry}/clip/2026-01-01", "media_not_a_clip"),
        ("unknown-entry/clip/abc", "media_unknown_entry"),
        ("{entry}/clip/abc", "media_unknown_clip"),
    ],
)
async def test_resolve_refuses_what_is_not_a_clip(
    hass: HomeAssistant, entry: ConfigEntry, identifier: str, key: str
) -> None:
    await add_clips(entry)
    with pytest.raises(Unresolvable) as err:
        await media_source.async_resolve_media(
            hass, f"{ROOT}/{identifier.format(entry=entry.entry_id)}", None
        )
    assert err.value.translation_key == key


@pytest.mark.parametrize(
    ("identifier", "key"),
    [
        ("unknown-entry", "media_unknown_entry"),
        ("{entry}/nobody", "media_unknown_doorbell"),
        ("{entry}/front/2026-13-45", "media_unknown"),
        ("{entry}/front/yesterday", "media_unknown"),
        ("{entry}/front/2026-01-01/more", "media_unknown"),
        ("{entry}/clip/abc", "media_unknown_clip"),
    ],
)
async def test_browse_refuses_unknown_identifiers(
    hass: HomeAssistant, entry: ConfigEntry, identifier: str, key: str
) -> None:
    await add_clips(entry)
    with pytest.raises(BrowseError) as err:
        await media_source.async_browse_media(
            hass, f"{ROOT}/{identifier.format(entry=entry.entry_id)}"
        )
    assert err.value.translation_key == key


async def test_unloaded_home_is_not_browsable(
    hass: HomeAssistant, entry: ConfigEntry, hass_client: Any
) -> None:
    clips = await add_clips(entry)
    assert await hass.config_entries.async_unload(entry.entry_id)
    with pytest.raises(BrowseError):
        await media_source.async_browse_media(hass, f"{ROOT}/{entry.entry_id}")
    client = await hass_client()
    response = await client.get(
        f"/api/porchlight/clips/{entry.entry_id}/{clips['back'].clip_id}"
    )
    assert response.status == HTTPStatus.NOT_FOUND
    root = await media_source.async_browse_media(hass, ROOT)
    assert root.children == []


async def test_adopted_doorbells_show_by_name(
    hass: HomeAssistant, entry: ConfigEntry
) -> None:
    """Clips are filed under the doorbell's name, not its id."""
    hass.states.async_set("camera.gate", "idle", {"friendly_name": "Gate camera"})
    subentry = ConfigSubentry(
        data=MappingProxyType(
            {"camera_entity": "camera.front", "trigger_entity": "event.bell"}
        ),
        subentry_type="doorbell",
        title="Front door",
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, subentry)
    await hass.async_block_till_done()
    clips = entry.runtime_data.clips
    mine = await clips.async_add(
        subentry.subentry_id,
        "camera.front",
        local(1, 8),
        local(1, 8),
        "image/jpeg",
        JPEG,
    )
    await clips.async_add(
        "01REMOVED", "camera.gate", local(1, 7), local(1, 7), "image/jpeg", JPEG
    )
    root = await media_source.async_browse_media(hass, ROOT)
    assert titles(root) == ["01REMOVED", "Front door"]
    front = await media_source.async_browse_media(
        hass, root.children[1].media_content_id
    )
    assert front.title == "Front door"
    day = await media_source.async_browse_media(
        hass, front.children[0].media_content_id
    )
    assert day.title.startswith("Front door · ")
    (item,) = day.children
    assert item.media_content_id.endswith(mine.clip_id)
    assert item.title.startswith("Front door · ")
    gate = await media_source.async_browse_media(
        hass, root.children[0].media_content_id
    )
    gate_day = await media_source.async_browse_media(
        hass, gate.children[0].media_content_id
    )
    assert gate_day.children[0].title.startswith("Gate camera · ")
