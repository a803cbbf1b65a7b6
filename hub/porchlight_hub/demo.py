"""The demo neighbourhood of ``porchlight-hub serve --demo`` (DESIGN.md §5).

A newcomer decides in minutes whether Porchlight is real, so the demo hub
must feel inhabited: neighbours post and discuss alerts, an agency asks for
footage of the last half hour around the demo home, withdraws some requests,
and old ones expire. Every one of those actions goes through the hub's own
admin functions and HTTP API, so the demo obeys the rules of §2.3 like any
real agency or neighbour would; a broken rule shows up as a failure, never as
data a real hub could not hold.

The demo runs on the hub's clock: a test drives it with a ``ManualClock``, and
the few days of history are posted with the clock held at each past moment.
The same seed on a fresh database gives the same neighbourhood and the same
activity; a restart on the same database re-seeds nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import json
import logging
import math
import random
import secrets
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import aiohttp
from sqlalchemy import func, insert, select, update
from yarl import URL

from . import admin, db, signing
from .agency_keys import AgencyIdentity
from .app import announced, run_until_signalled, running_hub
from .clock import Clock, SystemClock
from .context import HUB, Hub
from .demo_keys import identity_path, load_or_create, match_keys, unfix_location
from .geo import METRES_PER_DEGREE_LAT
from .security import hash_secret, new_token
from .settings import Settings
from .sweeper import sweep

_LOGGER = logging.getLogger(__name__)

# The demo home; config/configuration.yaml puts Home Assistant's home here too.
DEMO_LATITUDE = 41.8881
DEMO_LONGITUDE = -87.7898
DEMO_HOME_NAME = "Demo home"
AGENCY_NAME = "Elm Park Police Department"
AGENCY_KIND = "police"
CONTACT = "Officer J. Rivera, Elm Park PD, 555-0147"
NEIGHBOURS = 12
STATE_KEY = "demo"

HISTORY_SPAN = timedelta(days=20)
ALERT_HISTORY = timedelta(days=3)
# (days before the start, withdrawn): the oldest outlives the 14-day expiry.
HISTORY_REQUESTS = ((16.0, False), (9.0, True), (4.0, False), (1.5, False))
CATCH_UP = timedelta(minutes=5)
WITHDRAW_CHANCE = 0.25
FOLLOW_UP_CHANCE = 0.2
COMMENT_CHANCE = 0.3
OPEN_CASES = 10

STREETS = (
    "Maple Avenue",
    "Elm Street",
    "Linden Court",
    "Chestnut Avenue",
    "Cedar Lane",
    "Birch Road",
    "Walnut Street",
    "Hawthorne Drive",
    "Willow Way",
    "Juniper Court",
)
PETS = ("Biscuit", "Luna", "Milo", "Pepper", "Rosie", "Toby", "Ziggy", "Mochi")
COLOURS = ("grey", "black", "ginger", "white", "brown", "tabby")

# Category: (weight, ((title, description), ...)); {street} {pet} {colour}.
ALERTS: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {
    "crime": (
        3,
        (
            (
                "Car broken into on {street}",
                "Passenger window smashed overnight; a bag was taken from the"
                " back seat. Police report filed.",
            ),
            (
                "Parcel taken from a porch on {street}",
                "Delivered at lunchtime, gone twenty minutes later.",
            ),
            ("Bike stolen from a garage on {street}", "A {colour} road bike."),
        ),
    ),
    "suspicious": (
        3,
        (
            (
                "Someone trying car doors on {street}",
                "Two people walking down the street pulling door handles.",
            ),
            (
                "Van circling {street} slowly",
                "White van, no markings, passed four times in an hour.",
            ),
            ("Person checking porches on {street}", "Left when a light came on."),
        ),
    ),
    "safety": (
        2,
        (
            ("Streetlight out on {street}", "The corner is completely dark."),
            ("Downed branch blocking {street}", "Take care cycling after dark."),
            ("Loose manhole cover on {street}", "Reported to the city."),
        ),
    ),
    "lost_pet": (
        2,
        (
            (
                "Lost cat: {pet}",
                "{colour} cat, very shy, last seen near {street}.",
            ),
            ("Lost dog: {pet}", "Small {colour} terrier, friendly, has a collar."),
        ),
    ),
    "found_pet": (
        1,
        (
            (
                "Found: friendly dog near {street}",
                "{colour} dog with a red collar, now safe in our yard.",
            ),
            ("Found: cat on {street}", "{colour} cat, no collar, seems well fed."),
        ),
    ),
    "fire": (
        1,
        (
            ("Smoke smell near {street}", "Fire department is on the way."),
            ("Grill fire on {street}", "Out now, nobody hurt."),
        ),
    ),
    "community": (
        3,
        (
            ("Block party Saturday on {street}", "Bring a dish; kids welcome."),
            ("Free lawnmower at the curb on {street}", "Works, needs a new blade."),
            ("Keys found on {street}", "A set with a blue fob; message to claim."),
            ("Street cleaning on {street} tomorrow", "Move cars by 8 am."),
        ),
    ),
}
COMMENTS: dict[str, tuple[str, ...]] = {
    "crime": ("Same on our block last week.", "Thanks, checking our cameras."),
    "suspicious": ("Saw them too, around 9.", "Thanks for the heads-up."),
    "safety": ("Reported it to the city as well.", "Thanks, will take care."),
    "lost_pet": ("Will keep an eye out.", "Shared with our street's group."),
    "found_pet": ("Looks like the Parkers' dog!", "Thank you for taking care."),
    "fire": ("Glad everyone is fine.", "Could smell it from here."),
    "community": ("We'll be there!", "Great idea."),
}
POLICE_ALERTS = (
    (
        "Road closed on {street} for an investigation",
        "Expect the closure until this evening; use Elm Street instead.",
    ),
    (
        "Scam calls impersonating officers",
        "We never ask for payment by phone. Hang up and call the station.",
    ),
    (
        "Community meeting at the station on Thursday",
        "Talk to your beat officers about parcel thefts in the area.",
    ),
)
INCIDENTS = (
    (
        "package_theft",
        "A parcel was taken from a porch on {street}. Looking for anyone on"
        " foot or a vehicle stopping briefly.",
    ),
    (
        "vehicle_crime",
        "Cars were entered on {street}. Looking for people walking between"
        " parked cars.",
    ),
    (
        "burglary",
        "A house on {street} was entered through a back door. Looking for"
        " anyone leaving the area carrying bags.",
    ),
    (
        "vandalism",
        "Windows were broken on {street}. Looking for a group passing on foot.",
    ),
    (
        "hit_and_run",
        "A parked car was struck on {street} and the driver left. Looking for"
        " a dark sedan with front damage.",
    ),
    (
        "missing_person",
        "An elderly resident walked away from home on {street}. Footage of"
        " anyone passing on foot helps us trace the route.",
    ),
    ("theft", "A bicycle was taken from a front yard on {street}."),
)


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


def offset(
    lat: float, lon: float, distance: float, bearing: float
) -> tuple[float, float]:
    """The point ``distance`` metres away along ``bearing`` (radians from north)."""
    dlat = distance * math.cos(bearing) / METRES_PER_DEGREE_LAT
    dlon = (
        distance
        * math.sin(bearing)
        / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat)))
    )
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _fill(text: str, rng: random.Random) -> str:
    filled = text.format(
        street=rng.choice(STREETS), pet=rng.choice(PETS), colour=rng.choice(COLOURS)
    )
    return filled[:1].upper() + filled[1:]


@dataclass(frozen=True, slots=True)
class Tempo:
    """Seconds between events of each kind, as (low, high) bounds."""

    alert: tuple[float, float]
    police_alert: tuple[float, float]
    decline: tuple[float, float]
    comment: tuple[float, float]
    withdraw: tuple[float, float]
    request: tuple[float, float] | None


# Live: an alert every minute or so, a request every few minutes.
LIVELY = Tempo(
    alert=(40, 100),
    police_alert=(900, 1800),
    decline=(120, 420),
    comment=(30, 240),
    withdraw=(240, 900),
    request=(120, 210),
)
HOUR = 3600.0
# History: a quiet few days; its requests are a fixed list.
QUIET = Tempo(
    alert=(0.75 * HOUR, 2.5 * HOUR),
    police_alert=(12 * HOUR, 36 * HOUR),
    decline=(6 * HOUR, 30 * HOUR),
    comment=(600, 5400),
    withdraw=(6 * HOUR, 30 * HOUR),
    request=None,
)

Event = tuple[datetime, int, str, tuple[str, ...]]


class Demo:
    """Seeds the neighbourhood once, then keeps it lively on the hub's clock."""

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
        tempo = self._tempo
        if action == "alert":
            self._schedule(self._after(due, tempo.alert), "alert")
            await self._neighbour_alert(due)
        elif action == "police_alert":
            self._schedule(self._after(due, tempo.police_alert), "police_alert")
            await self._police_alert()
        elif action == "decline":
            self._schedule(self._after(due, tempo.decline), "decline")
            await self._decline()
        elif action == "comment":
            await self._comment(*args)
        elif action == "request":
            if tempo.request is not None:
                self._schedule(self._after(due, tempo.request), "request", "")
            await self._request(due, withdraw=args[0] == "True")
        elif action == "withdraw":
            await self._call(
                "POST",
                f"/api/v1/agency/requests/{args[0]}/withdraw",
                self.agency_key,
                ok=(200, 409),
            )

    # --- What the neighbours and the agency do -----------------------------

    async def _neighbour_alert(self, due: datetime) -> None:
        rng = self._rng
        author = rng.randrange(len(self.neighbours))
        neighbour = self.neighbours[author]
        categories = list(ALERTS)
        category = rng.choices(categories, [ALERTS[c][0] for c in categories])[0]
        title, description = rng.choice(ALERTS[category][1])
        lat, lon = offset(
            neighbour.latitude,
            neighbour.longitude,
            rng.uniform(0, 150),
            rng.uniform(0, 2 * math.pi),
        )
        body = {
            "category": category,
            "title": _fill(title, rng),
            "description": _fill(description, rng),
            "latitude": lat,
            "longitude": lon,
        }
        posted = await self._call("POST", "/api/v1/alerts", neighbour.token, body)
        if posted is None:
            return
        _LOGGER.log(self._level, "Demo: a neighbour posted a %s alert", category)
        if rng.random() < COMMENT_CHANCE:
            when = self._after(due, self._tempo.comment)
            self._schedule(when, "comment", posted["id"], category, str(author))

    async def _comment(self, alert_id: str, category: str, author: str) -> None:
        rng = self._rng
        others = [n for i, n in enumerate(self.neighbours) if str(i) != author]
        body = {"text": rng.choice(COMMENTS[category])}
        path = f"/api/v1/alerts/{alert_id}/comments"
        await self._call("POST", path, rng.choice(others).token, body)

    async def _police_alert(self) -> None:
        rng = self._rng
        title, description = rng.choice(POLICE_ALERTS)
        lat, lon = offset(
            DEMO_LATITUDE,
            DEMO_LONGITUDE,
            rng.uniform(0, 800),
            rng.uniform(0, 2 * math.pi),
        )
        body = {
            "title": _fill(title, rng),
            "description": _fill(description, rng),
            "latitude": lat,
            "longitude": lon,
        }
        if await self._call("POST", "/api/v1/agency/alerts", self.agency_key, body):
            _LOGGER.log(self._level, "Demo: the agency posted an official alert")

    async def _home_location(self) -> tuple[float, float]:
        """Where the demo home is now: pairing may have moved it."""
        h = db.homes
        async with self.hub.engine.connect() as conn:
            row = (
                await conn.execute(
                    select(h.c.latitude, h.c.longitude).where(h.c.id == self.home_id)
                )
            ).one()
        return float(row[0]), float(row[1])

    def _case(
        self, when: datetime, incident: str, text: str
    ) -> tuple[str, str, str, bool]:
        """A new case, or now and then the second (and last) request of one.

        Returns the case number, its incident type, the description and
        whether the case is new.
        """
        if self._open_cases and self._rng.random() < FOLLOW_UP_CHANCE:
            case = list(self._open_cases)[-1]
            incident, text = self._open_cases.pop(case)
            return case, incident, f"Follow-up: {text}", False
        self._cases += 1
        return f"EPPD-{when.year}-{4100 + self._cases:05d}", incident, text, True

    async def _request(self, due: datetime, *, withdraw: bool) -> None:
        """Ask for footage around the demo home.

        A live request looks at the last half hour, ending a moment ago, so a
        ring of the demo doorbell a few minutes earlier has a clip in it.
        """
        rng = self._rng
        now = self.clock.now()
        incident, description = rng.choice(INCIDENTS)
        case, incident, text, new = self._case(now, incident, _fill(description, rng))
        live = self._tempo.request is not None
        if live:
            end = now - timedelta(seconds=rng.uniform(5, 60))
            start = end - timedelta(minutes=rng.uniform(30, 40))
        else:
            end = now - timedelta(hours=rng.uniform(1, 6))
            start = end - timedelta(minutes=rng.uniform(30, 180))
        radius = round(rng.uniform(250, 600), -1)
        home_lat, home_lon = await self._home_location()
        lat, lon = offset(
            home_lat,
            home_lon,
            rng.uniform(0, 0.45 * radius),
            rng.uniform(0, 2 * math.pi),
        )
        body = {
            "case_number": case,
            "incident_type": incident,
            "description": text,
            "contact": CONTACT,
            "window_start": start.replace(microsecond=0).isoformat(),
            "window_end": end.replace(microsecond=0).isoformat(),
            "area": {"latitude": lat, "longitude": lon, "radius_m": radius},
            "nonce": signing.new_nonce(),
        }
        body["signature"] = self.identity.sign(
            signing.signed_object(body, self.agency_id)
        )
        path = "/api/v1/agency/requests"
        made = await self._call("POST", path, self.agency_key, body)
        if made is None:
            return
        if new:
            self._open_cases[case] = (incident, text)
            if len(self._open_cases) > OPEN_CASES:
                del self._open_cases[next(iter(self._open_cases))]
        _LOGGER.log(
            self._level,
            "Demo: the agency asked %s homes for footage (%s, case %s)",
            made["homes_reached"],
            incident,
            case,
        )
        if withdraw or (live and rng.random() < WITHDRAW_CHANCE):
            when = self._after(due, self._tempo.withdraw)
            self._schedule(when, "withdraw", made["id"])

    async def _decline(self) -> None:
        """A neighbour says no to a request, as many do."""
        rng = self._rng
        neighbour = rng.choice(self.neighbours)
        listed = await self._call(
            "GET", "/api/v1/requests", neighbour.token, params={"status": "pending"}
        )
        now = self.clock.now()
        # Until the next sweep an expired request still lists as pending.
        pending = sorted(
            (
                r
                for r in (listed or {}).get("requests", [])
                if datetime.fromisoformat(r["expires_at"]) > now
            ),
            key=lambda r: (r["created_at"], r["case_number"]),
        )
        if not pending:
            return
        chosen = rng.choice(pending)
        body = {
            "decision": "decline",
            "idempotency_key": f"demo-{rng.getrandbits(64):016x}",
        }
        path = f"/api/v1/requests/{chosen['id']}/decision"
        await self._call("POST", path, neighbour.token, body)


