"""A bounded soak: decisions made under random faults, none lost or doubled.

Everything is a real process. The hub runs as ``porchlight-hub serve``;
Home Assistant as ``python -m homeassistant`` on a fresh config with the
demo doorbell, paired through a fault proxy (tests/fault_proxy.py) so the
soak can fail, slow or cut what the home sends. The household's rules are
two of our blueprints: share with "Chaos Police", decline "Other Agency".

Each round one of the two agencies posts a request; the blueprints decide;
then a fault strikes: the hub SIGKILLed and restarted on the same storage,
Home Assistant SIGKILLed and started again on the same config, the stream
cut, the hub answering 5xx for a while, uploads trickling, or nothing. At
the end the soak waits for the outbox to empty and compares what the
household's ledger says it decided with what the hub holds, then prints
decisions made, decisions on the hub, lost (must be 0), duplicated (must be
0) and whether the consent ledger verifies.

``scripts/chaos --rounds N --seed S`` (or ``--minutes M``); exit status 1 when
anything was lost or doubled, a request went undecided, or the ledger does
not verify. tests/test_chaos.py runs a short soak with every fault in CI.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from tests.fault_proxy import FaultProxy, fault_proxy
from tests.processes import (
    REPO,
    HomeAssistant,
    HubProcess,
    Newcomer,
    demo_home,
    develop_config,
    free_port,
    home_assistant,
    hub_process,
    pair_and_adopt,
    ring,
    wait_for,
)
from tests.processes_agency import Agency, agency_add, agency_post_request

FAULTS = ("hub_kill", "ha_kill", "stream_cut", "hub_5xx", "slow_upload", "none")
TRUSTED = "Chaos Police"
DECLINED = "Other Agency"
# A decision is the blueprint's: the request arrives, the share waits out its
# 1 s grace period, and the clips are sealed. Generous, for a loaded machine.
DECIDE_WITHIN = 90.0
SETTLE_WITHIN = 600.0
# The doorbell rings this often (seconds); a request asks for the last
# WINDOW, so it holds one or two rings' clips.
RING_EVERY = 600.0
WINDOW = timedelta(minutes=15)


@dataclass(slots=True)
class Soak:
    """What the soak drives, and what it saw."""

    tmp: Path
    hub: HubProcess
    proxy: FaultProxy
    port: int
    config: Path
    stack: contextlib.AsyncExitStack
    hass: HomeAssistant | None = None
    newcomer: Newcomer | None = None
    token: str = ""
    rang_at: float = 0.0
    decided: dict[str, str] = field(default_factory=dict)
    undecided: list[str] = field(default_factory=list)
    faults: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAULTS, 0))

    @property
    def ha(self) -> HomeAssistant:
        """The Home Assistant process running now."""
        assert self.hass is not None
        return self.hass

    async def start_home_assistant(self, first: bool) -> None:
        """Start it; the first time onboards the owner, later ones log in again."""
        ready = "/api/onboarding" if first else "/auth/providers"
        self.hass = await self.stack.enter_async_context(
            home_assistant(self.config, self.port, ready=ready)
        )
        if first:
            await self.hass.onboard()
            self.token = self.hass.token
        else:
            self.hass.token = self.token

    async def kill_home_assistant(self) -> None:
        """SIGKILL, then start again on the same config (and the same token)."""
        self.ha.process.kill()
        await self.ha.process.wait()
        await self.stack.aclose()  # what is left of that process's context
        self.stack = contextlib.AsyncExitStack()
        await self.start_home_assistant(first=False)

    async def service(self, name: str, data: dict[str, Any]) -> Any:
        """Call a Porchlight service over REST; its response."""
        answer = await self.ha.rest(
            "POST", f"/api/services/porchlight/{name}?return_response", data
        )
        return answer["service_response"]

    async def entity(self, suffix: str) -> str | None:
        """The entity id ending in ``suffix`` (ids follow the translated names)."""
        for state in await self.ha.rest("GET", "/api/states"):
            if state["entity_id"].endswith(suffix):
                return str(state["entity_id"])
        return None

    async def connected(self) -> bool:
        """The home's stream is up: ``hub_connection`` is on."""
        with contextlib.suppress(RuntimeError, OSError):
            entity = await self.entity("_hub_connection")
            if entity is not None:
                state = await self.ha.rest("GET", f"/api/states/{entity}")
                return bool(state["state"] == "on")
        return False

    async def status(self, request_id: str) -> str | None:
        """The request's status as Home Assistant shows it; None while it cannot say."""
        with contextlib.suppress(RuntimeError, OSError, KeyError):
            found = await self.service("get_request", {"request_id": request_id})
            return str(found["status"])
        return None

    async def outbox(self) -> list[Any] | None:
        """The entry's outbox as its diagnostics show it (None while loading)."""
        assert self.newcomer is not None
        with contextlib.suppress(RuntimeError, OSError, KeyError):
            diag = await self.ha.rest(
                "GET", f"/api/diagnostics/config_entry/{self.newcomer.entry_id}"
            )
            return list(diag["data"]["outbox"])
        return None


