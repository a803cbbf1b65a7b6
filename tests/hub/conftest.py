"""A real hub on 127.0.0.1 for the hub's tests, driven only over HTTP/WebSocket.

Operators' setup (adding homes and agencies) goes through the same admin
functions the command line uses; everything a home or an agency does goes
through the API. Time is a :class:`ManualClock`, so retention and expiry are
tested by moving time, never by sleeping.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func, select

from porchlight_hub import admin, db, signing
from porchlight_hub.agecrypt import MAGIC
from porchlight_hub.agency_keys import AgencyIdentity
from porchlight_hub.api import transparency as api_transparency
from porchlight_hub.app import running_hub
from porchlight_hub.clock import ManualClock
from porchlight_hub.context import HUB
from porchlight_hub.geo import METRES_PER_DEGREE_LAT
from porchlight_hub.settings import Settings

START = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
CENTRE = (52.3700, 4.8900)
SEALED = "application/age"
REQUESTS_PATH = "/api/v1/agency/requests"


def offset(
    lat: float, lon: float, north_m: float = 0.0, east_m: float = 0.0
) -> tuple[float, float]:
    """A point ``north_m`` and ``east_m`` metres away (flat-earth, fine at 1 km)."""
    import math

    dlat = north_m / METRES_PER_DEGREE_LAT
    dlon = east_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def iso(when: datetime) -> str:
    return when.isoformat()


def clip_bytes(size: int, seed: int = 0) -> bytes:
    """Deterministic, non-repeating bytes shaped like a sealed clip.

    They start with age's version line, which is all the hub can check of a
    sealed clip (it cannot open one); tests of real sealing use agecrypt.
    """
    out = bytearray(MAGIC)
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


@dataclass
class Stream:
    """A home's WebSocket with helpers to wait for a message type."""

    ws: aiohttp.ClientWebSocketResponse
    seen: list[dict[str, Any]] = field(default_factory=list)

    async def next(self, type_: str, wait: float = 5.0) -> dict[str, Any]:
        """The next message of this type (heartbeats and others are kept in seen)."""
        async with asyncio.timeout(wait):
            while True:
                msg = await self.ws.receive()
                if msg.type != aiohttp.WSMsgType.TEXT:
                    raise AssertionError(f"stream ended: {msg!r}")
                data = json.loads(msg.data)
                self.seen.append(data)
                if data["type"] == type_:
                    return data

    async def nothing(self, type_: str, wait: float = 0.3) -> None:
        """Assert no message of this type arrives within ``wait`` seconds."""
        with contextlib.suppress(TimeoutError):
            msg = await self.next(type_, wait=wait)
            raise AssertionError(f"unexpected {type_}: {msg}")


def sign_request(body: Any, identity: AgencyIdentity, agency_id: str) -> Any:
    """A copy of ``body`` with a fresh nonce and the agency's signature.

    Bodies that already carry a signature (or are not objects) pass as they
    are, so a test can send a forged or unsigned one on purpose.
    """
    if not isinstance(body, dict) or "signature" in body:
        return body
    signed = {**body, "nonce": body.get("nonce") or signing.new_nonce()}
    try:
        signed["signature"] = identity.sign(signing.signed_object(signed, agency_id))
    except signing.SigningError:
        return body  # a value JSON canonicalisation refuses: the hub will too
    return signed


