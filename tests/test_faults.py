"""Real faults against real processes: nothing the household decided is lost.

Issue 12: the hub killed in the middle of an upload, a hub that answers one
decision with 5xx forever, and a disk that fills up while recording. Every
wait is bounded; the hub is a real ``porchlight-hub serve`` process.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from custom_components.porchlight import api_transfer
from custom_components.porchlight.clips import ClipLibrary
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.ledger import ConsentLedger
from custom_components.porchlight.outbox import Outbox
from custom_components.porchlight.recorder import DoorbellRecorder
from custom_components.porchlight.recorder_issue import disk_full_issue_id

from .cameras import JPEG, async_setup_camera
from .faults import fault_proxy, pair_home, sealed_share
from .processes import hub_process
from .processes_agency import agency_download, agency_shares

pytestmark = pytest.mark.timeout(300)
ENTRY = "entry-faults"
BIG = 50 * 2**20


@pytest.fixture
async def session(socket_enabled: None) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client_session:
        yield client_session


async def until(check: Any, within: float, step: float = 0.05) -> None:
    async with asyncio.timeout(within):
        while not check():  # noqa: ASYNC110 - state changes in other tasks
            await asyncio.sleep(step)


async def test_hub_killed_mid_upload_the_share_completes(
    hass: HomeAssistant,
    tmp_path: Path,
    session: aiohttp.ClientSession,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hass.config.config_dir = str(tmp_path / "config")
    async with hub_process(tmp_path / "hub") as hub:
        home = await pair_home(hub, session)
        request_id = await home.request("CASE-KILL-1")
        library = ClipLibrary(hass, ENTRY)
        await library.async_load()
        footage = tmp_path / "footage.mp4"
        footage.write_bytes(os.urandom(BIG))
        start = datetime.now(UTC) - timedelta(minutes=30)
        clip = await library.async_add(
            "front", "camera.front", start, start + timedelta(seconds=10),
            "video/mp4", footage,
        )  # fmt: skip
        ledger = ConsentLedger(hass, ENTRY)
        await ledger.async_load()
        outbox = Outbox(hass, ENTRY, home.client, ledger, clips=library)
        await outbox.async_load()

        real_chunks = api_transfer.read_chunks
        halfway = asyncio.Event()
        attempts: list[int] = []

        async def watched(*args: Any) -> AsyncIterator[bytes]:
            sent = 0
            attempts.append(0)
            async for chunk in real_chunks(*args):
                sent += len(chunk)
                if len(attempts) == 1 and sent >= BIG // 3:
                    halfway.set()
                    await asyncio.sleep(0.01)  # keep it in flight for the kill
                yield chunk

        monkeypatch.setattr(api_transfer, "read_chunks", watched)
        share = await sealed_share(hass, library, [clip], home.agency)
        await outbox.async_enqueue_decision(
            request_id, "share", retention_days=7, **share
        )
        await asyncio.wait_for(halfway.wait(), 60)
        assert hub.process is not None
        hub.process.kill()
        await hub.process.wait()
        hub.process = None
        await until(lambda: outbox.retry_scheduled, 30)
        (item,) = outbox.items()
        assert item.uploads[0]["state"] == "pending"

        await hub.start()
        outbox.async_hub_back()  # what the stream listener does on reconnect
        await until(lambda: not outbox.items(), 120, 0.2)
        assert len(attempts) == 2

        shares = await agency_shares(home.agency, request_id)
        (share,) = shares["shares"]
        (shared,) = share["clips"]
        assert shared["available"]
        download = await agency_download(home.agency, shared["id"])
        assert download.status == 200
        assert download.sha256 == clip.sha256
        export = await ledger.async_export()
        assert export["verified"] is True
        kinds = [e["kind"] for e in export["entries"]]
        assert kinds.count("clip_uploaded") == 1
        assert kinds.count("share_completed") == 1
        await outbox.async_stop()


async def test_a_decision_failing_forever_does_not_delay_the_next(
    hass: HomeAssistant, tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    async with hub_process(tmp_path / "hub") as hub, fault_proxy(hub.url) as proxy:
        home = await pair_home(hub, session, proxy.url)
        stuck = await home.request("CASE-5XX-1")
        later = await home.request("CASE-5XX-2")
        proxy.fail = lambda r: r.method == "POST" and stuck in r.path
        ledger = ConsentLedger(hass, ENTRY)
        await ledger.async_load()
        outbox = Outbox(hass, ENTRY, home.client, ledger)
        await outbox.async_load()

        await outbox.async_enqueue_decision(stuck, "decline")
        await until(lambda: outbox.retry_scheduled, 10)
        proxy.down = True  # the hub goes away, then the household decides again
        await outbox.async_enqueue_decision(later, "decline")
        await until(lambda: sum(1 for s in proxy.seen if later in s[1]) >= 1, 10)
        assert outbox.pending_decision(later) is not None

        loop = asyncio.get_running_loop()
        proxy.down = False
        back = loop.time()
        outbox.async_hub_back()
        await until(lambda: outbox.pending_decision(later) is None, 10, 0.005)
        delay = loop.time() - back
        assert delay < 1.0, delay
        assert outbox.pending_decision(stuck) is not None
        status = (await home.client.get_request(later)).status
        assert status == "declined"
        print(f"decision delivered {delay * 1000:.0f} ms after the hub was back")
        await outbox.async_stop()


async def _run(*args: str) -> bool:
    """Run a system tool (mount, umount); whether it succeeded."""
    tool = shutil.which(args[0])
    if tool is None:
        return False
    proc = await asyncio.create_subprocess_exec(
        tool, *args[1:], stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await asyncio.wait_for(proc.wait(), 30) == 0


async def test_disk_full_while_recording(
    hass: HomeAssistant, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from custom_components.porchlight import recorder as recorder_module

    disk = tmp_path / "disk"
    disk.mkdir()
    if os.geteuid() != 0 or not await _run(
        "mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)
    ):
        pytest.skip("needs root to mount a small tmpfs")
    try:
        monkeypatch.setattr(recorder_module, "SNAPSHOT_INTERVAL", 0.05)
        hass.config.config_dir = str(disk)
        # Everything but about 700 KB is taken by other files.
        filler = disk / "other-files"
        filler.write_bytes(b"\0" * (2 * 2**20 - 700 * 1024))
        camera = await async_setup_camera(hass, "Front door")
        camera.image = JPEG + os.urandom(200 * 1024)  # a 200 KB picture
        library = ClipLibrary(hass, ENTRY)
        await library.async_load()
        recorder = DoorbellRecorder(
            hass, library, entry_id=ENTRY, doorbell_id="front",
            doorbell_name="Front door", camera_entity=camera.entity_id,
            record_seconds=1,
        )  # fmt: skip
        issues = ir.async_get(hass)
        result = await recorder.async_record()
        assert result.reason == "disk_full", result
        kept = list(result.clips)
        assert 1 <= len(kept) < 20
        assert issues.async_get_issue(DOMAIN, disk_full_issue_id(ENTRY))
        for clip in kept:
            assert await library.async_verify(clip)
        assert not list(disk.rglob("*.tmp"))
        assert library.clips() == kept

        filler.unlink()  # space returns
        camera.image = JPEG
        again = await recorder.async_record()
        assert again.reason is None, again
        assert len(again.clips) >= 1
        assert issues.async_get_issue(DOMAIN, disk_full_issue_id(ENTRY)) is None
        for clip in [*kept, *again.clips]:
            assert await library.async_verify(clip)
        await recorder.async_stop()
        await library.async_flush()
    finally:
        await _run("umount", "-l", str(disk))
