"""The demo neighbourhood of ``serve --demo``, driven on a ManualClock.

No test here sleeps through demo time: the clock is stepped and the demo
carries out what fell due, so an hour of neighbourhood life takes seconds.
Everything is read back the way a home or the agency reads it, over HTTP.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select
from yarl import URL

from porchlight_hub import admin, db, signing
from porchlight_hub import app as app_module
from porchlight_hub import demo as demo_module
from porchlight_hub.clock import ManualClock
from porchlight_hub.demo import (
    AGENCY_NAME,
    DEMO_LATITUDE,
    DEMO_LONGITUDE,
    NEIGHBOURS,
    Demo,
    DemoStart,
    demo_hub,
    run_demo_server,
)
from porchlight_hub.demo_keys import FILE_SUFFIX
from porchlight_hub.geo import distance_m
from porchlight_hub.rules import parse_request
from porchlight_hub.settings import ALERT_CATEGORIES, Policy, Settings

from .conftest import START
from .test_cli import COMMAND, call_main, clean_env

HOME_CATEGORIES = set(ALERT_CATEGORIES) - {"police"}


async def reached_by(demo: Demo, request_id: str) -> int:
    """Homes a request reached, from the hub's records (agencies see "<5")."""
    d = db.deliveries
    async with demo.hub.engine.connect() as conn:
        found = await conn.execute(
            select(func.count()).where(d.c.request_id == request_id)
        )
        return int(found.scalar_one())


def verifies(request: dict[str, Any]) -> bool:
    """The home's check: the signature covers the terms it was delivered."""
    signed = signing.signed_object(request, request["agency_id"])
    return signing.verify(request["agency_signing_key"], request["signature"], signed)


def demo_settings(tmp_path: Path, name: str = "hub") -> Settings:
    base = tmp_path / name
    base.mkdir(parents=True, exist_ok=True)
    return Settings(
        db_url=f"sqlite+aiosqlite:///{base / 'hub.db'}",
        media_dir=base / "media",
        host="127.0.0.1",
        port=0,
        zeroconf=False,
    )


@contextlib.asynccontextmanager
async def started(
    settings: Settings, seed: int, clock: ManualClock
) -> AsyncIterator[tuple[Demo, DemoStart]]:
    async with demo_hub(settings, seed, clock) as (demo, start):
        yield demo, start