@dataclass
class Client:
    """A home or an agency speaking to the hub with its secret.

    An agency's client holds its private keys and signs every request it
    posts, as ``porchlight-agency request`` does.
    """

    hub: HubHarness
    secret: str
    id: str = ""
    identity: AgencyIdentity | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.secret}"}

    async def call(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        data: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        """Call the API; returns (status, parsed JSON or raw bytes)."""
        if self.identity is not None and (method, path) == ("POST", REQUESTS_PATH):
            json_body = sign_request(json_body, self.identity, self.id)
        return await self.hub.call(
            method,
            path,
            json_body,
            data=data,
            headers={**self.headers, **(headers or {})},
            params=params,
        )

    async def stream(self) -> Stream:
        ws = await self.hub.session.ws_connect(
            f"{self.hub.url}/api/v1/stream", headers=self.headers
        )
        self.hub.sockets.append(ws)
        return Stream(ws)


def _join_sqlite_threads(budget: float = 3.0) -> None:
    """Wait (a bounded while) for closed aiosqlite connections' threads to end.

    A closed connection's worker thread finishes a moment after the close
    returns; the harness fails a test that leaves a thread behind, so on a
    loaded machine the moment matters. Threads of connections still open
    elsewhere (another hub in the same test) just use up the budget.
    """
    deadline = time.monotonic() + budget
    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            thread.join(max(0.0, deadline - time.monotonic()))


@dataclass
class HubHarness:
    """The running hub, its clock and a client session."""

    tmp: Path
    clock: ManualClock
    settings: Settings
    session: aiohttp.ClientSession
    url: str = ""
    runner: Any = None
    sockets: list[aiohttp.ClientWebSocketResponse] = field(default_factory=list)
    _ctx: Any = None

    async def start(self) -> None:
        self._ctx = running_hub(self.settings, self.clock)
        self.runner, port = await self._ctx.__aenter__()
        self.url = f"http://127.0.0.1:{port}"
        self.settings.port = port

    async def stop(self) -> None:
        for ws in self.sockets:
            await ws.close()
        self.sockets.clear()
        if self._ctx is not None:
            await self._ctx.__aexit__(None, None, None)
            self._ctx = None
            await asyncio.to_thread(_join_sqlite_threads)

    async def restart(self) -> None:
        """Stop and start again on the same database, media and port."""
        await self.stop()
        await self.start()

    @property
    def engine(self) -> Any:
        return self.runner.app[HUB].engine

    @property
    def media(self) -> Path:
        return self.settings.media_dir

    async def reached(self, request_id: str) -> int:
        """How many homes a request reached, as the operator's database says.

        Agencies and the public see only k-anonymous counts ("<5"), so tests
        that need the exact number ask the hub's own records.
        """
        d = db.deliveries
        async with self.engine.connect() as conn:
            found = await conn.execute(
                select(func.count()).where(d.c.request_id == request_id)
            )
            return int(found.scalar_one())

    async def counts(self) -> dict[str, dict[str, Any]]:
        """The transparency figures by agency name, exact (before "<5").

        The report publishes small counts as "<5"; tests of the counting
        itself read the figures it is made from.
        """
        raw = await api_transparency.raw_counts(self.runner.app[HUB])
        return {entry["agency"]: entry for entry in raw.values()}

    async def totals(self) -> dict[str, int]:
        """The report's totals, exact."""
        per = (await self.counts()).values()
        keys = (*api_transparency.EXACT, *api_transparency.FROM_HOMES)
        return {key: sum(int(entry[key]) for entry in per) for key in keys}

    async def decisions(self, request_id: str) -> dict[str, int]:
        """Shares and declines of one request, from the hub's own records."""
        d = db.deliveries
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                select(d.c.decision, func.count())
                .where(d.c.request_id == request_id, d.c.decision.is_not(None))
                .group_by(d.c.decision)
            )
            counts = {str(k): int(v) for k, v in rows.tuples()}
        return {"share": counts.get("share", 0), "decline": counts.get("decline", 0)}

    async def call(
        self,
        method: str,
        path: str,
        json_body: Any = None,
        *,
        data: Any = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"headers": headers or {}, "params": params}
        if json_body is not None:
            kwargs["json"] = json_body
        elif data is not None:
            kwargs["data"] = data
        async with self.session.request(method, f"{self.url}{path}", **kwargs) as resp:
            raw = await resp.read()
            if resp.content_type == "application/json":
                return resp.status, json.loads(raw)
            return resp.status, raw

    async def add_home(
        self, name: str = "Home", lat: float = CENTRE[0], lon: float = CENTRE[1]
    ) -> Client:
        """Register a home as the operator would, then pair it over HTTP."""
        new = await admin.add_home(self.engine, name, lat, lon, clock=self.clock)
        status, body = await self.call(
            "POST", "/api/v1/pair", {"code": new.pairing_code}
        )
        assert status == 200, body
        return Client(self, body["token"], body["home_id"])

    async def add_agency(
        self, name: str = "City Police", kind: str = "police"
    ) -> Client:
        """Register an agency with fresh keys, as the operator would."""
        identity = AgencyIdentity.generate()
        new = await admin.add_agency(
            self.engine,
            name,
            kind,
            recipient=identity.recipient,
            signing_key=identity.signing_key,
            clock=self.clock,
        )
        return Client(self, new.api_key, new.agency_id, identity)

    def request_body(self, **overrides: Any) -> dict[str, Any]:
        """A request that satisfies every rule, centred on CENTRE."""
        now = self.clock.now()
        body: dict[str, Any] = {
            "case_number": "2026-0042",
            "incident_type": "burglary",
            "description": "Break-in on Elm Street",
            "contact": "Det. Smith, 555-0100",
            "window_start": iso(now - timedelta(hours=3)),
            "window_end": iso(now - timedelta(hours=1)),
            "area": {"latitude": CENTRE[0], "longitude": CENTRE[1], "radius_m": 400},
        }
        body.update(overrides)
        return body


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[HubHarness]:
    """A started hub on loopback with a manual clock."""
    settings = Settings(
        db_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}",
        media_dir=tmp_path / "media",
        host="127.0.0.1",
        port=0,
        zeroconf=False,
        sweep_interval_s=0.05,
        heartbeat_s=30,
    )
    async with aiohttp.ClientSession() as session:
        harness = HubHarness(tmp_path, ManualClock(START), settings, session)
        await harness.start()
        try:
            yield harness
        finally:
            await harness.stop()


# --- Helpers for the share, retention, restart and stream tests -------------


