"""The demo's machinery: calling the hub, seeding it once, and its schedule.

:class:`DemoBase` knows how to act through the hub's API and when; what the
neighbours and the agency actually do lives in :mod:`.activity`.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import logging
import math
import random
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import func, insert, select, update
from yarl import URL

from .. import admin, db
from ..agency_keys import AgencyIdentity
from ..clock import Clock
from ..context import Hub
from ..demo_keys import identity_path, load_or_create, match_keys, unfix_location
from ..security import hash_secret, new_token
from ..sweeper import sweep
from .content import (
    AGENCY_KIND,
    AGENCY_NAME,
    ALERT_HISTORY,
    CATCH_UP,
    DEMO_HOME_NAME,
    DEMO_LATITUDE,
    DEMO_LONGITUDE,
    HISTORY_REQUESTS,
    HISTORY_SPAN,
    LIVELY,
    NEIGHBOURS,
    QUIET,
    STATE_KEY,
    STREETS,
    Event,
    Tempo,
    offset,
)

_LOGGER = logging.getLogger("porchlight_hub.demo")


class DemoClock:
    """The hub's clock, which the demo can hold at a past moment.

    History is posted through the API so that the hub's rules check it, and
    the rules read time from this clock: pinning it at each past moment makes
    a three-day-old alert a real three-day-old alert. It is pinned only while
    a fresh database is seeded, before anyone can have paired.
    """

    def __init__(self, base: Clock) -> None:
        self.base = base
        self.pinned: datetime | None = None

    def now(self) -> datetime:
        """The pinned moment, else the base clock's time."""
        return self.base.now() if self.pinned is None else self.pinned


@dataclass(slots=True)
class Neighbour:
    """A demo home the demo speaks for."""

    home_id: str
    name: str
    latitude: float
    longitude: float
    token: str = ""


@dataclass(slots=True)
class DemoStart:
    """What a developer needs from a started demo; shown once."""

    seed: int
    fresh: bool
    home_id: str
    pairing_code: str
    agency_key: str
    neighbours: int
    identity_path: str


