"""End to end: sharing local clips with an agency through the real hub.

The agency downloads what the household shared and the bytes must be exactly
what was recorded; refusals must leave nothing on the hub.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight import outbox_item as outbox_mod
from custom_components.porchlight import services_decisions
from custom_components.porchlight.api import PorchlightClient
from custom_components.porchlight.clips import Clip
from custom_components.porchlight.const import DOMAIN

from .e2e import (
    entity_id,
    eventually,
    pair_entry,
    post_request,
    unseal,
    wait_for,
)
from .hub.conftest import Client, HubHarness


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and retry within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MAX", 0.2)
    # A loaded test machine must not turn "shared" into "queued".
    monkeypatch.setattr(services_decisions, "SHARE_ACK_TIMEOUT", 30.0)


async def _add(
    entry: ConfigEntry, hub: HubHarness, hours_ago: float, data: bytes
) -> Clip:
    start = hub.clock.now() - timedelta(hours=hours_ago)
    clip: Clip = await entry.runtime_data.clips.async_add(
        "front",
        "Front door",
        start,
        start + timedelta(seconds=10),
        "image/jpeg",
        data,
    )
    return clip


async def _setup(
    hass: HomeAssistant, hub: HubHarness, inside: int = 2
) -> tuple[ConfigEntry, Client, dict[str, Any], list[Clip], Clip]:
    """A paired home with clips in (now-3 h .. now-1 h) and one after, and a request."""
    entry = await pair_entry(hass, hub)
    clips = [
        await _add(entry, hub, 2.5 - i * 0.5, b"\xff\xd8inside-%d\xff\xd9" % i * 50)
        for i in range(inside)
    ]
    outside = await _add(entry, hub, 0.5, b"\xff\xd8outside\xff\xd9")
    agency = await hub.add_agency()
    request = await post_request(hass, hub, agency)
    event = entity_id(hass, "event", "video_requests")
    await wait_for(
        lambda: hass.states.get(event).attributes.get("request_id") == request["id"],
        within=15,
    )
    return entry, agency, request, clips, outside


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def _agency_shares(agency: Client, request_id: str) -> list[dict[str, Any]]:
    status, body = await agency.call(
        "GET", f"/api/v1/agency/requests/{request_id}/shares"
    )
    assert status == 200, body
    return list(body["shares"])


async def _ledger_kinds(hass: HomeAssistant) -> list[str]:
    export = await _call(hass, "export_ledger", {})
    assert export["verified"] is True
    return [e["kind"] for e in export["entries"]]


async def _wait_complete(agency: Client, request_id: str, count: int) -> None:
    async def complete() -> bool:
        shares = await _agency_shares(agency, request_id)
        return (
            len(shares) == 1
            and len(shares[0]["clips"]) == count
            and all(c["available"] for c in shares[0]["clips"])
        )

    await eventually(complete, within=20)


async def test_share_all_reaches_the_agency_byte_for_byte(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, agency, request, inside, outside = await _setup(hass, real_hub)
    event = entity_id(hass, "event", "video_requests")
    assert hass.states.get(event).attributes["matching_clips"] == 2

    answer = await _call(
        hass, "share_all", {"request_id": request["id"], "retention_days": 7}
    )
    assert answer["status"] == "shared"
    assert answer["share_id"]
    assert [c["clip_id"] for c in answer["clips"]] == [c.clip_id for c in inside]
    assert hass.states.get(event).attributes["event_type"] == "shared"

    await _wait_complete(agency, request["id"], 2)
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)
    (share,) = await _agency_shares(agency, request["id"])
    assert share["share_id"] == answer["share_id"]
    assert share["status"] == "complete"
    library = entry.runtime_data.clips
    downloaded: dict[str, bytes] = {}
    for clip in share["clips"]:
        status, body = await agency.call("GET", clip["url"])
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == clip["sha256"]
        assert clip["content_type"] == "application/age"
        assert clip["inner_content_type"] == "image/jpeg"
        plain = unseal(agency, body)
        assert hashlib.sha256(plain).hexdigest() == clip["plaintext_sha256"]
        downloaded[clip["plaintext_sha256"]] = plain
    assert set(downloaded) == {c.sha256 for c in inside}
    assert outside.sha256 not in downloaded
    for clip in inside:
        local = await hass.async_add_executor_job(library.file_path(clip).read_bytes)
        assert downloaded[clip.sha256] == local

    kinds = await _ledger_kinds(hass)
    assert kinds.count("clip_uploaded") == 2
    assert "share_completed" in kinds
    # The hub tells the home about each download over the stream.
    await _until_ledger_has(hass, "share_accessed")


async def _until_ledger_has(hass: HomeAssistant, kind: str) -> None:
    async def present() -> bool:
        return kind in await _ledger_kinds(hass)

    await eventually(present, within=15)


async def test_share_clips_outside_the_window_is_refused(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, agency, request, inside, outside = await _setup(hass, real_hub)
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass,
            "share_clips",
            {
                "request_id": request["id"],
                "clip_ids": [inside[0].clip_id, outside.clip_id],
            },
        )
    assert err.value.translation_key == "clip_not_in_window"
    assert err.value.translation_placeholders["clip_id"] == outside.clip_id
    for bad, key in (
        ({"clip_ids": ["nope"]}, "unknown_clip"),
        ({"clip_ids": []}, "no_clips_selected"),
        ({"clip_ids": [inside[0].clip_id], "retention_days": 91}, "invalid_retention"),
        ({"clip_ids": [inside[0].clip_id], "retention_days": 0}, "invalid_retention"),
    ):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, "share_clips", {"request_id": request["id"], **bad})
        assert err.value.translation_key == key
    assert not entry.runtime_data.outbox.items()
    assert await _agency_shares(agency, request["id"]) == []
    assert "decision" not in await _ledger_kinds(hass)

    # The request is still open: sharing only the inside clip works.
    answer = await _call(
        hass,
        "share_clips",
        {"request_id": request["id"], "clip_ids": [inside[1].clip_id]},
    )
    assert answer["status"] == "shared"
    assert [c["clip_id"] for c in answer["clips"]] == [inside[1].clip_id]
    await _wait_complete(agency, request["id"], 1)
    (share,) = await _agency_shares(agency, request["id"])
    assert [c["plaintext_sha256"] for c in share["clips"]] == [inside[1].sha256]
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "share_all", {"request_id": request["id"]})
    assert err.value.translation_key in {
        "request_already_decided",
        "request_not_pending",
    }


async def test_share_all_without_matching_clips(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, agency, request, _inside, _outside = await _setup(hass, real_hub, inside=0)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "share_all", {"request_id": request["id"]})
    assert err.value.translation_key == "no_matching_clips"
    pending = hass.states.get(entity_id(hass, "sensor", "pending_video_requests"))
    assert pending.state == "1"
    assert entry.runtime_data.coordinator.data.requests[request["id"]].pending
    assert not entry.runtime_data.outbox.items()
    assert await _agency_shares(agency, request["id"]) == []


async def test_damaged_clip_refuses_the_whole_share(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, agency, request, inside, _outside = await _setup(hass, real_hub)
    path = entry.runtime_data.clips.file_path(inside[1])
    await hass.async_add_executor_job(path.write_bytes, b"\xff\xd8edited\xff\xd9")
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "share_all", {"request_id": request["id"]})
    assert err.value.translation_key == "clip_damaged"
    assert err.value.translation_placeholders["clip_ids"] == inside[1].clip_id
    assert not entry.runtime_data.outbox.items()
    assert await _agency_shares(agency, request["id"]) == []
    assert entry.runtime_data.coordinator.data.requests[request["id"]].pending


async def test_hub_down_mid_upload_resumes_after_restart(
    hass: HomeAssistant, real_hub: HubHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry, agency, request, inside, _outside = await _setup(hass, real_hub, inside=3)
    sent: list[str] = []
    original = PorchlightClient.upload_clip

    async def upload_clip(
        self: PorchlightClient,
        share_id: str,
        clip_id: str,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        sent.append(clip_id)
        if len(sent) == 2:
            await real_hub.stop()  # after the first clip is up
        return await original(self, share_id, clip_id, *args, **kwargs)

    monkeypatch.setattr(PorchlightClient, "upload_clip", upload_clip)
    answer = await _call(hass, "share_all", {"request_id": request["id"]})
    assert answer["share_id"]
    outbox = entry.runtime_data.outbox
    await wait_for(lambda: outbox.items() and outbox.items()[0].last_error, within=15)
    (item,) = outbox.items()
    assert item.share_id == answer["share_id"]
    assert [u["state"] for u in item.uploads] == ["uploaded", "pending", "pending"]

    # Home Assistant restarts while the hub is down; the item resumes.
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await real_hub.start()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()

    await _wait_complete(agency, request["id"], 3)
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)
    (share,) = await _agency_shares(agency, request["id"])
    assert share["share_id"] == answer["share_id"]
    assert share["status"] == "complete"
    assert sorted(c["plaintext_sha256"] for c in share["clips"]) == sorted(
        c.sha256 for c in inside
    )
    assert sent.count(inside[0].clip_id) == 1
    kinds = await _ledger_kinds(hass)
    assert kinds.count("clip_uploaded") == 3
    assert kinds.count("share_completed") == 1


async def test_share_while_hub_down_is_queued(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, agency, request, _inside, _outside = await _setup(hass, real_hub)
    await real_hub.stop()
    answer = await _call(hass, "share_all", {"request_id": request["id"]})
    assert answer["share_id"] is None
    assert answer["status"] == "queued"
    assert len(answer["clips"]) == 2
    # The event entity is unavailable with the hub; the decision shows at once.
    coordinator = entry.runtime_data.coordinator
    assert coordinator.data.requests[request["id"]].status == "shared"
    assert len(entry.runtime_data.outbox.items()) == 1
    await real_hub.start()
    await _wait_complete(agency, request["id"], 2)
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)


async def test_file_changed_before_upload_is_skipped(
    hass: HomeAssistant, real_hub: HubHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry, agency, request, inside, _outside = await _setup(hass, real_hub)
    library = entry.runtime_data.clips
    original = PorchlightClient.upload_clip
    sent: list[str] = []

    async def upload_clip(
        self: PorchlightClient,
        share_id: str,
        clip_id: str,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        sent.append(clip_id)
        # The second clip's file is edited while the first uploads.
        await hass.async_add_executor_job(
            library.file_path(inside[1]).write_bytes, b"\xff\xd8edited\xff\xd9"
        )
        return await original(self, share_id, clip_id, *args, **kwargs)

    monkeypatch.setattr(PorchlightClient, "upload_clip", upload_clip)
    await _call(hass, "share_all", {"request_id": request["id"]})
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)
    assert sent == [inside[0].clip_id]
    export = await _call(hass, "export_ledger", {})
    failed = [e["data"] for e in export["entries"] if e["kind"] == "clip_upload_failed"]
    assert [f["clip_id"] for f in failed] == [inside[1].clip_id]
    assert failed[0]["reason"] == "file_missing_or_changed"
    (share,) = await _agency_shares(agency, request["id"])
    available = {c["plaintext_sha256"]: c["available"] for c in share["clips"]}
    assert available == {inside[0].sha256: True, inside[1].sha256: False}


async def test_list_clips_filters(hass: HomeAssistant, real_hub: HubHarness) -> None:
    entry, _agency, _request, inside, outside = await _setup(hass, real_hub)
    back = await entry.runtime_data.clips.async_add(
        "back",
        "Back door",
        inside[0].start,
        inside[0].end,
        "image/jpeg",
        b"\xff\xd8back\xff\xd9",
    )
    every = await _call(hass, "list_clips", {})
    assert {c["clip_id"] for c in every["clips"]} == {
        inside[0].clip_id,
        back.clip_id,
        inside[1].clip_id,
        outside.clip_id,
    }
    starts = [c["start"] for c in every["clips"]]
    assert starts == sorted(starts)
    assert "path" not in every["clips"][0]
    front = await _call(hass, "list_clips", {"doorbell": "front"})
    assert back.clip_id not in {c["clip_id"] for c in front["clips"]}
    assert len(front["clips"]) == 3
    recent = await _call(
        hass, "list_clips", {"start": outside.start - timedelta(minutes=1)}
    )
    assert [c["clip_id"] for c in recent["clips"]] == [outside.clip_id]
    window = await _call(
        hass,
        "list_clips",
        {
            "start": inside[0].start,
            "end": inside[1].end,
            "doorbell": "front",
        },
    )
    assert [c["clip_id"] for c in window["clips"]] == [c.clip_id for c in inside]
    with pytest.raises(ServiceValidationError) as err:
        await _call(
            hass, "list_clips", {"start": inside[1].start, "end": inside[0].start}
        )
    assert err.value.translation_key == "invalid_window"


async def test_share_revoked_mid_upload_is_abandoned(
    hass: HomeAssistant, real_hub: HubHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry, agency, request, inside, _outside = await _setup(hass, real_hub)
    original = PorchlightClient.upload_clip
    sent: list[str] = []

    async def upload_clip(
        self: PorchlightClient,
        share_id: str,
        clip_id: str,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        sent.append(clip_id)
        if len(sent) == 2:
            await self.revoke_share(share_id)
        return await original(self, share_id, clip_id, *args, **kwargs)

    monkeypatch.setattr(PorchlightClient, "upload_clip", upload_clip)
    answer = await _call(hass, "share_all", {"request_id": request["id"]})
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=15)
    assert sent == [c.clip_id for c in inside]
    export = await _call(hass, "export_ledger", {})
    abandoned = [e["data"] for e in export["entries"] if e["kind"] == "share_abandoned"]
    assert abandoned == [
        {
            "share_id": answer["share_id"],
            "request_id": request["id"],
            "code": abandoned[0]["code"],
            "pending": [inside[1].clip_id],
        }
    ]
    kinds = [e["kind"] for e in export["entries"]]
    assert "share_completed" not in kinds
    assert kinds.count("clip_uploaded") == 1
    (share,) = await _agency_shares(agency, request["id"])
    assert share["status"] == "revoked"
    assert not any(c["available"] for c in share["clips"])
