"""Tests for the clip library: files, index, window queries, verify and purge."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO
from unittest.mock import patch
from zoneinfo import ZoneInfo

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.porchlight import clip_files
from custom_components.porchlight.clips import (
    CHUNK_SIZE,
    Clip,
    ClipLibrary,
    ClipStorageError,
    ClipStorageFull,
    DamagedClipError,
)
from custom_components.porchlight.const import DOMAIN

ENTRY_ID = "entry-1"
KEY = f"{DOMAIN}.clips.{ENTRY_ID}"
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC)
SHA_A = "a" * 64


@pytest.fixture
def config_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Give the test its own config directory, so clip files stay in tmp_path."""
    hass.config.config_dir = str(tmp_path)
    return tmp_path


@pytest.fixture
async def library(hass: HomeAssistant, config_dir: Path) -> ClipLibrary:
    lib = ClipLibrary(hass, ENTRY_ID)
    await lib.async_load()
    return lib


def root_of(config_dir: Path) -> Path:
    return config_dir / DOMAIN / "clips" / ENTRY_ID


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def record(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "clip_id": "c1",
        "doorbell": "front",
        "camera": "Front door",
        "start": T0.isoformat(),
        "end": (T0 + timedelta(seconds=30)).isoformat(),
        "content_type": "video/mp4",
        "size": 3,
        "sha256": SHA_A,
        "path": "front/2026-03-01/c1.mp4",
    }
    data.update(overrides)
    return data


async def add(
    lib: ClipLibrary,
    start: datetime,
    seconds: float = 30,
    doorbell: str = "front",
    data: bytes = b"footage",
) -> Clip:
    return await lib.async_add(
        doorbell,
        "Front door",
        start,
        start + timedelta(seconds=seconds),
        "video/mp4",
        data,
    )


