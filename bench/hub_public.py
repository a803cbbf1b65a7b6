"""Hub benchmark, the public faces (issue 14): figures 5 and 6 of ``scripts/bench hub``.

5. The public request log at 10,000 requests: every page of 50, each read
   with the cache just emptied (what the first reader after a change pays),
   p99 ≤ 20 ms; and the same pages once cached.
6. The agency API's p99 while 1,000 public readers poll the log, against its
   p99 with none: ratio ≤ 1.5. The readers run in their own process (each
   with its own connection, polling every few seconds as an open browser tab
   would), so their client work is not billed to the hub's event loop; the
   agency's calls are timed from this process, against the in-process hub,
   as in figures 1 and 2. "None" is measured twice: before the readers
   start, and with their process paused between the polling phases; the
   target is on the second, which shares the machine's background load with
   the phases it is compared with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import insert

from porchlight_hub import db
from porchlight_hub.app import open_database, running_hub
from porchlight_hub.context import HUB
from porchlight_hub.security import new_id
from porchlight_hub.settings import INCIDENT_TYPES

from .hub import (
    CITY_CENTRE,
    BenchAgency,
    QueryResult,
    Report,
    bearer,
    bench_settings,
    in_city,
    percentile,
    report_query,
    request_body,
    seed_agency,
)

PUBLIC_REQUESTS = 10_000
PER_PAGE = 50
LOG_P99_TARGET_MS = 20.0
READERS = 1_000
# A browser tab that refreshes the log: about the cache's lifetime.
POLL_INTERVAL_S = 5.0
CALLS_PER_PHASE = 200
ROUNDS = 5
LOAD_RATIO_TARGET = 1.5
LOG = "/api/v1/public/requests"


async def seed_public_log(url: str, agency: BenchAgency, count: int) -> str:
    """Requests over the past year (a third with a share); returns one id."""
    rng = random.Random(5)
    engine = await open_database(url)
    now = time.time()
    year = 365 * 24 * 3600.0
    first = ""
    try:
        rows, deliveries = [], []
        home_id = new_id("home")
        async with engine.begin() as conn:
            await conn.execute(
                insert(db.homes).values(
                    id=home_id,
                    name="Bench home",
                    latitude=CITY_CENTRE[0],
                    longitude=CITY_CENTRE[1],
                    opted_out=False,
                    created_at=now,
                )
            )
        for index in range(count):
            created = now - rng.uniform(0, year)
            lat, lon = in_city(rng)
            request_id = new_id("req")
            first = first or request_id
            rows.append(
                {
                    "id": request_id,
                    "agency_id": agency.agency_id,
                    "case_number": f"BENCH-{index:05d}",
                    "incident_type": rng.choice(INCIDENT_TYPES),
                    "description": "Looking for footage of the street.",
                    "contact": "Det. Bench, 555-0100",
                    "window_start": created - 7200,
                    "window_end": created - 3600,
                    "latitude": lat,
                    "longitude": lon,
                    "radius_m": 400.0,
                    "status": rng.choice(("expired", "closed", "withdrawn")),
                    "homes_reached": rng.randint(0, 400),
                    "created_at": created,
                    "expires_at": created + 14 * 86400,
                    "updated_at": created + 3600,
                    "nonce": f"bench-nonce-{index:08d}",
                }
            )
            if index % 3 == 0:
                deliveries.append(
                    {
                        "request_id": request_id,
                        "home_id": home_id,
                        "distance_m": 10.0,
                        "delivered_at": created,
                        "decision": "share",
                        "decided_at": created + 60,
                    }
                )
        async with engine.begin() as conn:
            await conn.execute(insert(db.requests), rows)
            await conn.execute(insert(db.deliveries), deliveries)
    finally:
        await engine.dispose()
    return first


@dataclass(slots=True)
class LogResult:
    """Per-page latencies, cold and cached."""

    cold_ms: list[float]
    cold_filtered_ms: list[float]
    warm_ms: list[float]
    cpu_cold_ms: float
    total: int
    private_leaked: bool


async def _timed_get(
    session: aiohttp.ClientSession, url: str, params: dict[str, str]
) -> tuple[float, Any]:
    t0 = time.perf_counter()
    async with session.get(url, params=params) as resp:
        body = await resp.read()
        status = resp.status
    elapsed = (time.perf_counter() - t0) * 1000
    if status != 200:
        raise RuntimeError(f"public log refused: {status} {body[:200]!r}")
    return elapsed, body


async def run_log() -> LogResult:
    """Seed 10,000 requests; read every page cold, then cached."""
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as tmp_name:
        settings = bench_settings(Path(tmp_name))
        agency = await seed_agency(settings.db_url)
        await seed_public_log(settings.db_url, agency, PUBLIC_REQUESTS)
        async with (
            running_hub(settings) as (runner, port),
            aiohttp.ClientSession() as session,
        ):
            cache = runner.app[HUB].public_cache
            url = f"http://127.0.0.1:{port}{LOG}"
            pages = PUBLIC_REQUESTS // PER_PAGE
            cold, filtered, warm = [], [], []
            leaked = False
            await _timed_get(session, url, {})  # warm the connection
            cpu0 = time.process_time()
            for page in range(1, pages + 1):
                cache.changed()
                params = {"page": str(page), "per_page": str(PER_PAGE)}
                elapsed, body = await _timed_get(session, url, params)
                cold.append(elapsed)
                leaked = leaked or b"BENCH-" in body or b"Det. Bench" in body
            cpu_cold = (time.process_time() - cpu0) * 1000 / pages
            for page, incident in enumerate(INCIDENT_TYPES * 4, start=1):
                cache.changed()
                params = {
                    "page": str(page % 3 + 1),
                    "agency": "Bench City Police",
                    "incident_type": incident,
                }
                filtered.append((await _timed_get(session, url, params))[0])
            for page in range(1, pages + 1):
                params = {"page": str(page), "per_page": str(PER_PAGE)}
                await _timed_get(session, url, params)  # fill the cache
            for page in range(1, pages + 1):
                params = {"page": str(page), "per_page": str(PER_PAGE)}
                warm.append((await _timed_get(session, url, params))[0])
            _, first = await _timed_get(session, url, {})
            total = int(json.loads(first)["total"])
    return LogResult(cold, filtered, warm, cpu_cold, total, leaked)


async def bench_public_log(report: Report) -> None:
    """Figure 5."""
    result = await run_log()
    report.section(
        f"[5] The public request log at {PUBLIC_REQUESTS:,} requests:"
        f" GET {LOG}, every page of {PER_PAGE}"
    )
    report.check(
        "every request listed",
        result.total == PUBLIC_REQUESTS,
        f"{result.total:,} of {PUBLIC_REQUESTS:,}",
    )
    report.check(
        "no case number or contact in any page",
        not result.private_leaked,
        "none" if not result.private_leaked else "LEAKED",
    )
    pages = len(result.cold_ms)
    report_query(
        report,
        "each page with the cache just emptied (the first reader's cost)",
        QueryResult(result.cold_ms, result.cpu_cold_ms, [PER_PAGE] * pages),
        "requests",
        LOG_P99_TARGET_MS,
    )
    report.note("filtered by agency and incident type, cache emptied")
    report.figure(
        "  latency p99",
        percentile(result.cold_filtered_ms, 99),
        "ms",
        target_max=LOG_P99_TARGET_MS,
    )
    report.note("cached (every later reader until a request changes)")
    report.figure("  latency p50", percentile(result.warm_ms, 50), "ms")
    report.figure("  latency p99", percentile(result.warm_ms, 99), "ms")


# --------------------------------------------------------------------------
# 6. The agency API under a crowd of public readers


async def readers_main(base: str, count: int, interval: float) -> None:
    """The readers' process: ``count`` connections polling the log until SIGTERM."""
    connector = aiohttp.TCPConnector(limit=0)
    latencies: list[float] = []
    errors = 0
    ready = 0
    started, stop = asyncio.Event(), asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)

    async def reader(session: aiohttp.ClientSession, seed: int) -> None:
        nonlocal errors, ready
        rng = random.Random(seed)
        pause = rng.uniform(0, interval)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            if stop.is_set():
                break
            params = {"page": str(rng.randint(1, 5))}
            t0 = time.perf_counter()
            try:
                async with session.get(f"{base}{LOG}", params=params) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except aiohttp.ClientError:
                ok = False
            latencies.append((time.perf_counter() - t0) * 1000)
            errors += not ok
            if len(latencies) <= count and not started.is_set():
                ready += 1
                if ready == count:
                    started.set()
            pause = interval * rng.uniform(0.8, 1.2)

    async with aiohttp.ClientSession(connector=connector) as session:
        tasks = [asyncio.create_task(reader(session, i)) for i in range(count)]
        await started.wait()
        print("ready", flush=True)
        await asyncio.gather(*tasks)
    print(
        json.dumps(
            {
                "requests": len(latencies),
                "errors": errors,
                "p99_ms": percentile(latencies, 99),
            }
        ),
        flush=True,
    )


