"""The consent ledger's files: crashes, full disks, segments, checkpoints, migration."""

from __future__ import annotations

import errno
import hashlib
import itertools
import json
import os
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store

from custom_components.porchlight import ledger as ledger_module
from custom_components.porchlight import (
    ledger_chain,
    ledger_io,
    ledger_migrate,
    ledger_scan,
    ledger_store,
)
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.ledger import ConsentLedger
from custom_components.porchlight.ledger_chain import (
    GENESIS_HASH,
    KIND_DECISION,
    KIND_REQUEST_RECEIVED,
    KIND_TAIL_DROPPED,
    LedgerEntry,
    LedgerVerification,
    entry_hash,
)
from custom_components.porchlight.ledger_issue import LedgerStorageError, ledger_dir

from .ledger_helpers import edit_ledger_entry, ledger_file_entries, segment_files

ENTRY_ID = "entry-1"
OLD_KEY = f"{DOMAIN}.ledger.{ENTRY_ID}"


@pytest.fixture
def small_segments(monkeypatch: pytest.MonkeyPatch) -> int:
    """Segments of about three entries, so a few appends roll several times."""
    monkeypatch.setattr(ledger_io, "SEGMENT_MAX_BYTES", 600)
    return 600


@pytest.fixture
def hashed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sequence numbers of the entries whose hash gets recomputed."""
    seen: list[int] = []
    original = ledger_chain.stored_digest

    def counting(entry: dict[str, Any], exact: bool) -> str:
        seen.append(entry["seq"])
        return original(entry, exact)

    monkeypatch.setattr(ledger_chain, "stored_digest", counting)
    return seen


def folder(hass: HomeAssistant) -> Path:
    return ledger_dir(hass, ENTRY_ID)


async def filled(hass: HomeAssistant, count: int) -> ConsentLedger:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    for n in range(count):
        await ledger.async_append(
            KIND_REQUEST_RECEIVED if n % 2 else KIND_DECISION,
            {"request_id": f"req-{n}", "note": "é ✓", "distance_m": 12.5},
            durable=n % 3 == 0,
        )
    return ledger


async def loaded(hass: HomeAssistant) -> tuple[ConsentLedger, LedgerVerification]:
    ledger = ConsentLedger(hass, ENTRY_ID)
    return ledger, await ledger.async_load()


def independent_verify(entries: list[Any]) -> bool:
    """The documented rule, with nothing but hashlib and json."""
    prev = GENESIS_HASH
    for seq, entry in enumerate(entries, 1):
        body = {k: entry[k] for k in ("seq", "ts", "kind", "data", "prev")}
        text = json.dumps(
            body, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
        if entry["seq"] != seq or entry["prev"] != prev:
            return False
        if hashlib.sha256(text.encode()).hexdigest() != entry["hash"]:
            return False
        prev = entry["hash"]
    return True


# --------------------------------------------------------------------------
# A process killed mid-write


async def test_torn_last_line_is_cut_kept_and_recorded(hass: HomeAssistant) -> None:
    await filled(hass, 4)
    (segment,) = segment_files(hass, ENTRY_ID)
    good = segment.read_bytes()
    line = ledger_chain.entry_line(
        LedgerEntry(
            5, "2026-01-01T00:00:00+00:00", KIND_DECISION, {}, "0", "1"
        ).as_dict()
    )
    torn = line[: len(line) // 2]
    segment.write_bytes(good + torn)  # killed half-way through the fifth append

    ledger, result = await loaded(hass)

    assert result == LedgerVerification(True, 5)
    entries = ledger_file_entries(hass, ENTRY_ID)
    assert len(entries) == 5
    assert segment.read_bytes().startswith(good)
    dropped = entries[-1]
    assert dropped["kind"] == KIND_TAIL_DROPPED
    assert dropped["data"] == {
        "segment": segment.name,
        "offset": len(good),
        "bytes": len(torn),
        "sha256": hashlib.sha256(torn).hexdigest(),
        "kept_in": f"torn-{segment.stem}-{len(good)}.bin",
    }
    assert (folder(hass) / dropped["data"]["kept_in"]).read_bytes() == torn
    assert independent_verify(entries)
    assert ledger.count == 5
    # The drop is recorded once; loading again finds nothing to cut.
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 5)
    assert len(ledger_file_entries(hass, ENTRY_ID)) == 5


async def test_a_complete_damaged_last_line_is_evidence_not_torn(
    hass: HomeAssistant,
) -> None:
    await filled(hass, 2)
    (segment,) = segment_files(hass, ENTRY_ID)
    segment.write_bytes(segment.read_bytes() + b"\x00\x00garbage\n")
    ledger, result = await loaded(hass)
    assert result == LedgerVerification(False, 3, 3, "malformed entry")
    assert ledger.count == 3
    assert not list(folder(hass).glob("torn-*"))


# --------------------------------------------------------------------------
# A full disk


def half_then_enospc(fd: int, data: bytes) -> None:
    os.write(fd, data[: len(data) // 2])
    raise OSError(errno.ENOSPC, "No space left on device")


async def test_disk_full_raises_and_leaves_the_ledger_verifiable(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = await filled(hass, 3)
    (segment,) = segment_files(hass, ENTRY_ID)
    before = segment.read_bytes()
    head = ledger.head
    monkeypatch.setattr(ledger_store, "write_all", half_then_enospc)

    with pytest.raises(LedgerStorageError) as info:
        await ledger.async_append(KIND_DECISION, {"request_id": "x"}, durable=True)

    assert info.value.translation_key == "ledger_write_failed"
    assert info.value.translation_placeholders == {"error": "No space left on device"}
    assert segment.read_bytes() == before  # the half line was cut off again
    assert (ledger.count, ledger.head) == (3, head)
    assert await ledger.async_verify() == LedgerVerification(True, 3)

    monkeypatch.undo()
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "y"}, durable=True)
    assert (entry.seq, entry.prev) == (4, head)
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 4)


async def test_a_failed_cut_is_retried_before_the_next_line(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = await filled(hass, 2)
    (segment,) = segment_files(hass, ENTRY_ID)
    before = segment.read_bytes()
    real_truncate = os.ftruncate
    fail_once = [True]

    def flaky_truncate(fd: int, size: int) -> None:
        if fail_once.pop() if fail_once else False:
            raise OSError(errno.EIO, "I/O error")
        real_truncate(fd, size)

    monkeypatch.setattr(ledger_store, "write_all", half_then_enospc)
    monkeypatch.setattr(ledger_store.os, "ftruncate", flaky_truncate)
    with pytest.raises(LedgerStorageError):
        await ledger.async_append(KIND_DECISION, {"request_id": "x"})
    assert segment.read_bytes() != before  # the half line is still there
    monkeypatch.setattr(ledger_store, "write_all", ledger_io.write_all)

    await ledger.async_append(KIND_DECISION, {"request_id": "y"})
    entries = ledger_file_entries(hass, ENTRY_ID)
    assert [e["data"].get("request_id") for e in entries][-1] == "y"
    assert independent_verify(entries)


async def test_a_failed_fsync_records_nothing(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = await filled(hass, 1)

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(ledger_store, "FDATASYNC", failing)
    with pytest.raises(LedgerStorageError):
        await ledger.async_append(KIND_DECISION, {"request_id": "x"}, durable=True)
    assert len(ledger_file_entries(hass, ENTRY_ID)) == 1
    assert ledger.count == 1


async def test_an_unreadable_folder_fails_the_load_clearly(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    await filled(hass, 1)

    def denied(self: Path) -> bytes:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    ledger = ConsentLedger(hass, ENTRY_ID)
    with pytest.raises(LedgerStorageError) as info:
        await ledger.async_load()
    assert info.value.translation_key == "ledger_read_failed"
    with pytest.raises(RuntimeError):
        await ledger.async_append(KIND_DECISION, {})


# --------------------------------------------------------------------------
# Segments


async def test_segments_roll_and_the_chain_runs_across_them(
    hass: HomeAssistant, small_segments: int
) -> None:
    ledger = await filled(hass, 20)
    files = segment_files(hass, ENTRY_ID)
    assert len(files) >= 5
    assert [f.name for f in files] == [
        f"{n:06d}.jsonl" for n in range(1, len(files) + 1)
    ]
    per_file = [
        [json.loads(line) for line in f.read_bytes().splitlines()] for f in files
    ]
    for before, after in itertools.pairwise(per_file):
        assert after[0]["prev"] == before[-1]["hash"]
    for f in files[:-1]:
        assert f.stat().st_size >= small_segments
    everything = [e for part in per_file for e in part]
    assert independent_verify(everything)
    assert (await ledger.async_export())["entries"] == everything
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 20)


async def test_a_missing_segment_breaks_the_chain(
    hass: HomeAssistant, small_segments: int
) -> None:
    await filled(hass, 12)
    files = segment_files(hass, ENTRY_ID)
    first_of_next = json.loads(files[2].read_bytes().splitlines()[0])["seq"]
    files[1].unlink()
    _, result = await loaded(hass)
    assert not result.ok
    assert result.reason is not None
    assert result.reason.startswith("expected entry")
    assert result.broken_at is not None
    assert result.broken_at < first_of_next


async def test_a_roll_checkpoints_the_closed_segments(
    hass: HomeAssistant, small_segments: int, hashed: list[int]
) -> None:
    await filled(hass, 10)
    checkpoint = json.loads((folder(hass) / "checkpoint.json").read_text())
    closed = segment_files(hass, ENTRY_ID)[:-1]
    covered = {s["name"]: s for s in checkpoint["segments"]}
    for path in closed:
        assert covered[path.name]["size"] == path.stat().st_size
        assert (
            covered[path.name]["sha256"]
            == hashlib.sha256(path.read_bytes()).hexdigest()
        )
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 10)
    assert hashed == list(range(checkpoint["seq"] + 1, 11))


# --------------------------------------------------------------------------
# Checkpoints


async def test_startup_with_a_checkpoint_hashes_only_what_follows(
    hass: HomeAssistant, hashed: list[int]
) -> None:
    ledger = await filled(hass, 6)
    await ledger.async_flush()
    more = ConsentLedger(hass, ENTRY_ID)
    await more.async_load()
    await more.async_append(KIND_DECISION, {"request_id": "late"})
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 7)
    assert hashed == [7]
    # That load verified entry 7 and checkpointed it: the next hashes nothing.
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 7)
    assert hashed == []


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c.update(hash="f" * 64),
        lambda c: c.update(seq=c["seq"] - 1),
        lambda c: c["segments"][0].update(sha256="0" * 64),
        lambda c: c["segments"][0].update(size=c["segments"][0]["size"] - 1),
        lambda c: c["segments"].append(
            {"name": "000002.jsonl", "size": 0, "sha256": ""}
        ),
        lambda c: c.update(segments="junk"),
    ],
)
async def test_a_tampered_checkpoint_means_a_full_verify(
    hass: HomeAssistant, hashed: list[int], tamper: Any
) -> None:
    ledger = await filled(hass, 4)
    await ledger.async_flush()
    path = folder(hass) / "checkpoint.json"
    checkpoint = json.loads(path.read_text())
    tamper(checkpoint)
    path.write_text(json.dumps(checkpoint))
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 4)
    assert hashed == [1, 2, 3, 4]
    # The full verify wrote a checkpoint that matches again.
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 4)
    assert hashed == []


async def test_an_unreadable_checkpoint_is_ignored(
    hass: HomeAssistant, hashed: list[int]
) -> None:
    ledger = await filled(hass, 2)
    await ledger.async_flush()
    (folder(hass) / "checkpoint.json").write_bytes(b"{not json")
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 2)
    assert hashed == [1, 2]


async def test_an_edit_under_the_checkpoint_is_found(
    hass: HomeAssistant, hashed: list[int]
) -> None:
    ledger = await filled(hass, 5)
    await ledger.async_flush()
    # Same size, same lines: only the checkpoint's hash can tell.
    (segment,) = segment_files(hass, ENTRY_ID)
    data = segment.read_bytes()
    segment.write_bytes(data.replace(b'"req-2"', b'"req-X"'))
    assert len(segment.read_bytes()) == len(data)
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(False, 5, 3, "content does not match its hash")
    assert hashed == [1, 2, 3]  # from the start, up to the break
    # The checkpoint now vouches only for what verified.
    checkpoint = json.loads((folder(hass) / "checkpoint.json").read_text())
    assert checkpoint["seq"] == 2
    hashed.clear()
    _, result = await loaded(hass)
    assert (result.ok, result.broken_at) == (False, 3)
    assert hashed == [3]


async def test_a_break_found_by_export_shrinks_the_checkpoint(
    hass: HomeAssistant, hashed: list[int]
) -> None:
    ledger = await filled(hass, 5)
    await ledger.async_flush()
    edit_ledger_entry(hass, ENTRY_ID, 3, lambda e: e.update(kind="edited"))
    exported = await ledger.async_export()
    assert (exported["verified"], exported["broken_at"]) == (False, 4)
    checkpoint = json.loads((folder(hass) / "checkpoint.json").read_text())
    assert checkpoint["seq"] == 3
    # A broken chain is not checkpointed further by later appends or flushes.
    await ledger.async_append(KIND_DECISION, {"request_id": "after"})
    await ledger.async_flush()
    assert json.loads((folder(hass) / "checkpoint.json").read_text())["seq"] == 3
    hashed.clear()
    _, result = await loaded(hass)
    assert (result.ok, result.broken_at, result.count) == (False, 4, 6)
    assert hashed == [4]


async def test_verification_never_runs_on_the_event_loop(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = await filled(hass, 3)
    loop_thread = hass.loop_thread_id
    threads: set[int] = set()
    original = ledger_chain.ChainVerifier.feed

    def recording(self: ledger_chain.ChainVerifier, entry: Any, exact: bool) -> bool:
        import threading

        threads.add(threading.get_ident())
        return original(self, entry, exact)

    monkeypatch.setattr(ledger_chain.ChainVerifier, "feed", recording)
    await ledger.async_export()
    await ledger.async_verify()
    await loaded(hass)
    assert threads
    assert loop_thread not in threads


# --------------------------------------------------------------------------
# Listeners and pages


async def test_listeners_hear_each_written_entry(hass: HomeAssistant) -> None:
    ledger = await filled(hass, 0)
    heard: list[LedgerEntry] = []

    def broken(entry: LedgerEntry) -> None:
        raise ValueError("a listener's bug")

    stop_broken = ledger.async_add_listener(broken)
    stop = ledger.async_add_listener(heard.append)
    first = await ledger.async_append(KIND_DECISION, {"request_id": "a"})
    assert heard == [first]
    assert ledger_file_entries(hass, ENTRY_ID)[0]["hash"] == first.hash
    stop()
    stop()  # twice is harmless
    stop_broken()
    await ledger.async_append(KIND_DECISION, {"request_id": "b"})
    assert heard == [first]


async def test_a_failed_append_is_not_announced(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = await filled(hass, 1)
    heard: list[LedgerEntry] = []
    ledger.async_add_listener(heard.append)
    monkeypatch.setattr(ledger_store, "write_all", half_then_enospc)
    with pytest.raises(LedgerStorageError):
        await ledger.async_append(KIND_DECISION, {"request_id": "x"})
    assert heard == []


async def test_pages_come_newest_first_from_memory_and_from_disk(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, small_segments: int
) -> None:
    monkeypatch.setattr(ledger_module, "RECENT_ENTRIES", 5)
    ledger = await filled(hass, 20)
    everything = ledger_file_entries(hass, ENTRY_ID)
    reads: list[str] = []
    real_read = ledger_scan.read_prefix

    def spy(path: Path, size: int) -> bytes:
        reads.append(path.name)
        return real_read(path, size)

    monkeypatch.setattr(ledger_scan, "read_prefix", spy)

    assert await ledger.async_entries_page(limit=3) == everything[:-4:-1]
    assert reads == []  # the newest entries are in memory
    assert ledger.recent_entries() == everything[:-6:-1]
    assert ledger.recent_entries(2) == everything[:-3:-1]
    assert ledger.recent_entries(0) == []

    page = await ledger.async_entries_page(limit=2, before_seq=9)
    assert [e["seq"] for e in page] == [8, 7]
    assert page == [everything[7], everything[6]]
    # Only the segment holding them was read, not the whole ledger.
    assert len(reads) == 1
    assert len(set(reads)) < len(segment_files(hass, ENTRY_ID))

    spanning = await ledger.async_entries_page(limit=10, before_seq=12)
    assert [e["seq"] for e in spanning] == list(range(11, 1, -1))
    assert [e["seq"] for e in await ledger.async_entries_page(10, before_seq=3)] == [
        2,
        1,
    ]
    assert await ledger.async_entries_page(before_seq=1) == []
    assert len(await ledger.async_entries_page(limit=10_000)) == 20  # capped, not more
    assert [e["seq"] for e in await ledger.async_entries_page(0)] == [20]
    assert [e["seq"] for e in await ledger.async_entries_page(1, before_seq=99)] == [20]


async def test_pages_of_an_empty_ledger(hass: HomeAssistant) -> None:
    ledger = await filled(hass, 0)
    assert await ledger.async_entries_page() == []
    assert ledger.recent_entries() == []


async def test_memory_holds_a_window_not_the_ledger(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledger_module, "RECENT_ENTRIES", 4)
    await filled(hass, 12)
    ledger, _ = await loaded(hass)
    assert len(ledger._recent) == 4
    assert [e["seq"] for e in ledger.recent_entries()] == [12, 11, 10, 9]
    assert ledger.recorded_request_ids() == {f"req-{n}" for n in range(1, 12, 2)}


# --------------------------------------------------------------------------
# Migration from the old single-Store ledger


def old_entries(count: int) -> list[dict[str, Any]]:
    """Entries as the old ledger appended them (same hash rule)."""
    entries: list[dict[str, Any]] = []
    prev = GENESIS_HASH
    for seq in range(1, count + 1):
        ts = f"2025-05-01T10:{seq:02d}:00.123456+00:00"
        kind = KIND_REQUEST_RECEIVED if seq % 2 else KIND_DECISION
        data = {"request_id": f"old-{seq}", "distance_m": 1e-05 * seq, "big": 2**40}
        digest = entry_hash(seq, ts, kind, data, prev)
        entries.append(
            {
                "seq": seq,
                "ts": ts,
                "kind": kind,
                "data": data,
                "prev": prev,
                "hash": digest,
            }
        )
        prev = digest
    return entries


async def write_old_file(hass: HomeAssistant, data: Any) -> Path:
    """Write the old ledger's file the way Home Assistant's Store wrote it.

    Written straight to disk: the harness keeps Store's own writes in memory,
    and the migration reads the file.
    """
    store: Store[Any] = Store(hass, 1, OLD_KEY, private=True, minor_version=1)
    path = Path(store.path)
    wrapper = {"version": 1, "minor_version": 1, "key": OLD_KEY, "data": data}

    def write() -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(wrapper, indent=4))
        path.chmod(0o600)

    await hass.async_add_executor_job(write)
    return path


async def test_an_old_ledger_is_migrated_unchanged(
    hass: HomeAssistant, hashed: list[int]
) -> None:
    entries = old_entries(7)
    old = await write_old_file(hass, {"entries": entries})
    assert json.loads(old.read_text())["data"]["entries"] == entries

    ledger, result = await loaded(hass)

    assert result == LedgerVerification(True, 7)
    assert ledger_file_entries(hass, ENTRY_ID) == entries
    assert (await ledger.async_export())["entries"] == entries
    assert ledger.head == entries[-1]["hash"]
    assert ledger.recorded_request_ids() == {f"old-{n}" for n in (1, 3, 5, 7)}
    assert not old.exists()
    assert independent_verify(ledger_file_entries(hass, ENTRY_ID))
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "new"})
    assert (entry.seq, entry.prev) == (8, entries[-1]["hash"])
    hashed.clear()
    _, result = await loaded(hass)  # migrated once, and checkpointed since
    assert result == LedgerVerification(True, 8)
    assert hashed == [8]


async def test_a_damaged_old_ledger_stays_damaged_where_it_was(
    hass: HomeAssistant,
) -> None:
    entries = old_entries(5)
    entries[2]["data"]["request_id"] = "edited"
    entries.append("junk")  # type: ignore[arg-type]
    await write_old_file(hass, {"entries": entries})
    ledger, result = await loaded(hass)
    assert result == LedgerVerification(False, 6, 3, "content does not match its hash")
    assert ledger_file_entries(hass, ENTRY_ID) == entries
    expected_prev = hashlib.sha256(json.dumps("junk").encode()).hexdigest()
    assert ledger.head == expected_prev


@pytest.mark.parametrize("stored", ["junk", ["a", "b"]])
async def test_an_unreadable_old_ledger_is_kept(
    hass: HomeAssistant, stored: Any
) -> None:
    data: Any = {"entries": stored, "future": 1} if stored == "junk" else stored
    await write_old_file(hass, data)
    ledger, result = await loaded(hass)
    assert result == LedgerVerification(
        False, 0, 1, "the stored entries are unreadable"
    )
    assert (await ledger.async_export())["verified"] is False
    await ledger.async_append(KIND_DECISION, {"request_id": "n"}, durable=True)
    kept = json.loads((folder(hass) / "legacy.json").read_text())
    assert kept["unreadable_entries"] == stored
    if stored == "junk":
        assert kept["future"] == 1  # unknown keys of newer versions survive
    _, result = await loaded(hass)
    assert (result.ok, result.count) == (False, 1)


async def test_unknown_keys_alone_do_not_make_an_old_ledger_unreadable(
    hass: HomeAssistant,
) -> None:
    await write_old_file(hass, {"entries": old_entries(2), "future": {"x": 1}})
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 2)
    assert json.loads((folder(hass) / "legacy.json").read_text()) == {
        "future": {"x": 1}
    }


async def test_an_old_file_that_is_not_json_is_kept(hass: HomeAssistant) -> None:
    old = Path(hass.config.path(".storage", OLD_KEY))

    def write() -> None:
        old.parent.mkdir(parents=True)
        old.write_bytes(b'{"version": 1, "data": {"entr')

    await hass.async_add_executor_job(write)
    _, result = await loaded(hass)
    assert (result.ok, result.reason) == (False, "the stored entries are unreadable")
    kept = json.loads((folder(hass) / "legacy.json").read_text())
    assert kept == {"unreadable_entries": '{"version": 1, "data": {"entr'}


async def test_an_empty_old_ledger_migrates_to_nothing(hass: HomeAssistant) -> None:
    old = await write_old_file(hass, {"entries": []})
    ledger, result = await loaded(hass)
    assert result == LedgerVerification(True, 0)
    assert not old.exists()
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "first"})
    assert (entry.seq, entry.prev) == (1, GENESIS_HASH)


async def test_a_failed_migration_keeps_the_old_file(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = old_entries(3)
    old = await write_old_file(hass, {"entries": entries})
    # A crashed earlier attempt left a half-built folder behind.
    stale = ledger_io.migrating_dir(folder(hass))
    stale.mkdir(parents=True)
    (stale / "000001.jsonl").write_bytes(b"half")

    def full(directory: Path, lines: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ledger_migrate, "write_segments", full)
    with pytest.raises(LedgerStorageError):
        await ConsentLedger(hass, ENTRY_ID).async_load()
    assert old.exists()
    assert not folder(hass).exists()
    assert not stale.exists()

    monkeypatch.undo()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 3)
    assert ledger_file_entries(hass, ENTRY_ID) == entries


async def test_a_migration_that_does_not_read_back_is_refused(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await write_old_file(hass, {"entries": old_entries(2)})
    real = ledger_migrate.write_segments

    def lossy(directory: Path, lines: list[bytes]) -> None:
        real(directory, lines[:-1])

    monkeypatch.setattr(ledger_migrate, "write_segments", lossy)
    with pytest.raises(LedgerStorageError):
        await ConsentLedger(hass, ENTRY_ID).async_load()
    assert old.exists()
    assert not folder(hass).exists()


async def test_an_old_file_next_to_a_new_ledger_is_left_alone(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    await filled(hass, 2)
    old = await write_old_file(hass, {"entries": old_entries(5)})
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 2)
    assert old.exists()
    assert "Ignoring the old-format consent ledger" in caplog.text
    await ConsentLedger(hass, ENTRY_ID).async_remove()
    assert not old.exists()


def test_migrated_lines_keep_what_the_old_file_held() -> None:
    for value in ["\ud800 lone surrogate", {"n": float("nan")}, 2**80, [1e-7, None]]:
        line = ledger_migrate.legacy_line(value)
        assert line.endswith(b"\n")
        assert b"\n" not in line[:-1]
        back = ledger_chain.parse_line(line[:-1])[0]
        assert ledger_migrate.legacy_line(back) == line


# --------------------------------------------------------------------------
# Less common paths, each with a consequence a household would see


@pytest.mark.parametrize("entry_id", ["", ".", "..", "a/b", "a\\b"])
async def test_an_entry_id_cannot_name_another_folder(
    hass: HomeAssistant, entry_id: str
) -> None:
    with pytest.raises(ValueError, match="not a config entry id"):
        ConsentLedger(hass, entry_id)


async def test_a_stray_next_segment_stops_appends_without_damage(
    hass: HomeAssistant, small_segments: int
) -> None:
    ledger = await filled(hass, 3)
    files = segment_files(hass, ENTRY_ID)
    index = len(files) + (1 if files[-1].stat().st_size >= small_segments else 0)
    while files[-1].stat().st_size < small_segments:
        await ledger.async_append(KIND_DECISION, {"request_id": "pad"})
        files = segment_files(hass, ENTRY_ID)
        index = len(files) + 1
    stray = folder(hass) / f"{index:06d}.jsonl"
    stray.write_bytes(b"someone else's line\n")
    count = ledger.count
    with pytest.raises(LedgerStorageError):
        await ledger.async_append(KIND_DECISION, {"request_id": "blocked"})
    assert ledger.count == count
    assert stray.read_bytes() == b"someone else's line\n"
    assert (await ledger.async_verify()).ok


async def test_a_big_old_ledger_migrates_into_several_segments(
    hass: HomeAssistant, small_segments: int
) -> None:
    entries = old_entries(12)
    await write_old_file(hass, {"entries": entries})
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 12)
    assert len(segment_files(hass, ENTRY_ID)) > 2
    assert ledger_file_entries(hass, ENTRY_ID) == entries


@pytest.mark.parametrize(
    ("raw", "entries", "extra"),
    [
        ({}, [], {}),
        ([1, 2], [], {"unreadable_entries": [1, 2]}),
        ({"version": 1}, [], {"unreadable_entries": {"version": 1}}),
        ({"data": None}, [], {}),
        ({"data": {"entries": [{"seq": 1}]}}, [{"seq": 1}], {}),
    ],
)
def test_old_file_layouts(raw: Any, entries: list[Any], extra: dict[str, Any]) -> None:
    assert ledger_migrate.legacy_layout(json.dumps(raw).encode()) == (entries, extra)


async def test_a_migrated_entry_that_reads_back_differently_is_refused(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = await write_old_file(hass, {"entries": old_entries(2)})
    monkeypatch.setattr(ledger_migrate, "parse_line", lambda line: ("other", False))
    with pytest.raises(LedgerStorageError):
        await ConsentLedger(hass, ENTRY_ID).async_load()
    assert old.exists()
    assert not folder(hass).exists()


async def test_a_damaged_legacy_note_counts_as_unreadable(hass: HomeAssistant) -> None:
    await filled(hass, 1)
    (folder(hass) / "legacy.json").write_bytes(b"{half")
    _, result = await loaded(hass)
    assert result == LedgerVerification(
        False, 1, 1, "the stored entries are unreadable"
    )


@pytest.mark.parametrize(
    "tamper", [lambda c: c.update(seq=0), lambda c: c.update(segments=[])]
)
async def test_a_checkpoint_that_covers_nothing_is_ignored(
    hass: HomeAssistant, hashed: list[int], tamper: Any
) -> None:
    ledger = await filled(hass, 2)
    await ledger.async_flush()
    path = folder(hass) / "checkpoint.json"
    checkpoint = json.loads(path.read_text())
    tamper(checkpoint)
    path.write_text(json.dumps(checkpoint))
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 2)
    assert hashed == [1, 2]


async def test_a_checkpoint_never_goes_back_unless_a_break_says_so(
    hass: HomeAssistant,
) -> None:
    ledger = await filled(hass, 4)
    await ledger.async_flush()
    files = ledger._files
    current = files.checkpoint
    assert current is not None
    older = ledger_io.Checkpoint(2, "x" * 64, current.segments)
    await hass.async_add_executor_job(files.offer_checkpoint, older)
    assert json.loads((folder(hass) / "checkpoint.json").read_text())["seq"] == 4
    await hass.async_add_executor_job(
        lambda: files.offer_checkpoint(older, shrink=True)
    )
    assert json.loads((folder(hass) / "checkpoint.json").read_text())["seq"] == 2


async def test_a_checkpoint_that_cannot_be_written_only_costs_speed(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, hashed: list[int]
) -> None:
    ledger = await filled(hass, 2)

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(ledger_store, "write_private_file", full)
    await ledger.async_flush()
    assert not (folder(hass) / "checkpoint.json").exists()
    hashed.clear()
    _, result = await loaded(hass)
    assert result == LedgerVerification(True, 2)
    assert hashed == [1, 2]


async def test_a_failed_flush_says_so(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = await filled(hass, 1)

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(ledger_store, "FDATASYNC", failing)
    with pytest.raises(LedgerStorageError) as info:
        await ledger.async_flush()
    assert info.value.translation_key == "ledger_write_failed"


async def test_files_gone_under_a_running_ledger_fail_reads_clearly(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, small_segments: int
) -> None:
    monkeypatch.setattr(ledger_module, "RECENT_ENTRIES", 2)
    ledger = await filled(hass, 9)
    for path in segment_files(hass, ENTRY_ID):
        path.unlink()
    for read in (ledger.async_export(), ledger.async_entries_page(2, before_seq=3)):
        with pytest.raises(LedgerStorageError) as info:
            await read
        assert info.value.translation_key == "ledger_read_failed"


async def test_verify_after_a_break_still_counts_every_entry(
    hass: HomeAssistant, small_segments: int
) -> None:
    ledger = await filled(hass, 12)
    edit_ledger_entry(hass, ENTRY_ID, 1, lambda e: e.update(kind="edited"))
    assert await ledger.async_verify() == LedgerVerification(
        False, 12, 2, "content does not match its hash"
    )


async def test_a_segment_without_its_last_newline_keeps_its_lines(
    hass: HomeAssistant, small_segments: int
) -> None:
    """Only the newest segment's tail can be torn; elsewhere it is evidence."""
    await filled(hass, 12)
    files = segment_files(hass, ENTRY_ID)
    edit_ledger_entry(hass, ENTRY_ID, 0, lambda e: e.update(kind="edited"))
    files[1].write_bytes(files[1].read_bytes().rstrip(b"\n"))
    ledger, result = await loaded(hass)
    assert (result.ok, result.broken_at, result.count) == (False, 1, 12)
    exported = await ledger.async_export()
    assert [e["seq"] for e in exported["entries"]] == list(range(1, 13))


