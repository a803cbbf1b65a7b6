"""Schema and engine.

SQLAlchemy Core keeps the SQL portable: SQLite by default, PostgreSQL when a
neighbourhood outgrows one file. Times are UTC epoch seconds (floats) so that
range queries and indexes behave the same on every backend.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

metadata = MetaData()

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

homes = Table(
    "homes",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    # Where the operator put the home (``home add``/``home move``): pairing and
    # PATCH /home may move the delivery location only a little from here.
    Column("anchor_latitude", Float),
    Column("anchor_longitude", Float),
    Column("opted_out", Boolean, nullable=False, default=False),
    Column("token_hash", String(64), unique=True),
    Column("created_at", Float, nullable=False),
    Column("paired_at", Float),
    Index("ix_homes_location", "latitude", "longitude"),
)

pairing_codes = Table(
    "pairing_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("home_id", ForeignKey("homes.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("key_hash", String(64), unique=True),
    # Public keys (DESIGN.md §2.5): the age recipient clips are sealed to and
    # the Ed25519 key requests are signed with. NULL in databases made before
    # keys existed: such an agency cannot post requests until they are set.
    Column("recipient", String(128)),
    Column("signing_key", String(64)),
    Column("keys_updated_at", Float),
    Column("created_at", Float, nullable=False),
    Column("revoked_at", Float),
)

requests = Table(
    "requests",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("case_number", String(64), nullable=False),
    Column("incident_type", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("contact", Text, nullable=False),
    Column("window_start", Float, nullable=False),
    Column("window_end", Float, nullable=False),
    # The window as the agency wrote it: the signature covers these strings.
    Column("window_start_text", String(64)),
    Column("window_end_text", String(64)),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("radius_m", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("homes_reached", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    # The agency's signature, its nonce, and the key that verified it (so a
    # home can re-verify after the agency rotates keys). NULL for requests
    # made before requests were signed.
    Column("nonce", String(64)),
    Column("signature", String(128)),
    Column("signing_key", String(64)),
    Index("ix_requests_case", "agency_id", "case_number"),
    Index("uq_requests_nonce", "agency_id", "nonce", unique=True),
    Index("ix_requests_status_expiry", "status", "expires_at"),
    # The public request log walks requests newest first, all or filtered.
    Index("ix_requests_created", "created_at", "id"),
    Index("ix_requests_agency_created", "agency_id", "created_at", "id"),
    Index("ix_requests_incident_created", "incident_type", "created_at", "id"),
    Index(
        "ix_requests_agency_incident_created",
        "agency_id",
        "incident_type",
        "created_at",
        "id",
    ),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("request_id", ForeignKey("requests.id"), primary_key=True),
    Column("home_id", ForeignKey("homes.id"), primary_key=True),
    Column("distance_m", Float, nullable=False),
    Column("delivered_at", Float, nullable=False),
    Column("decision", String(16)),
    Column("decided_at", Float),
    Column("idempotency_key", String(128)),
    Column("decision_digest", String(64)),
    Column("decision_response", Text),
    Column("share_id", String(40)),
    Index("ix_deliveries_home", "home_id", "delivered_at"),
)

shares = Table(
    "shares",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("request_id", ForeignKey("requests.id"), nullable=False),
    Column("home_id", ForeignKey("homes.id"), nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("retention_days", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("deleted_at", Float),
    Column("deleted_reason", String(16)),
    Index("ix_shares_home", "home_id"),
    Index("ix_shares_request", "request_id"),
    Index("ix_shares_status_expiry", "status", "expires_at"),
)

share_clips = Table(
    "share_clips",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("share_id", ForeignKey("shares.id"), nullable=False),
    Column("clip_id", String(128), nullable=False),
    Column("camera", String(128), nullable=False),
    Column("start", Float, nullable=False),
    Column("end", Float, nullable=False),
    Column("content_type", String(32), nullable=False),
    # For sealed clips (content_type application/age): what is inside, and the
    # digest of the plaintext only the agency can check.
    Column("inner_content_type", String(32)),
    Column("plaintext_sha256", String(64)),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("stored_path", String(255)),
    Column("uploaded_at", Float),
    Column("deleted_at", Float),
    UniqueConstraint("share_id", "clip_id", name="uq_share_clip"),
)

clip_accesses = Table(
    "clip_accesses",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("share_clip_id", ForeignKey("share_clips.id"), nullable=False),
    Column("agency_id", ForeignKey("agencies.id"), nullable=False),
    Column("accessed_at", Float, nullable=False),
)

pseudonyms = Table(
    "pseudonyms",
    metadata,
    Column("agency_id", ForeignKey("agencies.id"), primary_key=True),
    Column("home_id", ForeignKey("homes.id"), primary_key=True),
    Column("number", Integer, nullable=False),
    UniqueConstraint("agency_id", "number", name="uq_pseudonym_number"),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("home_id", ForeignKey("homes.id")),
    Column("agency_id", ForeignKey("agencies.id")),
    Column("category", String(32), nullable=False),
    Column("title", String(120), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("created_at", Float, nullable=False),
    # Covers the newest-first walk of GET /alerts (box test and order).
    Index("ix_alerts_recent", "created_at", "latitude", "longitude", "id"),
    Index("ix_alerts_location", "latitude", "longitude"),
)

alert_comments = Table(
    "alert_comments",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("alert_id", ForeignKey("alerts.id"), nullable=False),
    Column("home_id", ForeignKey("homes.id")),
    Column("agency_id", ForeignKey("agencies.id")),
    Column("text", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Index("ix_alert_comments_alert", "alert_id", "created_at"),
)


agency_sessions = Table(
    "agency_sessions",
    metadata,
    # The cookie's value is a secret like an API key: only its hash is kept.
    Column("token_hash", String(64), primary_key=True),
    Column("agency_id", ForeignKey("agencies.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Index("ix_agency_sessions_expiry", "expires_at"),
)


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    """WAL lets the CLI add homes while the server runs; busy_timeout waits."""
    cursor: Any = dbapi_conn.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> AsyncEngine:
    """Create the engine; SQLite connections get pragmas fit for a server."""
    engine = create_async_engine(url)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


async def create_schema(engine: AsyncEngine) -> None:
    """Create missing tables, then bring older databases up to this schema."""
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.run_sync(upgrade)


def _add_missing_columns(conn: Connection) -> list[str]:
    """Add the columns a database made by an older hub lacks.

    Changes since the first schema are additive: nullable columns and new
    indexes, so an ``ALTER TABLE ... ADD COLUMN`` per column upgrades in place
    on SQLite and PostgreSQL alike.
    """
    inspector = inspect(conn)
    prep = conn.dialect.identifier_preparer
    added: list[str] = []
    for table in metadata.sorted_tables:
        present = {col["name"] for col in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable:  # pragma: no cover - a schema bug, not input
                raise RuntimeError(f"cannot add NOT NULL column {column}")
            kind = column.type.compile(dialect=conn.dialect)
            conn.execute(
                text(
                    f"ALTER TABLE {prep.quote(table.name)} ADD COLUMN"
                    f" {prep.quote(column.name)} {kind}"
                )
            )
            added.append(f"{table.name}.{column.name}")
        for index in table.indexes:
            index.create(conn, checkfirst=True)
    return added


def upgrade(conn: Connection) -> list[str]:
    """Upgrade in place; returns the columns added (empty when current)."""
    added = _add_missing_columns(conn)
    if "homes.anchor_latitude" in added:
        # Homes registered before the location lock: their location now is
        # the best record of where the operator put them.
        conn.execute(
            update(homes)
            .where(homes.c.anchor_latitude.is_(None))
            .values(
                anchor_latitude=homes.c.latitude, anchor_longitude=homes.c.longitude
            )
        )
    return added
