"""Operator actions shared by the command line, the demo and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from . import agecrypt, db, signing
from .clock import Clock, SystemClock, iso, to_ts
from .security import hash_secret, new_id, new_pairing_code, new_token
from .settings import AGENCY_KINDS


class AdminError(Exception):
    """An operator command that cannot be carried out."""


@dataclass(slots=True)
class NewHome:
    """A home waiting to pair."""

    home_id: str
    pairing_code: str


@dataclass(slots=True)
class NewAgency:
    """An agency and its key, shown once."""

    agency_id: str
    api_key: str


def _check_location(latitude: float, longitude: float) -> None:
    if not -90 <= latitude <= 90 or not -180 <= longitude <= 180:
        raise AdminError("Latitude must be within ±90 and longitude within ±180.")


async def _issue_code(
    engine: AsyncEngine, home_id: str, clock: Clock, days: int
) -> str:
    code = new_pairing_code()
    now = clock.now()
    async with engine.begin() as conn:
        await conn.execute(
            insert(db.pairing_codes).values(
                code_hash=hash_secret(code),
                home_id=home_id,
                created_at=to_ts(now),
                expires_at=to_ts(now + timedelta(days=days)),
            )
        )
    return code


async def add_home(
    engine: AsyncEngine,
    name: str,
    latitude: float,
    longitude: float,
    *,
    clock: Clock | None = None,
    code_days: int = 7,
) -> NewHome:
    """Register a home and issue its one-time pairing code."""
    clock = clock or SystemClock()
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise AdminError("A home's name must be 1-100 characters.")
    _check_location(latitude, longitude)
    home_id = new_id("home")
    async with engine.begin() as conn:
        await conn.execute(
            insert(db.homes).values(
                id=home_id,
                name=name,
                latitude=latitude,
                longitude=longitude,
                anchor_latitude=latitude,
                anchor_longitude=longitude,
                opted_out=False,
                created_at=to_ts(clock.now()),
            )
        )
    return NewHome(home_id, await _issue_code(engine, home_id, clock, code_days))


async def new_home_code(
    engine: AsyncEngine, home_id: str, *, clock: Clock | None = None, code_days: int = 7
) -> str:
    """A fresh pairing code for an existing home (re-pairing, reauth)."""
    async with engine.connect() as conn:
        found = await conn.execute(
            select(db.homes.c.id).where(db.homes.c.id == home_id)
        )
        if found.first() is None:
            raise AdminError(f"No home {home_id}.")
    return await _issue_code(engine, home_id, clock or SystemClock(), code_days)


async def revoke_home(engine: AsyncEngine, home_id: str) -> None:
    """Invalidate the home's token; it must pair again with a new code."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(db.homes).where(db.homes.c.id == home_id).values(token_hash=None)
        )
        if result.rowcount != 1:
            raise AdminError(f"No home {home_id}.")


async def move_home(
    engine: AsyncEngine, home_id: str, latitude: float, longitude: float
) -> None:
    """Set a home's location, as far as the operator likes (``home move``)."""
    _check_location(latitude, longitude)
    async with engine.begin() as conn:
        result = await conn.execute(
            update(db.homes)
            .where(db.homes.c.id == home_id)
            .values(
                latitude=latitude,
                longitude=longitude,
                anchor_latitude=latitude,
                anchor_longitude=longitude,
            )
        )
        if result.rowcount != 1:
            raise AdminError(f"No home {home_id}.")