@pytest.mark.parametrize("segment_bytes", [600, 1 << 20])
async def test_a_window_of_recent_entries_survives_a_checkpointed_load(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, segment_bytes: int
) -> None:
    monkeypatch.setattr(ledger_io, "SEGMENT_MAX_BYTES", segment_bytes)
    monkeypatch.setattr(ledger_module, "RECENT_ENTRIES", 4)
    ledger = await filled(hass, 15)
    await ledger.async_flush()
    again, _ = await loaded(hass)
    expected = ledger_file_entries(hass, ENTRY_ID)[:-5:-1]
    assert again.recent_entries() == expected
    assert await again.async_entries_page(limit=4) == expected
    assert again.recorded_request_ids() == ledger.recorded_request_ids()
    entry = await again.async_append(KIND_DECISION, {"request_id": "next"})
    assert (entry.seq, entry.prev) == (16, expected[0]["hash"])


async def test_an_export_leaves_someone_elses_frozen_heap_frozen(
    hass: HomeAssistant,
) -> None:
    import gc

    ledger = await filled(hass, 2)
    gc.freeze()
    try:
        assert (await ledger.async_export())["count"] == 2
        assert gc.get_freeze_count() > 0  # not unfrozen by the export
    finally:
        gc.unfreeze()
    assert (await ledger.async_export())["count"] == 2
    assert gc.get_freeze_count() == 0