async def time_agency(
    session: aiohttp.ClientSession, base: str, agency: BenchAgency, request_id: str
) -> list[float]:
    """Alternate the agency's read and its draft check, timed."""
    draft = request_body("BENCH-LOAD-1", CITY_CENTRE, 400)
    latencies = []
    for index in range(CALLS_PER_PHASE):
        t0 = time.perf_counter()
        if index % 2:
            resp = await session.post(
                f"{base}/api/v1/agency/requests/check",
                json=draft,
                headers=bearer(agency.key),
            )
        else:
            resp = await session.get(
                f"{base}/api/v1/agency/requests/{request_id}",
                headers=bearer(agency.key),
            )
        async with resp:
            await resp.read()
            if resp.status != 200:
                raise RuntimeError(f"agency call refused: {resp.status}")
        latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


@dataclass(slots=True)
class LoadResult:
    """The agency's latencies without and with readers, and the readers' own."""

    alone_ms: list[float]
    quiet_ms: list[float]
    loaded_ms: list[float]
    readers: dict[str, Any]
    readers_running_s: float


async def run_load() -> LoadResult:
    """Time the agency alone, then alternately with the readers paused and polling.

    Other work on the machine comes and goes; alternating the two phases
    (the readers' process stopped with SIGSTOP, its connections left open,
    then resumed) lets both see the same background, so the ratio measures
    the readers and not the neighbours.
    """
    with tempfile.TemporaryDirectory(prefix="porchlight-bench-") as tmp_name:
        settings = bench_settings(Path(tmp_name))
        agency = await seed_agency(settings.db_url)
        request_id = await seed_public_log(settings.db_url, agency, PUBLIC_REQUESTS)
        async with (
            running_hub(settings) as (_runner, port),
            aiohttp.ClientSession() as session,
        ):
            base = f"http://127.0.0.1:{port}"
            await time_agency(session, base, agency, request_id)  # warm-up
            alone = await time_agency(session, base, agency, request_id)
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.hub_public", "readers", base,
                str(READERS), str(POLL_INTERVAL_S), stdout=asyncio.subprocess.PIPE,
            )  # fmt: skip
            assert proc.stdout is not None
            quiet: list[float] = []
            loaded: list[float] = []
            running = 0.0
            try:
                async with asyncio.timeout(120):
                    line = await proc.stdout.readline()
                if line.strip() != b"ready":
                    raise RuntimeError(f"readers did not start: {line!r}")
                resumed = time.monotonic()
                for _ in range(ROUNDS):
                    loaded += await time_agency(session, base, agency, request_id)
                    proc.send_signal(signal.SIGSTOP)
                    running += time.monotonic() - resumed
                    await asyncio.sleep(0.5)  # requests in flight are answered
                    quiet += await time_agency(session, base, agency, request_id)
                    proc.send_signal(signal.SIGCONT)
                    resumed = time.monotonic()
                    # The polls that fell due while paused go out at once; let
                    # that burst pass so each loaded phase sees the steady rate.
                    await asyncio.sleep(POLL_INTERVAL_S)
                running += time.monotonic() - resumed
                proc.send_signal(signal.SIGTERM)
                async with asyncio.timeout(60):
                    out, _ = await proc.communicate()
            finally:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGCONT)
                    proc.kill()
                    await proc.wait()
    readers = json.loads(out.decode().strip().splitlines()[-1])
    return LoadResult(alone, quiet, loaded, readers, running)


