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
)
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
    Column("latitude", Float, nullable=False),
    Column("longitude", Float, nullable=False),
    Column("radius_m", Float, nullable=False),
    Column("status", String(16), nullable=False),
    Column("homes_reached", Integer, nullable=False, default=0),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Index("ix_requests_case", "agency_id", "case_number"),
    Index("ix_requests_status_expiry", "status", "expires_at"),
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
    """Create missing tables: the schema is made on first start."""
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