async def list_homes(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Homes for the operator; never their tokens."""
    h = db.homes
    async with engine.connect() as conn:
        rows = (await conn.execute(select(h).order_by(h.c.created_at))).mappings().all()
    return [
        {
            "home_id": row["id"],
            "name": row["name"],
            "latitude": row["latitude"],
            "longitude": row["longitude"],
            "paired": row["token_hash"] is not None,
            "opted_out": bool(row["opted_out"]),
            "paired_at": iso(row["paired_at"]),
        }
        for row in rows
    ]


def check_recipient(recipient: str) -> str:
    """An agency's age recipient, or an AdminError saying what is wrong."""
    try:
        agecrypt.parse_recipient(recipient)
    except agecrypt.AgeKeyError as err:
        raise AdminError(
            f"--recipient is not an age X25519 recipient: {err} It is the"
            " 'public key: age1…' line `porchlight-agency keygen` (or"
            " age-keygen) prints."
        ) from None
    return recipient.strip()


def check_signing_key(signing_key: str) -> str:
    """An agency's Ed25519 public key in canonical base64, or an AdminError."""
    try:
        return signing.canonical_signing_key(signing_key)
    except (signing.SigningError, ValueError) as err:
        raise AdminError(
            f"--signing-key is not an Ed25519 public key: {err} It is the"
            " 'signing key:' line `porchlight-agency keygen` prints (base64 of"
            " 32 bytes)."
        ) from None


async def add_agency(
    engine: AsyncEngine,
    name: str,
    kind: str,
    *,
    recipient: str | None = None,
    signing_key: str | None = None,
    clock: Clock | None = None,
) -> NewAgency:
    """Register an agency; its key is returned once and stored hashed.

    The public keys come together or not at all: an agency registered without
    them cannot post requests until ``agency rotate-keys`` sets them.
    """
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise AdminError("An agency's name must be 1-120 characters.")
    if kind not in AGENCY_KINDS:
        raise AdminError(f"Kind must be one of: {', '.join(AGENCY_KINDS)}.")
    if (recipient is None) != (signing_key is None):
        raise AdminError("Give --recipient and --signing-key together.")
    now = to_ts((clock or SystemClock()).now())
    keys: dict[str, Any] = {}
    if recipient is not None and signing_key is not None:
        keys = {
            "recipient": check_recipient(recipient),
            "signing_key": check_signing_key(signing_key),
            "keys_updated_at": now,
        }
    key = new_token()
    agency_id = new_id("agc")
    async with engine.begin() as conn:
        await conn.execute(
            insert(db.agencies).values(
                id=agency_id,
                name=name,
                kind=kind,
                key_hash=hash_secret(key),
                created_at=now,
                **keys,
            )
        )
    return NewAgency(agency_id, key)


async def find_agency(engine: AsyncEngine, id_or_name: str) -> dict[str, Any]:
    """One agency by id, or by name when the name is unique."""
    a = db.agencies
    async with engine.connect() as conn:
        rows = (
            (
                await conn.execute(
                    select(a).where(
                        (a.c.id == id_or_name) | (a.c.name == id_or_name.strip())
                    )
                )
            )
            .mappings()
            .all()
        )
    by_id = [dict(r) for r in rows if r["id"] == id_or_name]
    if by_id:
        return by_id[0]
    if len(rows) > 1:
        raise AdminError(
            f"{len(rows)} agencies are named {id_or_name!r}; give the agency id"
            " (see `porchlight-hub agency list`)."
        )
    if not rows:
        raise AdminError(f"No agency {id_or_name!r}.")
    return dict(rows[0])


async def rotate_keys(
    engine: AsyncEngine,
    id_or_name: str,
    *,
    recipient: str | None = None,
    signing_key: str | None = None,
    clock: Clock | None = None,
) -> dict[str, Any]:
    """Replace an agency's public keys (one or both); returns the agency.

    Homes pin an agency's keys on first sight, so each home's household is
    asked to accept the change. Requests already made keep the key that
    signed them; clips shared from now on are sealed to the new recipient.
    """
    values: dict[str, Any] = {}
    if recipient is not None:
        values["recipient"] = check_recipient(recipient)
    if signing_key is not None:
        values["signing_key"] = check_signing_key(signing_key)
    if not values:
        raise AdminError("Give --recipient, --signing-key or both.")
    agency = await find_agency(engine, id_or_name)
    merged = {**agency, **values}
    if merged["recipient"] is None or merged["signing_key"] is None:
        raise AdminError(
            "This agency has no keys yet: give --recipient and --signing-key."
        )
    values["keys_updated_at"] = to_ts((clock or SystemClock()).now())
    async with engine.begin() as conn:
        await conn.execute(
            update(db.agencies).where(db.agencies.c.id == agency["id"]).values(**values)
        )
    return {**agency, **values}


async def revoke_agency(engine: AsyncEngine, agency_id: str) -> None:
    """Disable an agency's key."""
    async with engine.begin() as conn:
        result = await conn.execute(
            update(db.agencies)
            .where(db.agencies.c.id == agency_id, db.agencies.c.revoked_at.is_(None))
            .values(revoked_at=to_ts(SystemClock().now()))
        )
        if result.rowcount != 1:
            raise AdminError(f"No active agency {agency_id}.")


async def list_agencies(engine: AsyncEngine) -> list[dict[str, Any]]:
    """Agencies for the operator; never their keys."""
    a = db.agencies
    async with engine.connect() as conn:
        rows = (await conn.execute(select(a).order_by(a.c.created_at))).mappings().all()
    return [
        {
            "agency_id": row["id"],
            "name": row["name"],
            "kind": row["kind"],
            "recipient": row["recipient"],
            "signing_key": row["signing_key"],
            "revoked": row["revoked_at"] is not None,
        }
        for row in rows
    ]
