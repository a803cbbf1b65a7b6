"""A hub database made before keys and sealing keeps working after the upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from porchlight_hub import admin, db
from porchlight_hub.agency_keys import AgencyIdentity
from porchlight_hub.clock import to_ts
from porchlight_hub.security import hash_secret

from .conftest import CENTRE, START, Client, HubMaker, offset, sign_request

OLD_SCHEMA = Path(__file__).with_name("schema_v1.sql")


def old_database(path: Path) -> None:
    """The first release's schema, with an agency, a paired home and a request."""
    now = to_ts(START)
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA.read_text())
        conn.execute(
            "INSERT INTO agencies (id, name, kind, key_hash, created_at)"
            " VALUES ('agc_old', 'Old PD', 'police', ?, ?)",
            (hash_secret("old-agency-key"), now),
        )
        conn.execute(
            "INSERT INTO homes (id, name, latitude, longitude, opted_out, token_hash,"
            " created_at, paired_at) VALUES ('home_old', 'Old home', ?, ?, 0, ?, ?, ?)",
            (*CENTRE, hash_secret("old-home-token"), now, now),
        )
        conn.execute(
            "INSERT INTO requests (id, agency_id, case_number, incident_type,"
            " description, contact, window_start, window_end, latitude, longitude,"
            " radius_m, status, homes_reached, created_at, expires_at, updated_at)"
            " VALUES ('req_old', 'agc_old', 'OLD-1', 'theft', 'Old request', 'Desk',"
            " ?, ?, ?, ?, 400, 'open', 1, ?, ?, ?)",
            (now - 7200, now - 3600, *CENTRE, now, now + 14 * 86400, now),
        )
        conn.execute(
            "INSERT INTO deliveries (request_id, home_id, distance_m, delivered_at)"
            " VALUES ('req_old', 'home_old', 0, ?)",
            (now,),
        )


def columns(path: Path, table: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        return {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}


async def test_an_old_database_is_upgraded_in_place(
    tmp_path: Path, tuned_hub: HubMaker
) -> None:
    path = tmp_path / "old.db"
    old_database(path)
    assert "recipient" not in columns(path, "agencies")
    hub = await tuned_hub(db_url=f"sqlite+aiosqlite:///{path}")
    for table in db.metadata.sorted_tables:
        assert {c.name for c in table.columns} <= columns(path, table.name)
    with sqlite3.connect(path) as conn:
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(requests)")}
    assert "uq_requests_nonce" in indexes
    # The public log's indexes and the portal's sessions arrive with it.
    assert {
        "ix_requests_created",
        "ix_requests_agency_created",
        "ix_requests_incident_created",
        "ix_requests_agency_incident_created",
    } <= indexes
    assert columns(path, "agency_sessions") == {
        "token_hash",
        "agency_id",
        "created_at",
        "expires_at",
    }

    # The old request still reaches its home, marked as unsigned.
    home = Client(hub, "old-home-token", "home_old")
    status, listed = await home.call("GET", "/api/v1/requests")
    assert status == 200, listed
    (old,) = listed["requests"]
    assert (old["id"], old["signature"], old["nonce"]) == ("req_old", None, None)
    assert old["agency_signing_key"] is None
    assert old["window_start"].endswith("Z")

    # The old agency may not post until its keys are set, and is told how.
    identity = AgencyIdentity.generate()
    agency = Client(hub, "old-agency-key", "agc_old")
    body = sign_request(hub.request_body(), identity, "agc_old")
    status, answer = await agency.call("POST", "/api/v1/agency/requests", body)
    assert (status, answer["error"]) == (422, "agency_keys_missing")
    await admin.rotate_keys(
        hub.engine,
        "Old PD",
        recipient=identity.recipient,
        signing_key=identity.signing_key,
    )
    status, made = await agency.call("POST", "/api/v1/agency/requests", body)
    assert status == 201, made

    # The old home is locked to where it was.
    far = offset(*CENTRE, north_m=300)
    status, answer = await home.call(
        "PATCH", "/api/v1/home", {"latitude": far[0], "longitude": far[1]}
    )
    assert (status, answer["error"]) == (422, "location_locked")

    # Upgrading twice changes nothing.
    await hub.restart()
    status, listed = await home.call("GET", "/api/v1/requests")
    assert listed["count"] == 2


@pytest.mark.parametrize("table", ["agencies", "homes", "requests", "share_clips"])
async def test_a_new_database_has_every_column(tmp_path: Path, table: str) -> None:
    engine = db.make_engine(f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    await db.create_schema(engine)
    await engine.dispose()
    wanted = {c.name for c in db.metadata.tables[table].columns}
    assert columns(tmp_path / "new.db", table) == wanted
