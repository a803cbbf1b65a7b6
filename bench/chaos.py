"""A bounded soak: decisions made under random faults, none lost or doubled.

Each round an agency posts a request to a real hub process; the household
(as a blueprint would) shares it when it has footage, else declines it; then
a random fault strikes: the hub SIGKILLed and restarted, Home Assistant's
entry torn down and set up again (what a restart does to the integration's
state, in this process), the stream cut, or a slow upload. At the end the
hub is asked what it holds, and the script prints decisions made, decisions
on the hub, lost (must be 0), duplicated (must be 0) and whether the consent
ledger verifies. ``scripts/chaos --rounds N --seed S``; exit status 1 when
anything was lost or doubled, or the ledger does not verify.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest.mock import patch

import custom_components.porchlight  # noqa: F401  (found before the harness's)
from bench.integration import home_assistant, pair_with_code, wait_for
from custom_components.porchlight import api_transfer, outbox_item
from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight.const import DOMAIN
from tests.processes import hub_process
from tests.processes_agency import agency_add, agency_post_request

FAULTS = ("hub_kill", "ha_restart", "stream_cut", "slow_upload", "none")


async def _slow_chunks(*args: Any) -> AsyncIterator[bytes]:
    async for chunk in _REAL_CHUNKS(*args):
        await asyncio.sleep(0.05)
        yield chunk


_REAL_CHUNKS = api_transfer.read_chunks


async def _arrived(entry: Any, request_id: str) -> None:
    await wait_for(
        lambda: request_id in entry.runtime_data.coordinator.data.requests,
        within=120,
    )


async def soak(rounds: int, seed: int, tmp: Path) -> dict[str, Any]:
    """Run the rounds; the tallies."""
    rng = random.Random(seed)
    made: dict[str, str] = {}
    faults: dict[str, int] = dict.fromkeys(FAULTS, 0)
    async with hub_process(tmp / "hub") as hub, home_assistant(tmp / "ha") as hass:
        home = (hass.config.latitude, hass.config.longitude)
        code = await hub.add_home("Chaos home", *home)
        entry = await pair_with_code(hass, hub.url, code)
        agency = await agency_add(hub, "Chaos Police")
        slow = patch.object(api_transfer, "read_chunks", _slow_chunks)
        for number in range(rounds):
            end = datetime.now(UTC) - timedelta(minutes=1)
            request = await agency_post_request(
                agency,
                case_number=f"CHAOS-{seed}-{number}",
                window=(end - timedelta(hours=2), end),
                centre=home,
            )
            request_id = str(request["id"])
            await _arrived(entry, request_id)
            data = entry.runtime_data
            if rng.random() < 0.5:
                start = end - timedelta(minutes=30)
                picture = b"\xff\xd8" + rng.randbytes(rng.randint(1, 512) * 1024)
                await data.clips.async_add(
                    "chaos", "camera.chaos", start, start + timedelta(seconds=5),
                    "image/jpeg", picture,
                )  # fmt: skip
                await hass.services.async_call(
                    DOMAIN, "share_all", {"request_id": request_id},
                    blocking=True, return_response=True,
                )  # fmt: skip
                made[request_id] = "share"
            else:
                await hass.services.async_call(
                    DOMAIN, "decline", {"request_id": request_id}, blocking=True
                )
                made[request_id] = "decline"
            fault = rng.choice(FAULTS)
            faults[fault] += 1
            if fault == "hub_kill" and hub.process is not None:
                hub.process.kill()
                await hub.process.wait()
                hub.process = None
                await asyncio.sleep(rng.uniform(0, 2))
                await hub.start()
            elif fault == "ha_restart":
                await hass.config_entries.async_reload(entry.entry_id)
                await hass.async_block_till_done()
            elif fault == "stream_cut":
                await data.listener.async_stop()
                data.listener.async_start()
            elif fault == "slow_upload":
                slow.start()
                await asyncio.sleep(rng.uniform(0.5, 2))
                slow.stop()
            await wait_for(lambda: entry.runtime_data.listener.connected, within=120)

        # Settle: everything queued reaches the hub.
        await wait_for(lambda: not entry.runtime_data.outbox.items(), within=300)
        export = await entry.runtime_data.ledger.async_export()
        home_id = entry.data["home_id"]
    with sqlite3.connect(tmp / "hub" / "hub.db") as conn:
        on_hub = dict(
            conn.execute(
                "SELECT request_id, decision FROM deliveries"
                " WHERE home_id = ? AND decision IS NOT NULL",
                (home_id,),
            ).fetchall()
        )
        shares = dict(
            conn.execute(
                "SELECT request_id, count(*) FROM shares WHERE home_id = ?"
                " GROUP BY request_id",
                (home_id,),
            ).fetchall()
        )
    lost = [r for r, d in made.items() if on_hub.get(r) != d]
    doubled = [r for r, n in shares.items() if n > 1] + [
        r for r in shares if made.get(r) != "share"
    ]
    ledger_decisions = [e for e in export["entries"] if e["kind"] == "decision"]
    doubled += [
        r
        for r in made
        if sum(1 for e in ledger_decisions if e["data"]["request_id"] == r) != 1
    ]
    return {
        "made": len(made),
        "on_hub": sum(1 for r in made if r in on_hub),
        "lost": len(lost),
        "duplicated": len(set(doubled)),
        "verified": bool(export["verified"]),
        "faults": faults,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m bench.chaos``."""
    parser = argparse.ArgumentParser(prog="scripts/chaos", description=__doc__)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="porchlight-chaos-") as tmp,
        patch.object(outbox_item, "BACKOFF_MIN", 0.5),
        patch.object(outbox_item, "BACKOFF_MAX", 5.0),
        patch.object(listener_mod, "BACKOFF_CAP", 5.0),
    ):
        result = asyncio.run(soak(args.rounds, args.seed, Path(tmp)))
    print(f"rounds {args.rounds}, seed {args.seed}, {time.monotonic() - started:.0f} s")
    print("faults " + ", ".join(f"{k} {v}" for k, v in result["faults"].items()))
    print(f"decisions made       {result['made']}")
    print(f"decisions on the hub {result['on_hub']}")
    print(f"lost                 {result['lost']}")
    print(f"duplicated           {result['duplicated']}")
    print(f"ledger verifies      {'yes' if result['verified'] else 'NO'}")
    ok = not result["lost"] and not result["duplicated"] and result["verified"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