def clip_entry(
    clip_id: str,
    data: bytes,
    when: datetime,
    content_type: str = SEALED,
    camera: str = "Front door",
    inner_content_type: str = "video/mp4",
) -> dict[str, Any]:
    """A manifest entry for ``data`` recorded at ``when`` (10 s long).

    ``data`` is what is uploaded: for a sealed clip, the ciphertext.
    """
    entry = {
        "clip_id": clip_id,
        "camera": camera,
        "start": iso(when),
        "end": iso(when + timedelta(seconds=10)),
        "content_type": content_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    if content_type == SEALED:
        entry["inner_content_type"] = inner_content_type
        entry["plaintext_sha256"] = hashlib.sha256(b"plain:" + data).hexdigest()
    return entry


async def open_request(
    hub: HubHarness, agency: Client, **overrides: Any
) -> dict[str, Any]:
    """Post a valid request (overridable) and return it."""
    status, body = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body(**overrides)
    )
    assert status == 201, body
    return dict(body)


_KEYS = iter(range(1, 1_000_000))


async def make_share(
    hub: HubHarness,
    home: Client,
    request_id: str,
    clips: dict[str, bytes],
    *,
    retention_days: int | None = None,
    content_type: str = SEALED,
) -> dict[str, Any]:
    """Decide ``share`` on a delivered request with one manifest entry per clip."""
    when = hub.clock.now() - timedelta(hours=2)
    body: dict[str, Any] = {
        "decision": "share",
        "idempotency_key": f"test-key-{next(_KEYS):06d}",
        "clips": [
            clip_entry(cid, data, when, content_type) for cid, data in clips.items()
        ],
    }
    if retention_days is not None:
        body["retention_days"] = retention_days
    status, share = await home.call(
        "POST", f"/api/v1/requests/{request_id}/decision", body
    )
    assert status == 200, share
    return dict(share)


async def upload(
    home: Client,
    share_id: str,
    clip_id: str,
    data: Any,
    content_type: str = SEALED,
) -> tuple[int, Any]:
    """PUT a clip's bytes (or an async generator, sent chunked)."""
    return await home.call(
        "PUT",
        f"/api/v1/shares/{share_id}/clips/{clip_id}",
        data=data,
        headers={"Content-Type": content_type},
    )


async def shared_clip(
    hub: HubHarness,
    home: Client,
    agency: Client,
    data: bytes,
    *,
    clip_id: str = "c1",
    retention_days: int | None = None,
    **request_overrides: Any,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Request, share one clip and upload it; returns (request, share)."""
    req = await open_request(hub, agency, **request_overrides)
    share = await make_share(
        hub, home, req["id"], {clip_id: data}, retention_days=retention_days
    )
    status, body = await upload(home, share["share_id"], clip_id, data)
    assert status == 201, body
    return req, share


def files_under(path: Path) -> list[Path]:
    """Every regular file below ``path`` (none if it does not exist)."""
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


class HubMaker:
    """Starts hubs with tuned settings; all are stopped when the test ends."""

    def __init__(self, tmp: Path, session: aiohttp.ClientSession) -> None:
        self.tmp = tmp
        self.session = session
        self.started: list[HubHarness] = []

    async def __call__(self, **overrides: Any) -> HubHarness:
        base = self.tmp / f"tuned-{len(self.started)}"
        base.mkdir(parents=True, exist_ok=True)
        values: dict[str, Any] = {
            "db_url": f"sqlite+aiosqlite:///{base / 'hub.db'}",
            "media_dir": base / "media",
            "host": "127.0.0.1",
            "port": 0,
            "zeroconf": False,
            "sweep_interval_s": 0.05,
            "heartbeat_s": 30,
        }
        values.update(overrides)
        harness = HubHarness(base, ManualClock(START), Settings(**values), self.session)
        await harness.start()
        self.started.append(harness)
        return harness


@pytest.fixture
async def tuned_hub(tmp_path: Path) -> AsyncIterator[HubMaker]:
    """A factory for hubs with overridden settings, e.g. ``max_clip_bytes``.

    ``await tuned_hub(max_clip_bytes=65536)`` returns a started ``HubHarness``.
    """
    async with aiohttp.ClientSession() as session:
        maker = HubMaker(tmp_path, session)
        try:
            yield maker
        finally:
            for harness in maker.started:
                await harness.stop()


# --- Raw responses, for headers and byte-exact bodies ------------------------


@dataclass
class RawResponse:
    """Status, headers and the unparsed body of one call."""

    status: int
    headers: dict[str, str]
    body: bytes
    content_type: str

    def json(self) -> Any:
        return json.loads(self.body)


async def call_raw(
    hub: HubHarness,
    method: str,
    path: str,
    *,
    data: Any = None,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
) -> RawResponse:
    """Call the hub without parsing: for Retry-After, Allow and byte equality."""
    async with hub.session.request(
        method, f"{hub.url}{path}", data=data, headers=headers or {}, params=params
    ) as resp:
        return RawResponse(
            resp.status, dict(resp.headers), await resp.read(), resp.content_type
        )
