"""The demo agency's private keys, kept on disk next to the demo database.

The demo agency signs its requests like any real agency, so its identity
must outlive a restart: it is written once (mode 0600) beside the database,
and a developer can open the demo's sealed clips with ``age -d -i`` on it.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from . import admin, db
from .agency_keys import AgencyIdentity, IdentityFileError, load, write_new
from .clock import Clock
from .settings import Settings

FILE_SUFFIX = "-demo-agency-identity.txt"


def identity_path(settings: Settings) -> Path:
    """Beside a SQLite file; in the media folder for any other database."""
    url = make_url(settings.db_url)
    database = url.database
    if url.get_backend_name() == "sqlite" and database and database != ":memory:":
        path = Path(database)
        return path.with_name(path.stem + FILE_SUFFIX)
    return settings.media_dir / ("porchlight" + FILE_SUFFIX)


def load_or_create(path: Path) -> tuple[AgencyIdentity, bool]:
    """The identity in ``path``, made first if there is none; (identity, made)."""
    if path.exists():
        return load(path), False
    identity = AgencyIdentity.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_new(path, identity)
    return identity, True


async def match_keys(
    engine: AsyncEngine, agency_id: str, identity: AgencyIdentity, clock: Clock
) -> None:
    """Register the identity file's keys if the database holds others.

    A demo database from before agencies had keys, or whose identity file was
    deleted and made anew, would otherwise have every request refused.
    """
    a = db.agencies
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(a.c.recipient, a.c.signing_key).where(a.c.id == agency_id)
            )
        ).one()
    wanted = (identity.recipient, identity.signing_key)
    if tuple(row) != wanted:
        await admin.rotate_keys(
            engine,
            agency_id,
            recipient=wanted[0],
            signing_key=wanted[1],
            clock=clock,
        )


async def unfix_location(engine: AsyncEngine, home_id: str) -> None:
    """Let the demo home be placed where Home Assistant pairs it.

    A newcomer's Home Assistant may be anywhere; every other home keeps the
    location lock (DESIGN.md §2.5).
    """
    h = db.homes
    async with engine.begin() as conn:
        await conn.execute(
            update(h)
            .where(h.c.id == home_id)
            .values(anchor_latitude=None, anchor_longitude=None)
        )


__all__ = [
    "IdentityFileError",
    "identity_path",
    "load_or_create",
    "match_keys",
    "unfix_location",
]