def _base_url(host: str, port: int) -> URL:
    """Where the demo reaches the hub it runs in."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
        host = "127.0.0.1"
    return URL.build(scheme="http", host=host, port=port)


@contextlib.asynccontextmanager
async def demo_hub(
    settings: Settings, seed: int, clock: Clock | None = None
) -> AsyncIterator[tuple[Demo, DemoStart]]:
    """A serving hub with its demo seeded and planned (not yet running)."""
    demo_clock = DemoClock(clock or SystemClock())
    async with (
        running_hub(settings, demo_clock) as (runner, port),
        aiohttp.ClientSession() as session,
    ):
        demo = Demo(
            hub=runner.app[HUB],
            clock=demo_clock,
            url=_base_url(settings.host, port),
            session=session,
            seed=seed,
        )
        yield demo, await demo.start()


def describe(start: DemoStart) -> list[str]:
    """The lines a developer reads: the seed, the agency key, the code, the keys."""
    how = "seeded" if start.fresh else "already seeded"
    return [
        f"Demo neighbourhood {how} (seed {start.seed}): {DEMO_HOME_NAME} at"
        f" {DEMO_LATITUDE}, {DEMO_LONGITUDE}, {start.neighbours} neighbours"
        f" and {AGENCY_NAME}.",
        f"Agency API key for {AGENCY_NAME} (new each start): {start.agency_key}",
        f"Demo pairing code for {DEMO_HOME_NAME} (new each start):"
        f" {start.pairing_code}",
        f"Private identity of {AGENCY_NAME} (opens its sealed clips with"
        f" `age -d -i`): {start.identity_path}",
    ]


async def run_demo_server(
    settings: Settings,
    seed: int | None,
    stop: asyncio.Event,
    clock: Clock | None = None,
) -> None:
    """Serve the hub with a lively demo until ``stop`` is set."""
    if seed is None:
        seed = secrets.randbelow(1_000_000)
    async with demo_hub(settings, seed, clock) as (demo, start):
        for line in describe(start):
            print(line, flush=True)
        port = demo.url.port or settings.port
        async with announced(settings, demo.hub.hub_id, port):
            await demo.run(stop)


async def serve_demo(settings: Settings, seed: int | None) -> None:
    """``serve --demo``: run until SIGINT or SIGTERM."""
    await run_until_signalled(lambda stop: run_demo_server(settings, seed, stop))


__all__ = ["Demo", "DemoClock", "DemoStart", "demo_hub", "serve_demo"]