async def play(demo: Demo, clock: ManualClock, seconds: int, step: int = 20) -> None:
    """Step the clock and let the demo do what fell due, like its loop does."""
    for _ in range(seconds // step):
        clock.advance(timedelta(seconds=step))
        await demo.run_due()


async def call(
    demo: Demo,
    method: str,
    path: str,
    secret: str | None = None,
    body: Any = None,
    params: dict[str, str] | None = None,
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    async with demo.session.request(
        method, demo.url.with_path(path), json=body, headers=headers, params=params
    ) as resp:
        return resp.status, await resp.json(content_type=None)


async def pair_demo_home(demo: Demo, code: str) -> str:
    """Pair as Home Assistant does: the code, the home's name and location."""
    status, body = await call(
        demo,
        "POST",
        "/api/v1/pair",
        body={
            "code": code,
            "name": "Demo home",
            "latitude": DEMO_LATITUDE,
            "longitude": DEMO_LONGITUDE,
        },
    )
    assert status == 200, body
    assert body["home_id"] == demo.home_id
    return str(body["token"])


def when(text: str) -> datetime:
    return datetime.fromisoformat(text)


def assert_valid(request: dict[str, Any]) -> None:
    """Re-check a stored request against §2.3 as of the moment it was made."""
    body = {
        key: request[key]
        for key in (
            "case_number",
            "incident_type",
            "description",
            "contact",
            "window_start",
            "window_end",
            "area",
        )
    }
    draft = parse_request(body, when(request["created_at"]), Policy())
    assert draft.window_end <= when(request["created_at"])


async def test_an_hour_of_the_demo(tmp_path: Path) -> None:
    clock = ManualClock(START)
    async with started(demo_settings(tmp_path), 11, clock) as (demo, start):
        assert start.fresh
        assert start.neighbours == NEIGHBOURS
        token = await pair_demo_home(demo, start.pairing_code)
        await play(demo, clock, 3600)
        assert not demo.failures

        # Alerts of several categories, near the demo home, every minute or so.
        status, body = await call(
            demo,
            "GET",
            "/api/v1/alerts",
            token,
            params={"radius_m": "1600", "limit": "500"},
        )
        assert status == 200, body
        alerts = body["alerts"]
        live = [a for a in alerts if when(a["created_at"]) >= START]
        assert 30 <= len(live) <= 100
        categories = {a["category"] for a in live}
        assert len(categories & HOME_CATEGORIES) >= 4
        assert all(a["distance_m"] <= 1600 for a in alerts)
        assert {a["source"] for a in live} == {"neighbour", "agency"}
        # ...on top of a few days of history.
        oldest = min(when(a["created_at"]) for a in alerts)
        assert START - timedelta(days=3) <= oldest <= START - timedelta(days=2)
        status, one = await call(
            demo, "GET", f"/api/v1/alerts/{alerts[-1]['id']}", token
        )
        assert status == 200, one

        # Requests that cover the demo home, each with a window that has footage.
        status, body = await call(demo, "GET", "/api/v1/requests", token)
        assert status == 200, body
        delivered = body["requests"]
        assert 12 <= len(delivered) <= 35
        for request in delivered:
            assert_valid(request)
            assert request["distance_m"] <= request["area"]["radius_m"]
            assert request["agency"] == AGENCY_NAME
            made = when(request["created_at"])
            start_w, end_w = when(request["window_start"]), when(request["window_end"])
            assert made - timedelta(minutes=2) <= end_w <= made
            assert timedelta(minutes=29) <= end_w - start_w <= timedelta(minutes=41)
        statuses = Counter(r["status"] for r in delivered)
        assert statuses["pending"] >= 5
        assert statuses["withdrawn"] >= 1
        assert set(statuses) <= {"pending", "withdrawn"}

        # The agency's own view: history expired and withdrawn, all within §2.3.
        status, body = await call(
            demo, "GET", "/api/v1/agency/requests", start.agency_key
        )
        assert status == 200, body
        made_by_agency = body["requests"]
        for request in made_by_agency:
            assert_valid(request)
        assert {"expired", "withdrawn", "open"} <= {r["status"] for r in made_by_agency}
        per_case = Counter(r["case_number"] for r in made_by_agency)
        assert sorted(set(per_case.values())) == [1, 2]  # follow-ups, within §2.3
        for request in made_by_agency:
            if per_case[request["case_number"]] == 2:
                assert request["description"].startswith("Follow-up: ") or any(
                    other["description"] == f"Follow-up: {request['description']}"
                    for other in made_by_agency
                )
        assert len(made_by_agency) == len(delivered) + 4  # the history
        reached = [await reached_by(demo, r["id"]) for r in made_by_agency]
        assert sum(reached) > len(made_by_agency)
        # Each made by the demo agency's own key, which homes can check.
        for request in delivered:
            assert verifies(request)

        status, report = await call(demo, "GET", "/api/v1/transparency")
        assert status == 200, report
        (agency,) = report["agencies"]
        assert len(agency["declines_by_week"]) >= 2  # the history spans weeks
        assert agency["requests_withdrawn"] >= 2
        d = db.deliveries
        async with demo.hub.engine.connect() as conn:
            declined = await conn.execute(
                select(func.count()).where(d.c.decision == "decline")
            )
            assert declined.scalar_one() >= 1


def request_content(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (
            r["created_at"],
            r["case_number"],
            r["incident_type"],
            r["description"],
            r["window_start"],
            r["window_end"],
            r["area"]["latitude"],
            r["area"]["longitude"],
            r["area"]["radius_m"],
            r["status"],
            r["homes_reached"],
        )
        for r in rows
    )


async def content(demo: Demo, agency_key: str) -> dict[str, Any]:
    """Everything the demo made, without the random ids."""
    al, cm = db.alerts, db.alert_comments
    async with demo.hub.engine.connect() as conn:
        alerts = (
            await conn.execute(
                select(
                    al.c.created_at,
                    al.c.category,
                    al.c.title,
                    al.c.description,
                    al.c.latitude,
                    al.c.longitude,
                ).order_by(al.c.created_at, al.c.title)
            )
        ).all()
        comments = (
            await conn.execute(
                select(cm.c.created_at, cm.c.text).order_by(cm.c.created_at)
            )
        ).all()
    homes = await admin.list_homes(demo.hub.engine)
    status, body = await call(demo, "GET", "/api/v1/agency/requests", agency_key)
    assert status == 200, body
    return {
        "homes": [(h["name"], h["latitude"], h["longitude"]) for h in homes],
        "alerts": [tuple(a) for a in alerts],
        "comments": [tuple(c) for c in comments],
        "requests": request_content(body["requests"]),
    }


async def twenty_minutes(tmp_path: Path, name: str, seed: int) -> dict[str, Any]:
    clock = ManualClock(START)
    async with started(demo_settings(tmp_path, name), seed, clock) as (demo, start):
        await pair_demo_home(demo, start.pairing_code)
        await play(demo, clock, 1200, step=30)
        assert not demo.failures
        return await content(demo, start.agency_key)


async def test_same_seed_same_neighbourhood(tmp_path: Path) -> None:
    first = await twenty_minutes(tmp_path, "a", 5)
    again = await twenty_minutes(tmp_path, "b", 5)
    other = await twenty_minutes(tmp_path, "c", 6)
    assert first == again
    assert len(first["alerts"]) > 40
    assert len(first["requests"]) > 6
    assert first["comments"]
    for key in ("homes", "alerts", "requests"):
        assert first[key] != other[key], key


async def test_restart_seeds_nothing_twice(tmp_path: Path) -> None:
    settings = demo_settings(tmp_path)
    clock = ManualClock(START)
    async with started(settings, 3, clock) as (demo, start):
        token = await pair_demo_home(demo, start.pairing_code)
        await play(demo, clock, 600)
        before = await content(demo, start.agency_key)
        agencies = await admin.list_agencies(demo.hub.engine)
        homes = await admin.list_homes(demo.hub.engine)
    old_key = start.agency_key

    clock.advance(timedelta(hours=1))
    async with started(settings, 3, clock) as (demo, again):
        assert not again.fresh
        assert again.home_id == start.home_id
        assert again.pairing_code != start.pairing_code
        assert again.agency_key != old_key
        assert await admin.list_agencies(demo.hub.engine) == agencies
        assert [h["home_id"] for h in await admin.list_homes(demo.hub.engine)] == [
            h["home_id"] for h in homes
        ]
        after = await content(demo, again.agency_key)
        assert after == before  # nothing re-seeded at start

        # The old key and token are gone, the fresh code pairs the demo home.
        status, _ = await call(demo, "GET", "/api/v1/agency/requests", old_key)
        assert status == 401
        assert (await call(demo, "GET", "/api/v1/home", token))[0] == 200
        token = await pair_demo_home(demo, again.pairing_code)
        assert (await call(demo, "GET", "/api/v1/home", token))[0] == 200

        # The neighbours and the agency carry on with their new secrets.
        await play(demo, clock, 600)
        assert not demo.failures
        later = await content(demo, again.agency_key)
        assert len(later["alerts"]) > len(after["alerts"])
        assert len(later["requests"]) > len(after["requests"])
        cases = Counter(r[1] for r in later["requests"])
        assert max(cases.values()) <= 2


async def test_a_lost_identity_file_is_made_anew_and_registered(
    tmp_path: Path,
) -> None:
    settings = demo_settings(tmp_path)
    clock = ManualClock(START)
    async with started(settings, 5, clock) as (demo, start):
        first = demo.identity
    path = Path(start.identity_path)
    await asyncio.to_thread(path.unlink)
    clock.advance(timedelta(hours=1))
    async with started(settings, 5, clock) as (demo, again):
        assert demo.identity != first
        (agency,) = await admin.list_agencies(demo.hub.engine)
        assert (agency["recipient"], agency["signing_key"]) == (
            demo.identity.recipient,
            demo.identity.signing_key,
        )
        # Its requests are signed with the new key, and accepted.
        await play(demo, clock, 600)
        assert not demo.failures
        status, body = await call(
            demo, "GET", "/api/v1/agency/requests", again.agency_key
        )
        assert status == 200, body
        assert body["count"] > 4


async def test_the_loop_follows_the_clock_and_survives_a_fault(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = ManualClock(START)
    async with started(demo_settings(tmp_path), 8, clock) as (demo, start):
        broken = {"left": 1}
        real_alert = demo._neighbour_alert

        async def flaky(due: datetime) -> None:
            if broken["left"]:
                broken["left"] -= 1
                raise RuntimeError("boom")
            await real_alert(due)

        demo._neighbour_alert = flaky  # type: ignore[method-assign]
        stop = asyncio.Event()
        loop = asyncio.create_task(demo.run(stop, poll_s=0.01))

        async def alerts() -> int:
            return len((await content(demo, start.agency_key))["alerts"])

        try:
            before = await alerts()
            clock.advance(timedelta(minutes=10))
            async with asyncio.timeout(10):
                while await alerts() < before + 3:  # noqa: ASYNC110 - over HTTP
                    await asyncio.sleep(0.02)
        finally:
            stop.set()
            await asyncio.wait_for(loop, 5)
        assert "Demo activity failed" in caplog.text
        assert demo.next_due() is not None


async def test_unexpected_answers_are_recorded_not_raised(
    tmp_path: Path, closed_port_url: str
) -> None:
    clock = ManualClock(START)
    async with started(demo_settings(tmp_path), 2, clock) as (demo, _start):
        assert await demo._call("GET", "/api/v1/nowhere") is None
        demo.agency_key = "not-a-key"
        demo.neighbours[0].token = "not-a-token"
        await play(demo, clock, 600)
        assert any("POST /api/v1/alerts: 401" in f for f in demo.failures)
        assert any("/api/v1/nowhere: 404" in f for f in demo.failures)
        assert any("agency/requests: 401" in f for f in demo.failures)
        # A hub that has gone away is a failure too, not a crash.
        demo.url = URL(closed_port_url)
        assert await demo._call("GET", "/api/v1/health") is None
        assert "GET /api/v1/health: ClientConnectorError" in demo.failures[-1]


async def test_requests_follow_the_demo_home_where_it_paired(tmp_path: Path) -> None:
    # Home Assistant sends its own location when it pairs; requests follow it.
    clock = ManualClock(START)
    async with started(demo_settings(tmp_path), 9, clock) as (demo, start):
        lat, lon = demo_module.offset(DEMO_LATITUDE, DEMO_LONGITUDE, 2500, 1.0)
        status, body = await call(
            demo,
            "POST",
            "/api/v1/pair",
            body={"code": start.pairing_code, "latitude": lat, "longitude": lon},
        )
        assert status == 200, body
        token = body["token"]
        await play(demo, clock, 900)
        status, body = await call(demo, "GET", "/api/v1/requests", token)
    assert status == 200, body
    assert body["count"] >= 3
    for request in body["requests"]:
        area = request["area"]
        assert request["distance_m"] <= area["radius_m"]
        moved = distance_m(
            DEMO_LATITUDE, DEMO_LONGITUDE, area["latitude"], area["longitude"]
        )
        assert moved > 2500 - area["radius_m"]


@pytest.mark.parametrize(
    ("host", "url"),
    [
        ("0.0.0.0", "http://127.0.0.1:8765"),  # noqa: S104 - not binding
        ("", "http://127.0.0.1:8765"),
        ("::1", "http://[::1]:8765"),
        ("192.0.2.7", "http://192.0.2.7:8765"),
    ],
)
def test_the_demo_calls_the_address_it_serves_on(host: str, url: str) -> None:
    assert demo_module._base_url(host, 8765) == URL(url)


class FakeAdvertiser:
    """Stands in for zeroconf: the demo server must start and stop it."""

    instances: list[FakeAdvertiser] = []  # noqa: RUF012 - records for the test
    fail = False

    def __init__(self, name: str, hub_id: str, host: str, port: int) -> None:
        self.args = (name, hub_id, host, port)
        self.stopped = False
        FakeAdvertiser.instances.append(self)

    async def start(self) -> None:
        if FakeAdvertiser.fail:
            raise OSError("no multicast here")

    async def stop(self) -> None:
        self.stopped = True


@pytest.mark.parametrize("advertising_fails", [False, True])
async def test_demo_server_prints_what_a_developer_needs(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    advertising_fails: bool,
) -> None:
    # The demo announces itself through the hub's own app.announced.
    monkeypatch.setattr(app_module, "Advertiser", FakeAdvertiser)
    monkeypatch.setattr(FakeAdvertiser, "instances", [])
    monkeypatch.setattr(FakeAdvertiser, "fail", advertising_fails)
    settings = demo_settings(tmp_path)
    settings.zeroconf = True
    stop = asyncio.Event()
    server = asyncio.create_task(
        run_demo_server(settings, None, stop, ManualClock(START))
    )
    out = ""
    try:
        # A bound for a loaded machine, not a speed target: seeding writes
        # a whole neighbourhood.
        async with asyncio.timeout(90):
            while "serving on" not in out:
                await asyncio.sleep(0.02)
                out += capsys.readouterr().out
    finally:
        stop.set()
        await asyncio.wait_for(server, 30)
    lines = out.splitlines()
    assert lines[0].startswith("Demo neighbourhood seeded (seed ")
    assert lines[1].startswith(f"Agency API key for {AGENCY_NAME}")
    assert lines[2].startswith("Demo pairing code for Demo home")
    assert lines[3].startswith(f"Private identity of {AGENCY_NAME}")
    identity = Path(lines[3].rsplit(" ", 1)[1])
    assert identity == tmp_path / "hub" / f"hub{FILE_SUFFIX}"  # beside the database
    mode = (await asyncio.to_thread(identity.stat)).st_mode
    assert mode & 0o777 == 0o600
    assert lines[4].startswith("Agency portal: http://127.0.0.1:")
    assert lines[4].split()[2].endswith("/agency/")
    assert lines[5].startswith("Porchlight hub serving on http://127.0.0.1:")
    (advertiser,) = FakeAdvertiser.instances
    assert advertiser.stopped is not advertising_fails


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_serve_demo_command(tmp_path: Path) -> None:
    port = free_port()
    proc = await asyncio.create_subprocess_exec(
        *COMMAND,
        *("serve", "--demo", "--seed", "4", "--port", str(port), "--no-zeroconf"),
        *("--db", f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"),
        *("--media", str(tmp_path / "media")),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
        env=clean_env(),
    )
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(60):
            while "serving on" not in (lines or [""])[-1]:
                line = (await proc.stdout.readline()).decode()
                assert line, "serve --demo exited early"
                lines.append(line.strip())
        assert lines[0].startswith("Demo neighbourhood seeded (seed 4)")
        key = lines[1].rsplit(" ", 1)[1]
        code = lines[2].rsplit(" ", 1)[1]
        url = f"http://127.0.0.1:{port}/api/v1"
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{url}/pair", json={"code": code}) as resp:
                assert resp.status == 200, await resp.text()
            async with session.get(
                f"{url}/agency/requests", headers={"Authorization": f"Bearer {key}"}
            ) as resp:
                body = await resp.json()
        assert resp.status == 200
        assert body["count"] == 4  # the history; the first live one comes later
        proc.send_signal(signal.SIGINT)
        async with asyncio.timeout(30):
            _, err = await proc.communicate()
        assert proc.returncode == 0, err
        assert key.encode() not in err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_demo_arguments(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = call_main(capsys, "serve", "--seed", "3")
    assert (code, out) == (2, "")
    assert "--seed only applies to --demo" in err
    code, out, err = call_main(capsys, "serve", "--demo", "--seed", "many")
    assert (code, out) == (2, "")
    assert "invalid int value: 'many'" in err

    seen: list[tuple[Settings, int | None]] = []

    async def fake_serve_demo(settings: Settings, seed: int | None) -> None:
        seen.append((settings, seed))

    monkeypatch.setattr(demo_module, "serve_demo", fake_serve_demo)
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'demo.db'}"
    args = ("serve", "--demo", "--db", db_url, "--port", "9998", "--no-zeroconf")
    assert call_main(capsys, *args, "--seed", "12")[0] == 0
    assert call_main(capsys, *args)[0] == 0
    (settings, seed), (_, no_seed) = seen
    assert (settings.db_url, settings.port, settings.zeroconf) == (
        db_url,
        9998,
        False,
    )
    assert (seed, no_seed) == (12, None)