def _automations(video_requests: str) -> list[dict[str, Any]]:
    """The household's rules, as the blueprints' forms would save them."""
    return [
        {
            "id": "chaos_share",
            "alias": "Share with Chaos Police",
            "use_blueprint": {
                "path": "porchlight/share_with_trusted_agencies.yaml",
                "input": {
                    "video_requests": video_requests,
                    "trusted_agencies": [TRUSTED],
                    "grace_period": {"hours": 0, "minutes": 0, "seconds": 1},
                },
            },
        },
        {
            "id": "chaos_decline",
            "alias": "Decline Other Agency",
            "use_blueprint": {
                "path": "porchlight/decline_by_rule.yaml",
                "input": {"video_requests": video_requests, "agency_names": [DECLINED]},
            },
        },
    ]


async def _install_rules(soak: Soak) -> None:
    target = soak.config / "blueprints" / "automation" / "porchlight"
    await asyncio.to_thread(
        shutil.copytree, REPO / "blueprints" / "automation" / "porchlight", target
    )
    requests = await wait_for(lambda: soak.entity("_video_requests"), within=30)
    (soak.config / "automations.yaml").write_text(
        yaml.safe_dump(_automations(requests), sort_keys=False)
    )
    await soak.ha.rest("POST", "/api/services/automation/reload", {})

    async def loaded() -> bool:
        states = await soak.ha.rest("GET", "/api/states")
        ids = {
            s["entity_id"] for s in states if s["entity_id"].startswith("automation.")
        }
        return len(ids) >= 2

    await wait_for(loaded, within=30)


async def _strike(soak: Soak, fault: str, rng: random.Random) -> None:
    soak.faults[fault] += 1
    if fault == "hub_kill" and soak.hub.process is not None:
        soak.hub.process.kill()
        await soak.hub.process.wait()
        soak.hub.process = None
        await asyncio.sleep(rng.uniform(0, 2))
        await soak.hub.start()
    elif fault == "ha_kill":
        await soak.kill_home_assistant()
    elif fault == "stream_cut":
        await soak.proxy.cut_streams()
    elif fault == "hub_5xx":
        soak.proxy.down = True
        await asyncio.sleep(rng.uniform(1, 5))
        soak.proxy.down = False
    elif fault == "slow_upload":
        soak.proxy.slow = True
        await asyncio.sleep(rng.uniform(1, 4))
        soak.proxy.slow = False


async def _round(
    soak: Soak, number: int, seed: int, rng: random.Random, agencies: list[Agency]
) -> None:
    agency = rng.choice(agencies)
    if time.monotonic() - soak.rang_at > RING_EVERY:
        # Fresh footage for the window below; at most a few clips in it, as
        # the share blueprint takes 1 to 10.
        assert soak.newcomer is not None
        await ring(soak.ha, soak.newcomer)
        await wait_for(lambda: soak.service("list_clips", {}), within=30)
        soak.rang_at = time.monotonic()
        await asyncio.sleep(2)  # the window must end after the clips
    end = datetime.now(UTC) - timedelta(seconds=1)
    request = await agency_post_request(
        agency,
        case_number=f"CHAOS-{seed}-{number}",
        window=(end - WINDOW, end),
        centre=demo_home(),
        incident_type="burglary",
    )
    request_id = str(request["id"])

    async def decided() -> str | None:
        status = await soak.status(request_id)
        return status if status in ("shared", "declined") else None

    try:
        soak.decided[request_id] = await wait_for(decided, within=DECIDE_WITHIN)
    except AssertionError:
        soak.undecided.append(request_id)