async def bench_public_load(report: Report) -> None:
    """Figure 6."""
    result = await run_load()
    readers = result.readers
    calls = CALLS_PER_PHASE * ROUNDS
    report.section(
        f"[6] The agency API while {READERS:,} public readers poll {LOG}"
        f" (each every ~{POLL_INTERVAL_S:g} s, own connection, own process);"
        f" {calls} agency calls each way (GET a request / POST a draft check),"
        f" {ROUNDS} alternating rounds"
    )
    quiet = percentile(result.quiet_ms, 99)
    loaded = percentile(result.loaded_ms, 99)
    report.figure("agency p99, no readers (before they start)",
                  percentile(result.alone_ms, 99), "ms")  # fmt: skip
    report.figure("agency p99, readers paused", quiet, "ms")
    report.figure(f"agency p99, {READERS:,} readers polling", loaded, "ms")
    report.figure(
        "ratio (polling / paused)",
        loaded / quiet,
        "",
        target_max=LOAD_RATIO_TARGET,
        decimals=2,
    )
    alone = percentile(result.alone_ms, 99)
    report.figure("ratio (polling / before they start)", loaded / alone, "", decimals=2)
    report.figure("agency p50, readers paused", percentile(result.quiet_ms, 50), "ms")
    report.figure(
        f"agency p50, {READERS:,} readers polling",
        percentile(result.loaded_ms, 50),
        "ms",
    )
    rate = readers["requests"] / max(result.readers_running_s, 1e-9)
    report.figure("readers' requests per second", rate, "/s", decimals=0)
    report.figure("readers' p99", readers["p99_ms"], "ms")
    report.check(
        "readers' errors", readers["errors"] == 0, f"{readers['errors']} errors"
    )


def main(argv: Sequence[str]) -> int:
    """``python -m bench.hub_public readers BASE COUNT INTERVAL``."""
    if len(argv) != 4 or argv[0] != "readers":
        print(__doc__)
        return 2
    asyncio.run(readers_main(argv[1], int(argv[2]), float(argv[3])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
