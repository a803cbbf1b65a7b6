"""What the demo's neighbours and agency do, each through the hub's API."""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta

from sqlalchemy import select

from .. import db, signing
from .base import DemoBase
from .content import (
    ALERTS,
    COMMENT_CHANCE,
    COMMENTS,
    CONTACT,
    DEMO_LATITUDE,
    DEMO_LONGITUDE,
    FOLLOW_UP_CHANCE,
    INCIDENTS,
    OPEN_CASES,
    POLICE_ALERTS,
    WITHDRAW_CHANCE,
    _fill,
    offset,
)

_LOGGER = logging.getLogger("porchlight_hub.demo")


class Demo(DemoBase):
    """Seeds the neighbourhood once, then keeps it lively on the hub's clock."""

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