# ----------------------------------------------------------------------- add
async def test_add_bytes_writes_file_and_indexes(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    clip = await add(library, T0, data=b"hello clip")

    assert clip.path == f"front/2026-03-01/{clip.clip_id}.mp4"
    path = root_of(config_dir) / clip.path
    assert library.file_path(clip) == path
    assert path.read_bytes() == b"hello clip"
    assert clip.size == 10
    assert clip.sha256 == hashlib.sha256(b"hello clip").hexdigest()
    assert clip.start == T0
    assert clip.end == T0 + timedelta(seconds=30)
    assert library.get(clip.clip_id) == clip
    assert library.get("nope") is None
    assert len(library) == 1
    # No temporary file is left next to it.
    assert files_under(root_of(config_dir)) == [path]


async def test_add_path_copies_large_file_as_jpeg(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path, tmp_path: Path
) -> None:
    payload = os.urandom(CHUNK_SIZE * 2 + 17)
    source = tmp_path / "recording.jpg"
    source.write_bytes(payload)
    start = datetime(2026, 3, 1, 23, 59, 50, tzinfo=UTC)

    clip = await library.async_add(
        "front", "Front", start, start + timedelta(seconds=20), "image/jpeg", source
    )

    assert clip.path == f"front/2026-03-01/{clip.clip_id}.jpg"
    assert library.file_path(clip).read_bytes() == payload
    assert clip.size == len(payload)
    assert clip.sha256 == hashlib.sha256(payload).hexdigest()
    assert source.exists()  # the caller's file is copied, not moved


async def test_add_big_bytes_in_chunks(
    hass: HomeAssistant, library: ClipLibrary
) -> None:
    payload = os.urandom(CHUNK_SIZE + 5)
    clip = await add(library, T0, data=payload)
    assert library.file_path(clip).read_bytes() == payload
    assert clip.sha256 == hashlib.sha256(payload).hexdigest()


async def test_add_day_folder_is_utc(hass: HomeAssistant, library: ClipLibrary) -> None:
    # 09:30 on 2 March in Tokyo is 00:30 UTC on 2 March; 08:30 is still 1 March.
    tokyo = ZoneInfo("Asia/Tokyo")
    late = await add(library, datetime(2026, 3, 2, 9, 30, tzinfo=tokyo))
    early = await add(library, datetime(2026, 3, 2, 8, 30, tzinfo=tokyo))
    assert late.path.startswith("front/2026-03-02/")
    assert early.path.startswith("front/2026-03-01/")
    assert late.start.utcoffset() == timedelta(0)
    assert late.start == datetime(2026, 3, 2, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("doorbell", "content_type", "seconds", "message"),
    [
        ("front", "video/webm", 10, "content type"),
        ("", "video/mp4", 10, "doorbell"),
        ("front", "video/mp4", -1, "end before"),
    ],
)
async def test_add_refuses_bad_input(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    doorbell: str,
    content_type: str,
    seconds: int,
    message: str,
) -> None:
    with pytest.raises(ValueError, match=message):
        await library.async_add(
            doorbell, "Cam", T0, T0 + timedelta(seconds=seconds), content_type, b"x"
        )
    assert len(library) == 0
    assert not root_of(config_dir).exists()


@pytest.mark.parametrize("doorbell", ["../../etc", "a/b", ".hidden", "x.", "é" * 3])
async def test_unsafe_doorbell_names_stay_inside(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path, doorbell: str
) -> None:
    clip = await add(library, T0, doorbell=doorbell)
    folder = clip.path.split("/")[0]
    assert folder.startswith("doorbell-")
    assert len(clip.path.split("/")) == 3
    root = root_of(config_dir)
    assert root in library.file_path(clip).resolve().parents
    assert clip.doorbell == doorbell


async def test_add_disk_full_leaves_nothing(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    def fill_then_fail(out: BinaryIO, data: bytes | Path) -> tuple[int, str]:
        out.write(b"partial footage")
        out.flush()
        raise OSError(errno.ENOSPC, "No space left on device")

    with (
        patch.object(clip_files, "write_chunks", fill_then_fail),
        pytest.raises(ClipStorageFull) as caught,
    ):
        await add(library, T0)

    assert isinstance(caught.value, OSError)
    assert isinstance(caught.value, ClipStorageError)
    assert caught.value.errno == errno.ENOSPC
    assert len(library) == 0
    root = root_of(config_dir)
    assert files_under(root) == []
    # The doorbell and day folders made for it are gone too.
    assert list(root.iterdir()) == []


async def test_add_other_os_error(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path, tmp_path: Path
) -> None:
    with pytest.raises(ClipStorageError) as caught:
        await library.async_add(
            "front", "Cam", T0, T0, "video/mp4", tmp_path / "missing.mp4"
        )
    assert not isinstance(caught.value, ClipStorageFull)
    assert caught.value.errno == errno.ENOENT
    assert len(library) == 0
    assert files_under(root_of(config_dir)) == []


# --------------------------------------------------------------- persistence
async def test_index_persists_across_instances(
    hass: HomeAssistant, library: ClipLibrary, hass_storage: dict[str, Any]
) -> None:
    first = await add(library, T0, doorbell="front")
    second = await add(library, T0 - timedelta(hours=1), doorbell="back")
    await library.async_flush()
    assert hass_storage[KEY]["data"]["clips"][0]["clip_id"] in {
        first.clip_id,
        second.clip_id,
    }
    # Nothing left to flush: a second flush does not write again.
    with patch.object(library._store, "async_save") as save:
        await library.async_flush()
    save.assert_not_called()

    again = ClipLibrary(hass, ENTRY_ID)
    await again.async_load()

    assert again.clips() == [second, first]
    assert again.get(first.clip_id) == first
    assert again.count(T0, T0) == 1


async def test_index_saved_after_delay(
    hass: HomeAssistant, library: ClipLibrary, hass_storage: dict[str, Any]
) -> None:
    clip = await add(library, T0)
    assert KEY not in hass_storage
    async_fire_time_changed(hass, datetime.now(UTC) + timedelta(seconds=5))
    await hass.async_block_till_done()
    stored = hass_storage[KEY]["data"]["clips"]
    assert stored == [clip.to_dict()]
    assert Clip.from_dict(stored[0]) == clip


async def test_damaged_records_skipped_on_load(
    hass: HomeAssistant,
    config_dir: Path,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    good = record()
    damaged = [
        "not an object",
        record(clip_id=""),
        record(camera=5),
        record(content_type="video/webm"),
        record(size=-1),
        record(size=True),
        record(size="3"),
        record(sha256="xyz"),
        record(sha256=None),
        record(start=None),
        record(start="yesterday"),
        record(start="2026-03-01T10:00:00"),
        record(end=(T0 - timedelta(seconds=1)).isoformat()),
        record(path="/etc/passwd"),
        record(path="front/../../secret.mp4"),
        record(path="front\\..\\x.mp4"),
        record(clip_id="c1", camera="duplicate"),
    ]
    hass_storage[KEY] = {
        "version": 1,
        "minor_version": 1,
        "key": KEY,
        "data": {"clips": [good, *damaged], "future": {"kept": True}},
    }
    lib = ClipLibrary(hass, ENTRY_ID)
    with caplog.at_level(logging.WARNING):
        await lib.async_load()

    assert [clip.clip_id for clip in lib.clips()] == ["c1"]
    assert lib.get("c1") == Clip.from_dict(good)
    assert lib.get("c1").camera == "Front door"  # type: ignore[union-attr]
    assert caplog.text.count("Skipping damaged clip index record") == len(damaged) - 1
    assert "Skipping duplicate clip c1" in caplog.text

    # Keys a newer version wrote survive a save.
    await add(lib, T0)
    await lib.async_flush()
    assert hass_storage[KEY]["data"]["future"] == {"kept": True}


@pytest.mark.parametrize("data", ["garbage", {"clips": "garbage"}])
async def test_unreadable_index(
    hass: HomeAssistant,
    config_dir: Path,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    data: Any,
) -> None:
    hass_storage[KEY] = {"version": 1, "minor_version": 1, "key": KEY, "data": data}
    lib = ClipLibrary(hass, ENTRY_ID)
    await lib.async_load()
    assert len(lib) == 0
    assert "clip index of entry-1 is unreadable" in caplog.text


def test_from_dict_round_trip_and_refusal() -> None:
    clip = Clip.from_dict(record(start="2026-03-01T11:00:00+01:00"))
    assert clip.start == T0
    assert Clip.from_dict(clip.to_dict()) == clip
    assert "path" not in clip.describe()
    with pytest.raises(DamagedClipError):
        Clip.from_dict([])


# ------------------------------------------------------------ window queries
async def test_window_overlap_edges(hass: HomeAssistant, library: ClipLibrary) -> None:
    # A clip 10:00:00-10:01:00.
    clip = await add(library, T0, seconds=60)
    minute = timedelta(minutes=1)
    second = timedelta(seconds=1)

    # Touching either edge counts.
    assert library.matching(T0 - minute, T0) == [clip]
    assert library.matching(T0 + minute, T0 + 2 * minute) == [clip]
    # Inside, around, equal.
    assert library.count(T0 + second, T0 + 2 * second) == 1
    assert library.count(T0 - minute, T0 + 2 * minute) == 1
    assert library.count(T0, T0 + minute) == 1
    # Just outside.
    assert library.count(T0 - minute, T0 - second) == 0
    assert library.count(T0 + minute + second, T0 + 2 * minute) == 0
    # A window that ends before it starts matches nothing.
    assert library.count(T0 + minute, T0) == 0


async def test_long_clip_found_from_inside(
    hass: HomeAssistant, library: ClipLibrary
) -> None:
    """A window well inside a long clip still finds it (max-duration bound)."""
    long = await add(library, T0, seconds=3600)
    short = [await add(library, T0 + timedelta(minutes=m)) for m in (5, 50, 70)]

    window = (T0 + timedelta(minutes=49), T0 + timedelta(minutes=51))
    assert library.matching(*window) == [long, short[1]]
    described = library.describe(*window)
    assert described[0] == {
        "clip_id": long.clip_id,
        "doorbell": "front",
        "camera": "Front door",
        "start": "2026-03-01T10:00:00+00:00",
        "end": "2026-03-01T11:00:00+00:00",
        "content_type": "video/mp4",
        "size": 7,
        "sha256": hashlib.sha256(b"footage").hexdigest(),
    }


async def test_window_with_naive_and_local_times(
    hass: HomeAssistant, library: ClipLibrary
) -> None:
    clip = await add(library, T0)
    # Naive times are Home Assistant's time zone, as everywhere in it.
    naive = dt_util.as_local(T0).replace(tzinfo=None)
    assert library.matching(naive, naive) == [clip]
    assert library.matching(T0.replace(tzinfo=None), T0.replace(tzinfo=None)) == []
    local = T0.astimezone(timezone(timedelta(hours=2)))
    assert library.matching(local, local) == [clip]


async def test_clips_listing_and_doorbell_filter(
    hass: HomeAssistant, library: ClipLibrary
) -> None:
    a = await add(library, T0, doorbell="front")
    b = await add(library, T0 + timedelta(hours=1), doorbell="back")
    c = await add(library, T0 + timedelta(hours=2), doorbell="front")
    # Same start time as a: order is stable and all are kept.
    d = await add(library, T0, doorbell="back")

    assert set(library.clips()) == {a, b, c, d}
    assert [x.start for x in library.clips()] == sorted(x.start for x in [a, b, c, d])
    assert library.clips(doorbell="front") == [a, c]
    assert library.clips(doorbell="side") == []
    assert library.clips(start=T0 + timedelta(minutes=30)) == [b, c]
    assert set(library.clips(end=T0 + timedelta(minutes=30))) == {a, d}
    assert library.clips(
        start=T0 + timedelta(minutes=30), end=T0 + timedelta(hours=3), doorbell="back"
    ) == [b]


# -------------------------------------------------------------------- verify
async def test_verify_detects_changes(
    hass: HomeAssistant, library: ClipLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    intact = await add(library, T0, data=b"abc")
    same_size = await add(library, T0, data=b"abc")
    longer = await add(library, T0, data=b"abc")
    gone = await add(library, T0, data=b"abc")
    library.file_path(same_size).write_bytes(b"abd")
    library.file_path(longer).write_bytes(b"abcd")
    library.file_path(gone).unlink()

    assert await library.async_verify(intact) is True
    assert await library.async_verify(same_size) is False
    assert await library.async_verify(longer) is False
    assert await library.async_verify(gone) is False
    assert await library.async_verify(gone) is False
    assert caplog.text.count("no longer matches its hash") == 3
    assert caplog.text.count(gone.clip_id) == 1


# --------------------------------------------------------------------- purge
async def test_purge_by_age(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    hass_storage: dict[str, Any],
) -> None:
    now = T0 + timedelta(days=14)
    old = await add(library, T0 - timedelta(days=1), doorbell="back")
    # Ends exactly at the cutoff: kept. Ends a second before it: purged.
    edge = await add(library, T0 - timedelta(seconds=30), seconds=30)
    before = await add(library, T0 - timedelta(seconds=31), seconds=30)
    fresh = await add(library, T0 + timedelta(days=10), seconds=3600)

    removed = await library.async_purge(14, now=now)

    assert removed == 2
    assert library.clips() == [edge, fresh]
    assert library.get(old.clip_id) is None
    assert not library.file_path(old).exists()
    assert not library.file_path(before).exists()
    assert library.file_path(edge).exists()
    root = root_of(config_dir)
    # Emptied doorbell and day folders are removed.
    assert not (root / "back").exists()
    assert sorted(p.name for p in (root / "front").iterdir()) == [
        "2026-03-01",
        "2026-03-11",
    ]
    await library.async_flush()
    assert {r["clip_id"] for r in hass_storage[KEY]["data"]["clips"]} == {
        edge.clip_id,
        fresh.clip_id,
    }
    # Queries still work on the shrunk index.
    assert library.matching(T0, T0) == [edge]
    assert library.count(fresh.end, fresh.end) == 1
    assert await library.async_purge(14, now=now) == 0


async def test_purge_defaults_to_now(hass: HomeAssistant, library: ClipLibrary) -> None:
    now = datetime.now(UTC)
    old = await add(library, now - timedelta(days=3))
    new = await add(library, now - timedelta(hours=1))
    assert await library.async_purge(2) == 1
    assert library.clips() == [new]
    assert library.get(old.clip_id) is None


async def test_purge_repairs_hand_deleted_file(
    hass: HomeAssistant, library: ClipLibrary, caplog: pytest.LogCaptureFixture
) -> None:
    kept = await add(library, T0)
    deleted = await add(library, T0 + timedelta(minutes=1))
    library.file_path(deleted).unlink()

    with caplog.at_level(logging.INFO):
        removed = await library.async_purge(14, now=T0 + timedelta(days=1))

    assert removed == 1
    assert library.clips() == [kept]
    assert library.count(deleted.start, deleted.end) == 0
    assert "Dropped 1 clips whose files were deleted" in caplog.text


async def test_purge_deletes_stale_unknown_files(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    now = T0 + timedelta(days=30)
    clip = await add(library, T0 + timedelta(days=29))
    root = root_of(config_dir)
    stale = root / "front" / "2026-01-01" / "lost.mp4"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"lost")
    leftover = root / "front" / "2026-03-30" / ".abc.mp4.tmp"
    leftover.write_bytes(b"crash")
    recent = root / "front" / "2026-03-30" / ".writing.mp4.tmp"
    recent.write_bytes(b"being written")
    old_time = (now - timedelta(days=20)).timestamp()
    os.utime(stale, (old_time, old_time))
    os.utime(leftover, (old_time, old_time))
    # The clip's own file is old on disk but indexed and within retention.
    os.utime(library.file_path(clip), (old_time, old_time))

    assert await library.async_purge(14, now=now) == 0

    assert not stale.exists()
    assert not stale.parent.exists()
    assert not leftover.exists()
    assert recent.exists()
    assert library.file_path(clip).exists()


async def test_purge_zero_retention_spares_files_being_written(
    hass: HomeAssistant, library: ClipLibrary, config_dir: Path
) -> None:
    root = root_of(config_dir)
    root.mkdir(parents=True)
    writing = root / ".new.mp4.tmp"
    writing.write_bytes(b"x")
    assert await library.async_purge(0) == 0
    assert writing.exists()


async def test_purge_without_folder(hass: HomeAssistant, library: ClipLibrary) -> None:
    assert not library.root.exists()
    assert await library.async_purge(14) == 0


async def test_purge_survives_undeletable_files(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = T0 + timedelta(days=30)
    old = await add(library, T0)
    stale = root_of(config_dir) / "stale.mp4"
    stale.write_bytes(b"x")
    old_time = T0.timestamp()
    os.utime(stale, (old_time, old_time))

    with patch.object(Path, "unlink", side_effect=PermissionError("read-only")):
        removed = await library.async_purge(14, now=now)

    # The index forgets the expired clip; its file is now unknown and stale,
    # so a later purge deletes it.
    assert removed == 1
    assert library.clips() == []
    assert "Could not delete clip file" in caplog.text
    assert "Could not delete stale clip file" in caplog.text
    assert library.file_path(old).exists()
    os.utime(library.file_path(old), (old_time, old_time))
    assert await library.async_purge(14, now=now) == 0
    assert files_under(library.root) == []


# -------------------------------------------------------------------- remove
async def test_remove_deletes_everything(
    hass: HomeAssistant,
    library: ClipLibrary,
    config_dir: Path,
    hass_storage: dict[str, Any],
) -> None:
    clip = await add(library, T0)
    await library.async_flush()
    assert KEY in hass_storage

    await library.async_remove()

    assert KEY not in hass_storage
    assert not root_of(config_dir).exists()
    assert library.clips() == []
    assert library.get(clip.clip_id) is None
    assert library.count(T0, T0) == 0
    # A pending delayed save does not bring the index back.
    async_fire_time_changed(hass, datetime.now(UTC) + timedelta(seconds=5))
    await hass.async_block_till_done()
    assert KEY not in hass_storage
    # Removing twice is harmless.
    await library.async_remove()
