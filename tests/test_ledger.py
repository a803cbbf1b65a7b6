"""Tests for the consent ledger: chaining, tamper evidence, persistence."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.porchlight import ledger_chain
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.ledger import ConsentLedger
from custom_components.porchlight.ledger_chain import (
    GENESIS_HASH,
    KIND_DECISION,
    KIND_REQUEST_RECEIVED,
    KIND_REQUEST_UPDATED,
    LedgerDataError,
    LedgerVerification,
    entry_hash,
    make_canonical_encoder,
)
from custom_components.porchlight.ledger_issue import ledger_dir

from .ledger_helpers import edit_ledger_entry, ledger_file_entries, segment_files

ENTRY_ID = "entry-1"
ISSUE_ID = f"ledger_broken_{ENTRY_ID}"


def independent_hash(entry: dict[str, Any]) -> str:
    """The documented canonical form, computed with the public json API."""
    body = {k: entry[k] for k in ("seq", "ts", "kind", "data", "prev")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def on_disk(hass: HomeAssistant) -> list[Any]:
    return ledger_file_entries(hass, ENTRY_ID)


def edit(hass: HomeAssistant, index: int, change: Any) -> Any:
    return edit_ledger_entry(hass, ENTRY_ID, index, change)


async def filled(hass: HomeAssistant, count: int = 3) -> ConsentLedger:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    for i in range(count):
        await ledger.async_append(
            KIND_DECISION,
            {
                "request_id": f"req-{i}",
                "decision": "share",
                "note": "é ✓",
                "distance_m": 123.4,
            },
            durable=True,
        )
    return ledger


async def reloaded(hass: HomeAssistant) -> tuple[ConsentLedger, LedgerVerification]:
    ledger = ConsentLedger(hass, ENTRY_ID)
    return ledger, await ledger.async_load()


async def test_empty_ledger(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    result = await ledger.async_load()
    assert result == LedgerVerification(True, 0, None, None)
    assert ledger.head == GENESIS_HASH
    assert ledger.count == 0
    assert await ledger.async_export() == {
        "entries": [],
        "count": 0,
        "verified": True,
        "broken_at": None,
        "head": GENESIS_HASH,
    }
    await ledger.async_flush()
    assert not ledger_dir(hass, ENTRY_ID).exists()  # nothing written for nothing


async def test_entries_chain(hass: HomeAssistant) -> None:
    ledger = await filled(hass, 3)
    entries = on_disk(hass)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after["prev"] == before["hash"]
    for entry in entries:
        assert entry["hash"] == independent_hash(entry)
        assert datetime.fromisoformat(entry["ts"]).utcoffset() == timedelta(0)
    assert await ledger.async_verify() == LedgerVerification(True, 3)
    exported = await ledger.async_export()
    assert exported["entries"] == entries
    assert exported["verified"] is True
    assert exported["head"] == entries[-1]["hash"] == ledger.head


async def test_append_returns_entry(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    entry = await ledger.async_append(KIND_REQUEST_RECEIVED, {"request_id": "r1"})
    assert entry.seq == 1
    assert entry.prev == GENESIS_HASH
    assert entry.hash == independent_hash(entry.as_dict())
    assert entry.hash == entry_hash(1, entry.ts, entry.kind, entry.data, entry.prev)
    assert (await ledger.async_export())["entries"] == [entry.as_dict()]


async def test_every_append_is_written_at_once(hass: HomeAssistant) -> None:
    """Non-durable entries reach the file before the append returns, too."""
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await ledger.async_append(KIND_REQUEST_UPDATED, {"request_id": "r1"})
    assert [e["data"] for e in on_disk(hass)] == [{"request_id": "r1"}]
    await ledger.async_append(KIND_DECISION, {"request_id": "r2"}, durable=True)
    assert [e["seq"] for e in on_disk(hass)] == [1, 2]


async def test_appends_continue_after_restart(hass: HomeAssistant) -> None:
    first = await filled(hass, 2)
    head = first.head
    second, result = await reloaded(hass)
    assert result == LedgerVerification(True, 2)
    assert second.head == head
    entry = await second.async_append(KIND_DECISION, {"request_id": "x"}, durable=True)
    assert (entry.seq, entry.prev) == (3, head)
    _third, result = await reloaded(hass)
    assert result == LedgerVerification(True, 3)


async def test_tampered_entry_is_reported_and_kept(hass: HomeAssistant) -> None:
    MockConfigEntry(domain=DOMAIN, entry_id=ENTRY_ID, title="Elm St").add_to_hass(hass)
    await filled(hass, 4)
    edit(hass, 1, lambda e: e["data"].update(decision="decline"))
    tampered = on_disk(hass)

    ledger, result = await reloaded(hass)
    assert not result.ok
    assert result.broken_at == 2
    assert result.reason == "content does not match its hash"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.is_fixable is False
    assert issue.translation_key == "ledger_broken"
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["seq"] == "2"
    assert issue.translation_placeholders["entry_title"] == "Elm St"

    exported = await ledger.async_export()
    assert exported["verified"] is False
    assert exported["broken_at"] == 2
    assert exported["entries"] == tampered

    # History is never rewritten; new entries still chain to the last one.
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"}, durable=True)
    assert entry.seq == 5
    assert entry.prev == tampered[-1]["hash"]
    assert on_disk(hass)[:4] == tampered
    again = verify_from(on_disk(hass)[2:], start=3)
    assert again.ok  # entries after the damage still form a chain


def verify_from(entries: list[dict[str, Any]], start: int) -> LedgerVerification:
    """Verify a tail of the chain starting at seq ``start``."""
    prev = entries[0]["prev"]
    for seq, entry in enumerate(entries, start):
        if entry["seq"] != seq or entry["prev"] != prev:
            return LedgerVerification(False, len(entries), seq)
        if entry["hash"] != independent_hash(entry):
            return LedgerVerification(False, len(entries), seq)
        prev = entry["hash"]
    return LedgerVerification(True, len(entries))


async def test_relinked_tampering_is_caught_at_the_next_entry(
    hass: HomeAssistant,
) -> None:
    await filled(hass, 3)

    def forge(entry: dict[str, Any]) -> None:
        entry["data"]["decision"] = "decline"
        entry["hash"] = independent_hash(entry)

    edit(hass, 1, forge)
    _, result = await reloaded(hass)
    assert (result.ok, result.broken_at) == (False, 3)
    assert result.reason == "does not link to the entry before it"


async def test_deleted_entry_is_detected(hass: HomeAssistant) -> None:
    await filled(hass, 4)
    (segment,) = segment_files(hass, ENTRY_ID)
    lines = segment.read_bytes().splitlines(keepends=True)
    segment.write_bytes(b"".join(lines[:1] + lines[2:]))
    ledger, result = await reloaded(hass)
    assert result == LedgerVerification(False, 3, 2, "expected entry 2, found 3")
    # Without a config entry the placeholder falls back to the entry id.
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["entry_title"] == ENTRY_ID
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"})
    assert entry.seq == 5  # numbering continues from the last stored entry


async def test_reordered_entries_are_detected(hass: HomeAssistant) -> None:
    await filled(hass, 4)
    (segment,) = segment_files(hass, ENTRY_ID)
    lines = segment.read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    segment.write_bytes(b"".join(lines))
    _, result = await reloaded(hass)
    assert result == LedgerVerification(False, 4, 2, "expected entry 2, found 3")


@pytest.mark.parametrize(
    ("index", "change", "broken_at", "reason"),
    [
        (0, lambda e: "junk", 1, "malformed entry"),
        (1, lambda e: e.pop("hash") and None, 2, "malformed entry"),
        (0, lambda e: e.update(seq=True), 1, "expected entry 1, found True"),
        (2, lambda e: e.update(prev="f" * 64), 3, None),
        (0, lambda e: e.update(data={"x": float("nan")}), 1, "malformed"),
    ],
)
async def test_malformed_entries(
    hass: HomeAssistant, index: int, change: Any, broken_at: int, reason: str | None
) -> None:
    await filled(hass, 3)
    edit(hass, index, change)
    ledger = ConsentLedger(hass, ENTRY_ID)
    result = await ledger.async_load()
    assert (result.ok, result.broken_at) == (False, broken_at)
    if reason is not None:
        assert result.reason is not None
        assert result.reason.startswith(reason)
    # Whatever the damage, appending still works and chains on.
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"})
    assert entry.seq == 4


async def test_a_line_that_is_not_json_is_kept_as_text(hass: HomeAssistant) -> None:
    await filled(hass, 2)
    (segment,) = segment_files(hass, ENTRY_ID)
    lines = segment.read_bytes().splitlines(keepends=True)
    segment.write_bytes(lines[0] + b"{not json\xff\n" + lines[1])
    ledger, result = await reloaded(hass)
    assert result == LedgerVerification(False, 3, 2, "malformed entry")
    exported = await ledger.async_export()
    assert exported["entries"][1] == "{not json\ufffd"
    assert exported["count"] == 3


async def test_tail_of_a_broken_ledger_without_seq_or_hash(
    hass: HomeAssistant,
) -> None:
    await filled(hass, 2)
    edit(hass, 1, lambda e: "junk")
    ledger, result = await reloaded(hass)
    assert result.broken_at == 2
    expected_prev = hashlib.sha256(json.dumps("junk").encode()).hexdigest()
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"})
    assert (entry.seq, entry.prev) == (3, expected_prev)


async def test_issue_follows_export(hass: HomeAssistant) -> None:
    registry = ir.async_get(hass)
    ledger = await filled(hass, 2)
    # A stale issue (from before a restore) is withdrawn by a good export.
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_ID,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="ledger_broken",
    )
    assert (await ledger.async_export())["verified"] is True
    assert registry.async_get_issue(DOMAIN, ISSUE_ID) is None

    (segment,) = segment_files(hass, ENTRY_ID)
    good = segment.read_bytes()
    edit(hass, 0, lambda e: e["data"].update(decision="decline"))
    assert (await ledger.async_export())["verified"] is False
    assert registry.async_get_issue(DOMAIN, ISSUE_ID) is not None
    assert (await ledger.async_verify()).broken_at == 1
    segment.write_bytes(good)
    assert (await ledger.async_export())["verified"] is True
    assert registry.async_get_issue(DOMAIN, ISSUE_ID) is None


async def test_load_again_after_restore_clears_issue(hass: HomeAssistant) -> None:
    await filled(hass, 2)
    (segment,) = segment_files(hass, ENTRY_ID)
    good = segment.read_bytes()
    edit(hass, 0, lambda e: e.update(kind="opt_in"))
    _ledger, result = await reloaded(hass)
    assert not result.ok
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None
    segment.write_bytes(good)
    ledger = ConsentLedger(hass, ENTRY_ID)
    assert (await ledger.async_load()).ok
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None


async def test_export_since(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    start = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    freezer.move_to(start)
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    for hours in range(4):
        freezer.move_to(start + timedelta(hours=hours))
        await ledger.async_append(KIND_DECISION, {"request_id": f"r{hours}"})

    exported = await ledger.async_export(since=start + timedelta(hours=2))
    assert [e["data"]["request_id"] for e in exported["entries"]] == ["r2", "r3"]
    assert exported["count"] == 2
    assert exported["verified"] is True
    assert exported["head"] == ledger.head
    # Same instant in another zone.
    other = datetime.fromisoformat("2026-06-01T14:30:00+02:00")
    assert (await ledger.async_export(since=other))["count"] == 3
    assert (await ledger.async_export(since=start + timedelta(days=1)))["entries"] == []

    # Entries whose time cannot be read are never hidden by a filter.
    edit(hass, 0, lambda e: e.update(ts="garbage"))
    edit(hass, 1, lambda e: e.update(ts="2026-06-01T13:00:00"))
    exported = await ledger.async_export(since=start + timedelta(hours=3))
    assert [e["data"]["request_id"] for e in exported["entries"]] == ["r0", "r1", "r3"]
    assert exported["verified"] is False


async def test_export_is_a_copy(hass: HomeAssistant) -> None:
    ledger = await filled(hass, 1)
    exported = await ledger.async_export()
    exported["entries"][0]["data"]["decision"] = "decline"
    assert (await ledger.async_verify()).ok
    assert (await ledger.async_export())["entries"][0]["data"]["decision"] == "share"
    recent = ledger.recent_entries()
    recent[0]["data"]["decision"] = "decline"
    assert ledger.recent_entries()[0]["data"]["decision"] == "share"


async def test_caller_mutation_does_not_change_an_entry(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    data: dict[str, Any] = {"clip_ids": ["a"], "when": ("x", 1)}
    entry = await ledger.async_append(KIND_DECISION, data, durable=True)
    data["clip_ids"].append("b")
    entry.data["clip_ids"].append("c")
    assert (await ledger.async_verify()).ok
    expected = {"clip_ids": ["a"], "when": ["x", 1]}
    assert on_disk(hass)[0]["data"] == expected
    assert ledger.recent_entries()[0]["data"] == expected
    _, result = await reloaded(hass)
    assert result.ok


@pytest.mark.parametrize(
    "data",
    [
        {"clip": b"\x00\x01"},
        {"clips": [{"bytes": bytearray(b"x")}]},
        {"view": memoryview(b"x")},
        {"token": "abc"},
        {"nested": {"Authorization": "Bearer abc"}},
        {"distance": float("nan")},
        {"distance": float("inf")},
        {1: "non-string key"},
        {"when": datetime(2026, 1, 1, tzinfo=UTC)},
        {"set": {1, 2}},
    ],
)
async def test_refused_data(hass: HomeAssistant, data: Any) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    with pytest.raises(LedgerDataError):
        await ledger.async_append(KIND_DECISION, data, durable=True)
    assert ledger.count == 0
    assert not ledger_dir(hass, ENTRY_ID).exists()


async def test_refused_kind_and_non_mapping(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    with pytest.raises(LedgerDataError):
        await ledger.async_append("", {"a": 1})
    with pytest.raises(LedgerDataError):
        await ledger.async_append(KIND_DECISION, ["not", "a", "mapping"])  # type: ignore[arg-type]
    assert ledger.count == 0


async def test_append_before_load(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    with pytest.raises(RuntimeError):
        await ledger.async_append(KIND_DECISION, {"a": 1})


async def test_concurrent_appends_never_fork(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await asyncio.gather(
        *(
            ledger.async_append(KIND_DECISION, {"n": i}, durable=i % 3 == 0)
            for i in range(30)
        )
    )
    assert await ledger.async_verify() == LedgerVerification(True, 30)
    await ledger.async_append(KIND_DECISION, {"n": "last"}, durable=True)
    _, result = await reloaded(hass)
    assert result == LedgerVerification(True, 31)


async def test_recorded_request_ids(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await ledger.async_append(KIND_REQUEST_RECEIVED, {"request_id": "r1"})
    await ledger.async_append(KIND_REQUEST_UPDATED, {"request_id": "r2"})
    await ledger.async_append(KIND_REQUEST_RECEIVED, {"other": "r3"})
    await ledger.async_append(KIND_DECISION, {"note": KIND_REQUEST_RECEIVED})
    assert ledger.recorded_request_ids() == {"r1"}
    ledger.recorded_request_ids().add("not kept")
    reloaded_ledger, _ = await reloaded(hass)
    assert reloaded_ledger.recorded_request_ids() == {"r1"}


async def test_remove(hass: HomeAssistant) -> None:
    await filled(hass, 1)
    edit(hass, 0, lambda e: e.update(kind="x"))
    ledger, _ = await reloaded(hass)
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None
    await ledger.async_remove()
    assert not ledger_dir(hass, ENTRY_ID).exists()
    assert ledger.count == 0
    assert ledger.head == GENESIS_HASH
    assert ledger.recent_entries() == []
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None
    # A removed entry never had a ledger loaded; removing it works too.
    await ConsentLedger(hass, "other").async_remove()


async def test_files_are_private_and_round_trip(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await ledger.async_append(KIND_DECISION, {"request_id": "r1"}, durable=True)
    await ledger.async_append(KIND_DECISION, {"request_id": "r2"})
    await ledger.async_flush()
    folder = ledger_dir(hass, ENTRY_ID)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert {p.name for p in folder.iterdir()} == {"000001.jsonl", "checkpoint.json"}

    second = ConsentLedger(hass, ENTRY_ID)
    assert await second.async_load() == LedgerVerification(True, 2)
    edit(hass, 0, lambda e: e["data"].update(request_id="forged"))
    third = ConsentLedger(hass, ENTRY_ID)
    result = await third.async_load()
    assert (result.ok, result.broken_at) == (False, 1)


async def test_flush_makes_a_restart_hash_nothing(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unloading entry checkpoints its entries, so the next load re-hashes none."""
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    for n in range(5):
        await ledger.async_append(KIND_REQUEST_UPDATED, {"request_id": f"r{n}"})
    await ledger.async_flush()
    checkpoint = json.loads(
        (ledger_dir(hass, ENTRY_ID) / "checkpoint.json").read_text()
    )
    assert (checkpoint["seq"], checkpoint["hash"]) == (5, ledger.head)

    hashed: list[int] = []
    original = ledger_chain.stored_digest

    def counting(entry: dict[str, Any], exact: bool) -> str:
        hashed.append(entry["seq"])
        return original(entry, exact)

    monkeypatch.setattr(ledger_chain, "stored_digest", counting)
    again, result = await reloaded(hass)
    assert result == LedgerVerification(True, 5)
    assert hashed == []
    await again.async_append(KIND_DECISION, {"request_id": "r5"})
    _, result = await reloaded(hass)
    assert result == LedgerVerification(True, 6)
    assert hashed == [6]  # only what the checkpoint did not cover


def test_canonical_encoder_matches_json_dumps() -> None:
    encode = make_canonical_encoder()
    samples: list[Any] = [
        {"b": 1, "a": [1.5, -0.0, 1e16, 1e-7, None, True, False]},
        {"text": 'quote " backslash \\ newline \n tab \t é ✓ \u2028 \x7f \x1f'},
        {"nested": {"z": {"y": [{"x": 1}]}}, "big": 2**70},
    ]
    for sample in samples:
        assert encode(sample) == json.dumps(
            sample, sort_keys=True, separators=(",", ":"), ensure_ascii=False
        )
    with pytest.raises(TypeError):
        encode({"a": b"x"})


def test_canonical_encoder_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_chain.json_encoder, "c_make_encoder", None)
    encode = make_canonical_encoder()
    assert encode({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    with pytest.raises(TypeError):
        encode({"a": b"x"})


async def test_ledger_folder_is_per_entry(hass: HomeAssistant) -> None:
    folder = ledger_dir(hass, ENTRY_ID)
    assert (
        folder
        == Path(hass.config.config_dir) / ".storage" / "porchlight_ledger" / ENTRY_ID
    )