class DemoBase:
    """Seeds the neighbourhood once and runs its schedule on the hub's clock."""

    def __init__(
        self,
        hub: Hub,
        clock: DemoClock,
        url: URL,
        session: aiohttp.ClientSession,
        seed: int,
    ) -> None:
        self.hub = hub
        self.clock = clock
        self.url = url
        self.session = session
        self.seed = seed
        self.home_id = ""
        self.agency_id = ""
        self.agency_key = ""
        self.identity_file = identity_path(hub.settings)
        self.identity: AgencyIdentity = load_or_create(self.identity_file)[0]
        self.neighbours: list[Neighbour] = []
        # The latest problems, for a test to assert on; never growing unbounded.
        self.failures: deque[str] = deque(maxlen=100)
        self._rng = random.Random(seed)  # noqa: S311 - content, not secrets
        self._tempo = LIVELY
        # History is seeded in a burst; only the live activity is worth a line.
        self._level = logging.INFO
        self._events: list[Event] = []
        self._seq = 0
        self._cases = 0
        # Recent cases with one request so far: (incident, description).
        self._open_cases: dict[str, tuple[str, str]] = {}

    # --- Calling the hub ---------------------------------------------------

    async def _call(
        self,
        method: str,
        path: str,
        secret: str | None = None,
        body: Any = None,
        *,
        ok: tuple[int, ...] = (200, 201),
        params: dict[str, str] | None = None,
    ) -> Any:
        """One API call; an unexpected answer is recorded, never raised."""
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        try:
            async with self.session.request(
                method,
                self.url.with_path(path),
                json=body,
                headers=headers,
                params=params,
            ) as resp:
                answer = await resp.json(content_type=None)
                if resp.status in ok:
                    return answer
                problem = f"{method} {path}: {resp.status} {answer}"
        except (aiohttp.ClientError, ValueError) as err:
            problem = f"{method} {path}: {err!r}"
        _LOGGER.warning("Demo: %s", problem)
        self.failures.append(problem)
        return None

    async def _pair(self, home_id: str) -> str:
        """Pair a neighbour the way a home does: a code, then ``POST /pair``."""
        code = await admin.new_home_code(self.hub.engine, home_id, clock=self.clock)
        paired = await self._call("POST", "/api/v1/pair", body={"code": code})
        return str(paired["token"]) if paired else ""

    # --- Seeding -----------------------------------------------------------

    async def _load_state(self) -> dict[str, Any] | None:
        async with self.hub.engine.connect() as conn:
            found = (
                await conn.execute(
                    select(db.meta.c.value).where(db.meta.c.key == STATE_KEY)
                )
            ).scalar_one_or_none()
        return None if found is None else dict(json.loads(found))

    async def _save_state(self, state: dict[str, Any], *, new: bool) -> None:
        value = json.dumps(state, sort_keys=True)
        meta = db.meta
        async with self.hub.engine.begin() as conn:
            if new:
                await conn.execute(insert(meta).values(key=STATE_KEY, value=value))
            else:
                await conn.execute(
                    update(meta).where(meta.c.key == STATE_KEY).values(value=value)
                )

    async def _create(self) -> dict[str, Any]:
        """The homes and the agency, added as an operator adds them."""
        rng, engine, clock = self._rng, self.hub.engine, self.clock
        home = await admin.add_home(
            engine, DEMO_HOME_NAME, DEMO_LATITUDE, DEMO_LONGITUDE, clock=clock
        )
        neighbours = []
        for index in range(NEIGHBOURS):
            # Half close enough to share the agency's circles, half further out.
            distance = rng.uniform(80, 450) if index % 2 else rng.uniform(450, 1200)
            lat, lon = offset(
                DEMO_LATITUDE, DEMO_LONGITUDE, distance, rng.uniform(0, 2 * math.pi)
            )
            name = f"{rng.randint(100, 1999)} {rng.choice(STREETS)}"
            new = await admin.add_home(engine, name, lat, lon, clock=clock)
            neighbours.append(
                {
                    "home_id": new.home_id,
                    "name": name,
                    "latitude": lat,
                    "longitude": lon,
                }
            )
        identity = self.identity
        agency = await admin.add_agency(
            engine,
            AGENCY_NAME,
            AGENCY_KIND,
            recipient=identity.recipient,
            signing_key=identity.signing_key,
            clock=clock,
        )
        self.agency_key = agency.api_key
        return {
            "seed": self.seed,
            "home_id": home.home_id,
            "agency_id": agency.agency_id,
            "neighbours": neighbours,
            "starts": 0,
        }

    async def _new_agency_key(self) -> str:
        """Keys are stored only as hashes, so a restarted demo issues a new one."""
        key = new_token()
        async with self.hub.engine.begin() as conn:
            await conn.execute(
                update(db.agencies)
                .where(db.agencies.c.id == self.agency_id)
                .values(key_hash=hash_secret(key))
            )
        return key

    async def start(self) -> DemoStart:
        """Seed a fresh database (or pick up a seeded one) and plan activity."""
        state = await self._load_state()
        fresh = state is None
        if state is None:
            self.clock.pinned = self.clock.base.now() - HISTORY_SPAN
            state = await self._create()
            await self._save_state(state, new=True)
        self.home_id = state["home_id"]
        self.agency_id = state["agency_id"]
        if not fresh:
            self.agency_key = await self._new_agency_key()
            await match_keys(self.hub.engine, self.agency_id, self.identity, self.clock)
        self.neighbours = [Neighbour(**n) for n in state["neighbours"]]
        # Tokens too are stored only as hashes: every start pairs anew.
        for neighbour in self.neighbours:
            neighbour.token = await self._pair(neighbour.home_id)
        r = db.requests
        async with self.hub.engine.connect() as conn:
            self._cases = (
                await conn.execute(
                    select(func.count(func.distinct(r.c.case_number))).where(
                        r.c.agency_id == self.agency_id
                    )
                )
            ).scalar_one()
        if fresh:
            await self._history()
        state["starts"] += 1
        await self._save_state(state, new=False)
        # Each start plays on differently; the same seed and state, the same play.
        self._rng = random.Random(f"{self.seed}:{state['starts']}")  # noqa: S311
        self._plan(LIVELY, self.clock.now())
        code = await admin.new_home_code(
            self.hub.engine, self.home_id, clock=self.clock
        )
        await unfix_location(self.hub.engine, self.home_id)
        return DemoStart(
            seed=self.seed,
            fresh=fresh,
            home_id=self.home_id,
            pairing_code=code,
            agency_key=self.agency_key,
            neighbours=len(self.neighbours),
            identity_path=str(self.identity_file),
        )

    async def _history(self) -> None:
        """A few quiet days, posted with the clock held at each past moment."""
        end = self.clock.base.now()
        self._plan(QUIET, end - ALERT_HISTORY)
        for days, withdrawn in HISTORY_REQUESTS:
            self._schedule(end - timedelta(days=days), "request", str(withdrawn))
        try:
            while self._events and self._events[0][0] < end:
                due, _, action, args = heapq.heappop(self._events)
                self.clock.pinned = due
                await self._dispatch(action, args, due)
        finally:
            self.clock.pinned = None
            self._events.clear()
        # Requests older than the expiry end now, as they would have.
        await sweep(self.hub)

    # --- Scheduling --------------------------------------------------------

    def _schedule(self, due: datetime, action: str, *args: str) -> None:
        self._seq += 1
        heapq.heappush(self._events, (due, self._seq, action, args))

    def _after(self, base: datetime, bounds: tuple[float, float]) -> datetime:
        return base + timedelta(seconds=round(self._rng.uniform(*bounds), 1))

    def _plan(self, tempo: Tempo, now: datetime) -> None:
        self._tempo = tempo
        self._level = logging.INFO if tempo is LIVELY else logging.DEBUG
        self._schedule(self._after(now, (5, 40)), "alert")
        self._schedule(self._after(now, (300, 900)), "police_alert")
        self._schedule(self._after(now, tempo.decline), "decline")
        if tempo.request is not None:
            self._schedule(self._after(now, (60, 120)), "request", "")

    def next_due(self) -> datetime | None:
        """When the next planned event is due."""
        return self._events[0][0] if self._events else None

    async def run_due(self) -> int:
        """Carry out every event that is due; returns how many ran."""
        now = self.clock.now()
        ran = 0
        while self._events and self._events[0][0] <= now:
            due, _, action, args = heapq.heappop(self._events)
            # After a long stall (a laptop asleep), resume instead of bursting.
            await self._dispatch(action, args, max(due, now - CATCH_UP))
            ran += 1
        return ran

    async def run(self, stop: asyncio.Event, poll_s: float = 5.0) -> None:
        """Keep the neighbourhood lively until ``stop`` is set."""
        while not stop.is_set():
            try:
                await self.run_due()
            except Exception:
                _LOGGER.exception("Demo activity failed; carrying on")
            delay = poll_s
            due = self.next_due()
            if due is not None:
                delay = min(poll_s, (due - self.clock.now()).total_seconds())
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(max(delay, 0.01)):
                    await stop.wait()

    async def _dispatch(
        self, action: str, args: tuple[str, ...], due: datetime
    ) -> None:
        """Carry out one planned event; the activity subclass says how."""
        raise NotImplementedError
