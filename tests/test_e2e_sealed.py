"""End to end: what the integration shares is sealed to the agency, and only that.

A household shares through the real hub; the agency opens the clips with the
standard ``age`` command line and with ``porchlight-agency fetch``, and gets
exactly the bytes recorded at home. The hub's media folder holds no 64-byte
run of any clip's plaintext, and the consent ledger says what was sealed to
whom.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight import outbox_item as outbox_mod
from custom_components.porchlight import services_decisions
from custom_components.porchlight.clips import Clip
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.sealing import CHUNK_SIZE, fingerprint
from porchlight_hub import agency_cli
from porchlight_hub.agency_keys import write_new

from .e2e import entity_id, pair_entry, post_request, wait_for
from .hub.conftest import HubHarness

WINDOW = 64
needs_age = pytest.mark.skipif(
    shutil.which("age") is None, reason="the age CLI is not installed (apt install age)"
)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and retry within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(services_decisions, "SHARE_ACK_TIMEOUT", 30.0)


def _windows(data: bytes) -> set[bytes]:
    return {data[i : i + WINDOW] for i in range(len(data) - WINDOW + 1)}


def _media_windows(media: Path) -> set[bytes]:
    found: set[bytes] = set()
    for path in media.rglob("*"):
        if path.is_file():
            found |= _windows(path.read_bytes())
    return found


def _fetch(hub: str, key: str, identity: Path, request_id: str, out: Path) -> int:
    return agency_cli.main(
        [
            "fetch",
            "--hub",
            hub,
            "--key",
            key,
            "--identity",
            str(identity),
            request_id,
            "--out",
            str(out),
        ]
    )


@needs_age
async def test_shared_clips_open_with_age_and_porchlight_agency_only(
    hass: HomeAssistant, real_hub: HubHarness, tmp_path: Path
) -> None:
    entry = await pair_entry(hass, real_hub)
    library = entry.runtime_data.clips
    start = real_hub.clock.now() - timedelta(hours=2)
    recorded = {
        # Several STREAM chunks, the last one partial.
        "video/mp4": b"\x00\x00\x00\x18ftypmp42" + os.urandom(3 * CHUNK_SIZE + 999),
        "image/jpeg": b"\xff\xd8" + os.urandom(5000) + b"\xff\xd9",
    }
    clips: list[Clip] = []
    for i, (content_type, data) in enumerate(recorded.items()):
        clips.append(
            await library.async_add(
                "front",
                "Front door",
                start + timedelta(minutes=i),
                start + timedelta(minutes=i, seconds=10),
                content_type,
                data,
            )
        )
    agency = await real_hub.add_agency()
    assert agency.identity is not None
    identity = tmp_path / "agency.key"
    await asyncio.to_thread(write_new, identity, agency.identity)
    request = await post_request(hass, real_hub, agency)
    event = entity_id(hass, "event", "video_requests")
    await wait_for(
        lambda: hass.states.get(event).attributes.get("request_id") == request["id"]
    )

    answer = await hass.services.async_call(
        DOMAIN,
        "share_all",
        {"request_id": request["id"]},
        blocking=True,
        return_response=True,
    )
    assert answer is not None
    assert answer["status"] == "shared"
    await wait_for(lambda: not entry.runtime_data.outbox.items(), within=20)

    status, listing = await agency.call(
        "GET", f"/api/v1/agency/requests/{request['id']}/shares"
    )
    assert status == 200, listing
    listed = listing["shares"][0]["clips"]
    assert {c["content_type"] for c in listed} == {"application/age"}
    assert {c["inner_content_type"] for c in listed} == set(recorded)

    # The standard age command line opens every clip to the recorded bytes.
    by_plain = {c.sha256: c for c in clips}
    for clip in listed:
        status, sealed = await agency.call("GET", clip["url"])
        assert status == 200
        assert hashlib.sha256(sealed).hexdigest() == clip["sha256"]
        opened = await asyncio.to_thread(
            subprocess.run,
            ["age", "-d", "-i", str(identity)],
            input=sealed,
            capture_output=True,
            check=True,
        )
        local = by_plain[clip["plaintext_sha256"]]
        assert opened.stdout == recorded[local.content_type]

    # So does porchlight-agency fetch.
    out = tmp_path / "evidence"
    code = await asyncio.to_thread(
        _fetch, real_hub.url, agency.secret, identity, request["id"], out
    )
    assert code == 0
    fetched = sorted(p.read_bytes() for p in out.iterdir())
    assert fetched == sorted(recorded.values())

    # The hub never held a 64-byte run of any clip's plaintext.
    media = await asyncio.to_thread(_media_windows, real_hub.media)
    assert media, "the hub stored the sealed clips"
    for data in recorded.values():
        assert media.isdisjoint(_windows(data))

    # The ledger says what was sealed to whom.
    export: Any = await hass.services.async_call(
        DOMAIN, "export_ledger", {}, blocking=True, return_response=True
    )
    expected = fingerprint(agency.identity.recipient)
    (decision,) = [e["data"] for e in export["entries"] if e["kind"] == "decision"]
    assert decision["agency_recipient_fingerprint"] == expected
    assert {c["plaintext_sha256"] for c in decision["clips"]} == set(by_plain)
    uploaded = [e["data"] for e in export["entries"] if e["kind"] == "clip_uploaded"]
    assert {u["plaintext_sha256"] for u in uploaded} == set(by_plain)
    assert {u["agency_recipient_fingerprint"] for u in uploaded} == {expected}
    # The seeds the uploads were sealed with are gone with the outbox item.
    assert not entry.runtime_data.outbox.items()
