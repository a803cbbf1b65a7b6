"""Tests for the consent ledger: chaining, tamper evidence, persistence."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import itertools
import json
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.storage import Store
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.porchlight import ledger as ledger_module
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.ledger import (
    GENESIS_HASH,
    KIND_DECISION,
    KIND_REQUEST_RECEIVED,
    KIND_REQUEST_UPDATED,
    ConsentLedger,
    LedgerDataError,
    LedgerVerification,
    entry_hash,
    make_canonical_encoder,
)

ENTRY_ID = "entry-1"
KEY = f"{DOMAIN}.ledger.{ENTRY_ID}"
ISSUE_ID = f"ledger_broken_{ENTRY_ID}"


def independent_hash(entry: dict[str, Any]) -> str:
    """The documented canonical form, computed with the public json API."""
    body = {k: entry[k] for k in ("seq", "ts", "kind", "data", "prev")}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def stored_entries(hass_storage: dict[str, Any]) -> list[dict[str, Any]]:
    return list(hass_storage[KEY]["data"]["entries"])


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


async def test_empty_ledger(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    result = await ledger.async_load()
    assert result == LedgerVerification(True, 0, None, None)
    assert ledger.head == GENESIS_HASH
    assert ledger.count == 0
    assert ledger.export() == {
        "entries": [],
        "count": 0,
        "verified": True,
        "broken_at": None,
        "head": GENESIS_HASH,
    }
    assert KEY not in hass_storage


async def test_entries_chain(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    ledger = await filled(hass, 3)
    entries = stored_entries(hass_storage)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert entries[0]["prev"] == GENESIS_HASH
    for before, after in itertools.pairwise(entries):
        assert after["prev"] == before["hash"]
    for entry in entries:
        assert entry["hash"] == independent_hash(entry)
        assert datetime.fromisoformat(entry["ts"]).utcoffset() == timedelta(0)
    assert ledger.verify() == LedgerVerification(True, 3)
    exported = ledger.export()
    assert exported["entries"] == entries
    assert exported["verified"] is True
    assert exported["head"] == entries[-1]["hash"] == ledger.head
    assert hass_storage[KEY]["version"] == ledger_module.STORAGE_VERSION
    assert hass_storage[KEY]["minor_version"] == ledger_module.STORAGE_MINOR_VERSION


async def test_append_returns_entry(hass: HomeAssistant) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    entry = await ledger.async_append(KIND_REQUEST_RECEIVED, {"request_id": "r1"})
    assert entry.seq == 1
    assert entry.prev == GENESIS_HASH
    assert entry.hash == independent_hash(entry.as_dict())
    assert entry.hash == entry_hash(1, entry.ts, entry.kind, entry.data, entry.prev)
    assert ledger.export()["entries"] == [entry.as_dict()]


async def test_delayed_and_durable_saves(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await ledger.async_append(KIND_REQUEST_UPDATED, {"request_id": "r1"})
    assert KEY not in hass_storage  # not written yet
    async_fire_time_changed(hass, datetime.now(UTC) + timedelta(seconds=2))
    await hass.async_block_till_done()
    assert len(stored_entries(hass_storage)) == 1

    await ledger.async_append(KIND_REQUEST_UPDATED, {"request_id": "r2"})
    assert len(stored_entries(hass_storage)) == 1
    await ledger.async_append(KIND_DECISION, {"request_id": "r2"}, durable=True)
    # A durable append also carries the delayed one with it.
    assert [e["seq"] for e in stored_entries(hass_storage)] == [1, 2, 3]


async def test_appends_continue_after_restart(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    first = await filled(hass, 2)
    head = first.head
    second, result = await reloaded(hass)
    assert result == LedgerVerification(True, 2)
    assert second.head == head
    entry = await second.async_append(KIND_DECISION, {"request_id": "x"}, durable=True)
    assert (entry.seq, entry.prev) == (3, head)
    _third, result = await reloaded(hass)
    assert result == LedgerVerification(True, 3)


async def test_tampered_entry_is_reported_and_kept(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    MockConfigEntry(domain=DOMAIN, entry_id=ENTRY_ID, title="Elm St").add_to_hass(hass)
    await filled(hass, 4)
    hass_storage[KEY]["data"]["entries"][1]["data"]["decision"] = "decline"
    tampered = copy.deepcopy(hass_storage[KEY]["data"]["entries"])

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

    exported = ledger.export()
    assert exported["verified"] is False
    assert exported["broken_at"] == 2
    assert exported["entries"] == tampered

    # History is never rewritten; new entries still chain to the last one.
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"}, durable=True)
    assert entry.seq == 5
    assert entry.prev == tampered[-1]["hash"]
    assert stored_entries(hass_storage)[:4] == tampered
    again = verify_from(stored_entries(hass_storage)[2:], start=3)
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
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    await filled(hass, 3)
    entry = hass_storage[KEY]["data"]["entries"][1]
    entry["data"]["decision"] = "decline"
    entry["hash"] = independent_hash(entry)
    _, result = await reloaded(hass)
    assert (result.ok, result.broken_at) == (False, 3)
    assert result.reason == "does not link to the entry before it"


async def test_deleted_entry_is_detected(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    await filled(hass, 4)
    del hass_storage[KEY]["data"]["entries"][1]
    ledger, result = await reloaded(hass)
    assert result == LedgerVerification(False, 3, 2, "expected entry 2, found 3")
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None
    # Without a config entry the placeholder falls back to the entry id.
    issue = ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["entry_title"] == ENTRY_ID
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"})
    assert entry.seq == 5  # numbering continues from the last stored entry


@pytest.mark.parametrize(
    ("mutate", "broken_at", "reason"),
    [
        (lambda e: e.__setitem__(0, "junk"), 1, "malformed entry"),
        (lambda e: e[1].pop("hash"), 2, "malformed entry"),
        (lambda e: e[0].__setitem__("seq", True), 1, "expected entry 1, found True"),
        (lambda e: e[2].__setitem__("prev", "f" * 64), 3, None),
        (lambda e: e[0].__setitem__("data", {"x": float("nan")}), 1, "malformed"),
    ],
)
async def test_malformed_entries(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    mutate: Any,
    broken_at: int,
    reason: str | None,
) -> None:
    await filled(hass, 3)
    mutate(hass_storage[KEY]["data"]["entries"])
    ledger = ConsentLedger(hass, ENTRY_ID)
    # The mocked storage hands over the dict as is, so NaN reaches verify().
    result = await ledger.async_load()
    assert (result.ok, result.broken_at) == (False, broken_at)
    if reason is not None:
        assert result.reason is not None
        assert result.reason.startswith(reason)
    # Whatever the damage, appending still works and chains on.
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"})
    assert entry.seq == 4


async def test_tail_of_a_broken_ledger_without_seq_or_hash(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    await filled(hass, 2)
    hass_storage[KEY]["data"]["entries"][-1] = "junk"
    ledger, result = await reloaded(hass)
    assert result.broken_at == 2
    expected_prev = hashlib.sha256(json.dumps("junk").encode()).hexdigest()
    entry = await ledger.async_append(KIND_DECISION, {"request_id": "n"})
    assert (entry.seq, entry.prev) == (3, expected_prev)


@pytest.mark.parametrize("stored", ["junk", ["a", "b"]])
async def test_unreadable_store_is_kept(
    hass: HomeAssistant, hass_storage: dict[str, Any], stored: Any
) -> None:
    data: Any = {"entries": stored, "future": 1} if stored == "junk" else stored
    hass_storage[KEY] = {"version": 1, "minor_version": 1, "key": KEY, "data": data}
    ledger, result = await reloaded(hass)
    assert result == LedgerVerification(
        False, 0, 1, "the stored entries are unreadable"
    )
    assert ledger.export()["verified"] is False
    await ledger.async_append(KIND_DECISION, {"request_id": "n"}, durable=True)
    saved = hass_storage[KEY]["data"]
    assert saved["unreadable_entries"] == stored
    assert len(saved["entries"]) == 1
    if stored == "junk":
        assert saved["future"] == 1  # unknown keys of newer versions survive


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
    assert ledger.export()["verified"] is True
    assert registry.async_get_issue(DOMAIN, ISSUE_ID) is None

    ledger._entries[0]["data"]["decision"] = "decline"
    assert ledger.export()["verified"] is False
    assert registry.async_get_issue(DOMAIN, ISSUE_ID) is not None
    ledger._entries[0]["data"]["decision"] = "share"
    assert ledger.export()["verified"] is True
    assert registry.async_get_issue(DOMAIN, ISSUE_ID) is None


async def test_load_again_after_restore_clears_issue(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    await filled(hass, 2)
    good = copy.deepcopy(hass_storage[KEY])
    hass_storage[KEY]["data"]["entries"][0]["kind"] = "opt_in"
    ledger, result = await reloaded(hass)
    assert not result.ok
    hass_storage[KEY] = good
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

    exported = ledger.export(since=start + timedelta(hours=2))
    assert [e["data"]["request_id"] for e in exported["entries"]] == ["r2", "r3"]
    assert exported["count"] == 2
    assert exported["verified"] is True
    assert exported["head"] == ledger.head
    # Same instant in another zone.
    other = datetime.fromisoformat("2026-06-01T14:30:00+02:00")
    assert ledger.export(since=other)["count"] == 3
    assert ledger.export(since=start + timedelta(days=1))["entries"] == []

    # Entries whose time cannot be read are never hidden by a filter.
    ledger._entries[0]["ts"] = "garbage"
    ledger._entries[1]["ts"] = "2026-06-01T13:00:00"
    exported = ledger.export(since=start + timedelta(hours=3))
    assert [e["data"]["request_id"] for e in exported["entries"]] == ["r0", "r1", "r3"]
    assert exported["verified"] is False


async def test_export_is_a_copy(hass: HomeAssistant) -> None:
    ledger = await filled(hass, 1)
    exported = ledger.export()
    exported["entries"][0]["data"]["decision"] = "decline"
    assert ledger.verify().ok
    assert ledger.export()["entries"][0]["data"]["decision"] == "share"


async def test_caller_mutation_does_not_change_an_entry(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    data: dict[str, Any] = {"clip_ids": ["a"], "when": ("x", 1)}
    await ledger.async_append(KIND_DECISION, data, durable=True)
    data["clip_ids"].append("b")
    assert ledger.verify().ok
    assert stored_entries(hass_storage)[0]["data"] == {
        "clip_ids": ["a"],
        "when": ["x", 1],
    }
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
async def test_refused_data(
    hass: HomeAssistant, hass_storage: dict[str, Any], data: Any
) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    with pytest.raises(LedgerDataError):
        await ledger.async_append(KIND_DECISION, data, durable=True)
    assert ledger.count == 0
    assert KEY not in hass_storage


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


async def test_concurrent_appends_never_fork(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await asyncio.gather(
        *(
            ledger.async_append(KIND_DECISION, {"n": i}, durable=i % 3 == 0)
            for i in range(30)
        )
    )
    assert ledger.verify() == LedgerVerification(True, 30)
    await ledger.async_append(KIND_DECISION, {"n": "last"}, durable=True)
    _, result = await reloaded(hass)
    assert result == LedgerVerification(True, 31)


async def test_recorded_request_ids(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await ledger.async_append(KIND_REQUEST_RECEIVED, {"request_id": "r1"})
    await ledger.async_append(KIND_REQUEST_UPDATED, {"request_id": "r2"})
    await ledger.async_append(KIND_REQUEST_RECEIVED, {"other": "r3"}, durable=True)
    hass_storage[KEY]["data"]["entries"].append("junk")
    assert ledger.recorded_request_ids() == {"r1"}
    reloaded_ledger, _ = await reloaded(hass)
    assert reloaded_ledger.recorded_request_ids() == {"r1"}


async def test_remove(hass: HomeAssistant, hass_storage: dict[str, Any]) -> None:
    await filled(hass, 1)
    hass_storage[KEY]["data"]["entries"][0]["kind"] = "x"
    ledger, _ = await reloaded(hass)
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is not None
    await ledger.async_remove()
    assert KEY not in hass_storage
    assert ledger.count == 0
    assert ir.async_get(hass).async_get_issue(DOMAIN, ISSUE_ID) is None
    # A removed entry never had a ledger loaded; removing it works too.
    await ConsentLedger(hass, "other").async_remove()


async def test_real_file_is_private_and_round_trips(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    """Bypass the mocked storage once: the file is 0600 and reloads verified."""
    hass.config.config_dir = str(tmp_path)

    async def write(store: Store[Any], path: str, data: dict[str, Any]) -> None:
        await store.hass.async_add_executor_job(store._write_data, path, data)

    async def load(store: Store[Any]) -> Any:
        return await store._async_load_data()

    with (
        patch.object(Store, "_async_write_data", write),
        patch.object(Store, "_async_load", load),
    ):
        ledger = ConsentLedger(hass, ENTRY_ID)
        await ledger.async_load()
        await ledger.async_append(KIND_DECISION, {"request_id": "r1"}, durable=True)
        await ledger.async_append(KIND_DECISION, {"request_id": "r2"})
        await hass.async_block_till_done()
        path = tmp_path / ".storage" / KEY
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        on_disk = json.loads(path.read_text())
        assert len(on_disk["data"]["entries"]) == 1
        async_fire_time_changed(hass, datetime.now(UTC) + timedelta(seconds=2))
        await hass.async_block_till_done()
        on_disk = json.loads(path.read_text())
        assert [e["seq"] for e in on_disk["data"]["entries"]] == [1, 2]

        second = ConsentLedger(hass, ENTRY_ID)
        assert await second.async_load() == LedgerVerification(True, 2)

        on_disk["data"]["entries"][0]["data"]["request_id"] = "forged"
        path.write_text(json.dumps(on_disk))
        third = ConsentLedger(hass, ENTRY_ID)
        result = await third.async_load()
        assert (result.ok, result.broken_at) == (False, 1)


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
    monkeypatch.setattr(ledger_module.json_encoder, "c_make_encoder", None)
    encode = make_canonical_encoder()
    assert encode({"b": 1, "a": "é"}) == '{"a":"é","b":1}'
    with pytest.raises(TypeError):
        encode({"a": b"x"})


async def test_flush_writes_pending_entries_now(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """An unloading entry writes its delayed entries before a reload reads them."""
    ledger = ConsentLedger(hass, ENTRY_ID)
    await ledger.async_load()
    await ledger.async_flush()
    assert KEY not in hass_storage  # nothing pending, nothing written
    await ledger.async_append(KIND_REQUEST_UPDATED, {"request_id": "r1"})
    assert KEY not in hass_storage
    await ledger.async_flush()
    assert len(stored_entries(hass_storage)) == 1
    hass_storage[KEY]["data"]["marker"] = True
    await ledger.async_flush()  # already written: no second write
    assert hass_storage[KEY]["data"]["marker"] is True