@contextlib.asynccontextmanager
async def _world(tmp: Path) -> AsyncIterator[Soak]:
    async with hub_process(tmp / "hub") as hub, fault_proxy(hub.url) as proxy:
        port = free_port()
        soak = Soak(
            tmp, hub, proxy, port, develop_config(tmp / "config", port),
            contextlib.AsyncExitStack(),
        )  # fmt: skip
        try:
            await soak.start_home_assistant(first=True)
            code = await hub.add_home("Chaos home", *demo_home())
            soak.newcomer = await pair_and_adopt(soak.ha, hub, code, url=proxy.url)
            yield soak
        finally:
            await soak.stack.aclose()


async def soak(
    seed: int,
    tmp: Path,
    *,
    rounds: int | None = None,
    minutes: float | None = None,
    faults: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Run the rounds (or until ``minutes`` pass, or ``faults`` in order); tallies."""
    rng = random.Random(seed)
    started = time.monotonic()
    async with _world(tmp) as world:
        await _install_rules(world)
        agencies = [
            await agency_add(world.hub, TRUSTED),
            await agency_add(world.hub, DECLINED),
        ]
        number = 0
        while True:
            if faults is not None and number >= len(faults):
                break
            if rounds is not None and number >= rounds:
                break
            if minutes is not None and time.monotonic() - started > minutes * 60:
                break
            await _round(world, number, seed, rng, agencies)
            fault = faults[number] if faults is not None else rng.choice(FAULTS)
            await _strike(world, fault, rng)
            await wait_for(world.connected, within=180)
            number += 1

        async def settled() -> bool:
            return await world.outbox() == []

        await wait_for(settled, within=SETTLE_WITHIN)
        export = await world.service("export_ledger", {})
        return _tally(world, export, number, time.monotonic() - started)


def _tally(
    world: Soak, export: dict[str, Any], rounds: int, seconds: float
) -> dict[str, Any]:
    """Compare the household's ledger with the hub's database."""
    with sqlite3.connect(world.tmp / "hub" / "hub.db") as conn:
        on_hub = dict(
            conn.execute(
                "SELECT request_id, decision FROM deliveries WHERE decision IS NOT NULL"
            ).fetchall()
        )
        shares = dict(
            conn.execute(
                "SELECT request_id, count(*) FROM shares GROUP BY request_id"
            ).fetchall()
        )
    ledgered: dict[str, list[str]] = {}
    for entry in export["entries"]:
        if entry["kind"] == "decision":
            data = entry["data"]
            ledgered.setdefault(data["request_id"], []).append(data["decision"])
    made = {request: kinds[0] for request, kinds in ledgered.items()}
    seen = {
        request: "share" if status == "shared" else "decline"
        for request, status in world.decided.items()
    }
    lost = {r for r, d in made.items() if on_hub.get(r) != d}
    lost |= {r for r, d in seen.items() if made.get(r) != d}
    doubled = {r for r, kinds in ledgered.items() if len(kinds) > 1}
    doubled |= {r for r, n in shares.items() if n > 1 or made.get(r) != "share"}
    return {
        "rounds": rounds,
        "seconds": seconds,
        "made": len(made),
        "on_hub": sum(1 for r in made if r in on_hub),
        "undecided": len(world.undecided),
        "lost": len(lost),
        "duplicated": len(doubled),
        "verified": bool(export["verified"]),
        "faults": world.faults,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m bench.chaos``."""
    parser = argparse.ArgumentParser(prog="scripts/chaos", description=__doc__)
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--minutes", type=float, default=None)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    rounds = args.rounds if args.rounds or args.minutes else 10
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="porchlight-chaos-") as tmp:
        result = asyncio.run(
            soak(args.seed, Path(tmp), rounds=rounds, minutes=args.minutes)
        )
    print(f"rounds {result['rounds']}, seed {args.seed}, {result['seconds']:.0f} s")
    print("faults " + ", ".join(f"{k} {v}" for k, v in result["faults"].items()))
    print(f"decisions made       {result['made']}")
    print(f"decisions on the hub {result['on_hub']}")
    print(f"undecided in time    {result['undecided']}")
    print(f"lost                 {result['lost']}")
    print(f"duplicated           {result['duplicated']}")
    print(f"ledger verifies      {'yes' if result['verified'] else 'NO'}")
    return 0 if passed(result) else 1


def passed(result: dict[str, Any]) -> bool:
    """Nothing lost or doubled, every request decided, and the ledger verifies."""
    return (
        not result["lost"]
        and not result["duplicated"]
        and not result["undecided"]
        and result["verified"]
    )


if __name__ == "__main__":
    sys.exit(main())
