"""A hub that skips its own checks: requests written straight into its database.

The home must not trust its hub (DESIGN.md §2.5), so its tests need a hub
that delivers what a real one would refuse: forged or missing signatures,
requests that break §2.3, circles far from the home. This writes a request
and its delivery the way the hub's intake would, but without any check, so
the home receives it through the hub's ordinary REST API and stream.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from porchlight_hub import db, signing
from porchlight_hub.clock import to_ts
from porchlight_hub.security import new_id

from .hub.conftest import Client, HubHarness

EXPIRY = timedelta(days=14)


def signed_body(agency: Client, body: dict[str, Any]) -> dict[str, Any]:
    """``body`` with a fresh nonce and the agency's real signature."""
    assert agency.identity is not None
    out = {**body, "nonce": signing.new_nonce()}
    out["signature"] = agency.identity.sign(signing.signed_object(out, agency.id))
    return out


async def deliver_unchecked(
    hub: HubHarness,
    agency: Client,
    home_id: str,
    body: dict[str, Any],
    *,
    created_at: datetime | None = None,
    expires_at: datetime | None = None,
    signing_key: str | None = None,
) -> str:
    """Store ``body`` (already signed, or not) as delivered to ``home_id``."""
    now = created_at or hub.clock.now()
    area = body["area"]
    request_id = new_id("req")
    start = datetime.fromisoformat(str(body["window_start"]).replace("Z", "+00:00"))
    end = datetime.fromisoformat(str(body["window_end"]).replace("Z", "+00:00"))
    keys = agency.identity
    async with hub.engine.begin() as conn:
        await conn.execute(
            db.requests.insert().values(
                id=request_id,
                agency_id=agency.id,
                case_number=body["case_number"],
                incident_type=body["incident_type"],
                description=body["description"],
                contact=body["contact"],
                window_start=to_ts(start),
                window_end=to_ts(end),
                window_start_text=body["window_start"],
                window_end_text=body["window_end"],
                latitude=area["latitude"],
                longitude=area["longitude"],
                radius_m=area["radius_m"],
                status="open",
                homes_reached=1,
                created_at=to_ts(now),
                expires_at=to_ts(expires_at or now + EXPIRY),
                updated_at=to_ts(now),
                nonce=body.get("nonce"),
                signature=body.get("signature"),
                signing_key=signing_key
                if signing_key is not None
                else (keys.signing_key if keys is not None else None),
            )
        )
        await conn.execute(
            db.deliveries.insert().values(
                request_id=request_id,
                home_id=home_id,
                distance_m=50.0,
                delivered_at=to_ts(now),
            )
        )
    return request_id
