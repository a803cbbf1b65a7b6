"""Home Assistant dies right after the household decided: nothing is lost.

A real ``python -m homeassistant`` with this integration, driven through its
REST API, is SIGKILLed right after a decline and a share were accepted, then
started again on the same config. The hub must hold each decision exactly
once, the share's clips must arrive, and the consent ledger must verify.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
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
from .processes_agency import agency_add, agency_post_request, agency_shares

pytestmark = pytest.mark.timeout(420)


async def _service(hass: Any, name: str, data: dict[str, Any]) -> Any:
    answer = await hass.rest(
        "POST", f"/api/services/porchlight/{name}?return_response", data
    )
    return answer["service_response"]


def _hub_rows(db: Path, query: str, *args: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(query, args))


async def test_home_assistant_killed_after_deciding(
    tmp_path: Path, socket_enabled: None
) -> None:
    port = free_port()
    config = develop_config(tmp_path / "config", port)
    async with hub_process(tmp_path / "hub") as hub:
        code = await hub.add_home("Demo home", *demo_home())
        agency = await agency_add(hub, "City Police")
        async with home_assistant(config, port) as hass:
            await hass.onboard()
            newcomer = await pair_and_adopt(hass, hub, code)
            entries = config / ".storage" / "core.config_entries"

            async def paired_on_disk() -> bool:
                # Home Assistant saves its config entries a little later; the
                # kill below is about decisions, not about a pairing lost.
                text = entries.read_text() if entries.exists() else ""
                return newcomer.entry_id in text and '"doorbell"' in text

            await wait_for(paired_on_disk, within=60)
            await ring(hass, newcomer)

            async def clips() -> list[Any]:
                listed = await _service(hass, "list_clips", {})
                return list(listed["clips"])

            recorded = await wait_for(clips, within=30)
            end = datetime.now(UTC)
            window = (end - timedelta(hours=1), end)
            ids = []
            for case in ("KILL-DECLINE", "KILL-SHARE"):
                request = await agency_post_request(
                    agency, case_number=case, window=window, centre=demo_home()
                )
                ids.append(request["id"])
            declined, shared = ids

            async def arrived() -> bool:
                for request_id in ids:
                    try:
                        await _service(hass, "get_request", {"request_id": request_id})
                    except RuntimeError:
                        return False
                return True

            await wait_for(arrived, within=30)
            await _service(hass, "decline", {"request_id": declined})
            answer = await _service(hass, "share_all", {"request_id": shared})
            hass.process.kill()  # right after both were accepted
            await hass.process.wait()
            token = hass.token

        async with home_assistant(config, port, ready="/auth/providers") as hass:
            hass.token = token
            db = tmp_path / "hub" / "hub.db"

            async def settled() -> bool:
                shares = await agency_shares(agency, shared)
                done = shares["shares"] and all(
                    c["available"] for s in shares["shares"] for c in s["clips"]
                )
                decided = _hub_rows(
                    db,
                    "SELECT request_id, decision FROM deliveries"
                    " WHERE decision IS NOT NULL",
                )
                return bool(done) and len(decided) == 2

            await wait_for(settled, within=90)
            ledger = await _service(hass, "export_ledger", {})
            (share,) = (await agency_shares(agency, shared))["shares"]

    decisions = dict(
        _hub_rows(db, "SELECT request_id, decision FROM deliveries")  # type: ignore[arg-type]
    )
    assert decisions == {declined: "decline", shared: "share"}
    assert _hub_rows(
        db, "SELECT count(*) FROM shares WHERE request_id = ?", shared
    ) == [(1,)]
    assert _hub_rows(
        db, "SELECT count(*) FROM shares WHERE request_id = ?", declined
    ) == [(0,)]
    assert recorded
    # The hub holds the clips sealed to the agency: their plaintext is shared.
    assert sorted(c["plaintext_sha256"] for c in share["clips"]) == sorted(
        c["sha256"] for c in answer["clips"]
    )
    assert ledger["verified"] is True
    made = [e["data"] for e in ledger["entries"] if e["kind"] == "decision"]
    assert sorted((d["request_id"], d["decision"]) for d in made) == sorted(
        [(declined, "decline"), (shared, "share")]
    )
    delivered = {
        e["data"]["request_id"]
        for e in ledger["entries"]
        if e["kind"] == "decision_delivered"
    }
    assert delivered == {declined, shared}
