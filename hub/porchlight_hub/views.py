"""What each party may see of a record, and nothing more.

Homes see requests with the agency's name; agencies see homes only as
per-agency pseudonyms ("Neighbour 17"), never a name, address or id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, select

from . import db
from .clock import iso
from .settings import K_ANONYMITY

Row = Mapping[Any, Any]
"""A database row as a mapping (SQLAlchemy's RowMapping or a plain dict)."""
Count = int | str
"""A count as an agency or the public sees it: an integer, or ``"<5"``."""


def k_anon(count: int) -> Count:
    """Small counts single people out: below 5 every count reads ``"<5"``."""
    return count if count >= K_ANONYMITY else f"<{K_ANONYMITY}"


def window_text(row: Row, key: str) -> str | None:
    """A window end as the agency wrote it (what it signed), else as stored."""
    text = row.get(f"{key}_text")
    return str(text) if text is not None else iso(row[key])


def area_of(row: Row) -> dict[str, Any]:
    """A request's circle, as everyone who may see a request sees it."""
    return {
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "radius_m": row["radius_m"],
    }


def home_status(decision: str | None, request_status: str) -> str:
    """One word for where a request stands for a home."""
    if decision == "share":
        return "shared"
    if decision == "decline":
        return "declined"
    return "pending" if request_status == "open" else request_status


def home_request_query() -> Select[Any]:
    """Requests delivered to homes, with the agency and the delivery."""
    r, a, d = db.requests, db.agencies, db.deliveries
    return select(
        r,
        a.c.name.label("agency_name"),
        a.c.kind.label("agency_kind"),
        a.c.recipient.label("agency_recipient"),
        d.c.home_id,
        d.c.distance_m,
        d.c.delivered_at,
        d.c.decision,
        d.c.decided_at,
        d.c.share_id,
        d.c.idempotency_key,
        d.c.decision_digest,
        d.c.decision_response,
    ).select_from(r.join(a, a.c.id == r.c.agency_id).join(d, d.c.request_id == r.c.id))


def request_for_home(row: Row) -> dict[str, Any]:
    """A request as the home it was delivered to sees it.

    It carries everything the agency signed, verbatim, with the signature and
    the agency's keys, so the home can check the hub passed it on unaltered.
    """
    return {
        "id": row["id"],
        "agency": row["agency_name"],
        "agency_kind": row["agency_kind"],
        "agency_id": row["agency_id"],
        "agency_signing_key": row["signing_key"],
        "agency_recipient": row["agency_recipient"],
        "nonce": row["nonce"],
        "signature": row["signature"],
        "case_number": row["case_number"],
        "incident_type": row["incident_type"],
        "description": row["description"],
        "contact": row["contact"],
        "window_start": window_text(row, "window_start"),
        "window_end": window_text(row, "window_end"),
        "area": area_of(row),
        "distance_m": round(row["distance_m"], 1),
        "status": home_status(row["decision"], row["status"]),
        "request_status": row["status"],
        "decision": row["decision"],
        "share_id": row["share_id"],
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "expires_at": iso(row["expires_at"]),
        "delivered_at": iso(row["delivered_at"]),
        "decided_at": iso(row["decided_at"]),
    }


def request_for_agency(row: Row, shares: int = 0) -> dict[str, Any]:
    """A request as the agency that made it sees it.

    Homes appear only as k-anonymous counts, and declines not at all: they
    are published per week in the transparency report, never per request.
    """
    return {
        "id": row["id"],
        "agency_id": row["agency_id"],
        "nonce": row["nonce"],
        "signature": row["signature"],
        "case_number": row["case_number"],
        "incident_type": row["incident_type"],
        "description": row["description"],
        "contact": row["contact"],
        "window_start": window_text(row, "window_start"),
        "window_end": window_text(row, "window_end"),
        "area": area_of(row),
        "status": row["status"],
        "homes_reached": k_anon(row["homes_reached"]),
        "shares": k_anon(shares),
        "created_at": iso(row["created_at"]),
        "updated_at": iso(row["updated_at"]),
        "expires_at": iso(row["expires_at"]),
    }


def clip_manifest(row: Row) -> dict[str, Any]:
    """A shared clip as its home described it."""
    return {
        "clip_id": row["clip_id"],
        "camera": row["camera"],
        "start": iso(row["start"]),
        "end": iso(row["end"]),
        "content_type": row["content_type"],
        "inner_content_type": row["inner_content_type"],
        "plaintext_sha256": row["plaintext_sha256"],
        "size": row["size"],
        "sha256": row["sha256"],
        "uploaded": row["stored_path"] is not None,
        "uploaded_at": iso(row["uploaded_at"]),
        "deleted_at": iso(row["deleted_at"]),
    }


def share_for_home(share: Row, clips: list[Row]) -> dict[str, Any]:
    """A share as its home sees it."""
    return {
        "share_id": share["id"],
        "request_id": share["request_id"],
        "status": share["status"],
        "retention_days": share["retention_days"],
        "created_at": iso(share["created_at"]),
        "expires_at": iso(share["expires_at"]),
        "deleted_at": iso(share["deleted_at"]),
        "deleted_reason": share["deleted_reason"],
        "clips": [clip_manifest(c) for c in clips],
    }


def neighbour(number: int) -> str:
    """The only name an agency ever sees for a home."""
    return f"Neighbour {number}"


def alert_view(
    row: Row, distance: float | None, viewer_home: str | None
) -> dict[str, Any]:
    """An alert as a neighbour sees it: coarse location, no author identity."""
    official = row["agency_id"] is not None
    return {
        "id": row["id"],
        "category": row["category"],
        "title": row["title"],
        "description": row["description"],
        "latitude": row["latitude"],
        "longitude": row["longitude"],
        "created_at": iso(row["created_at"]),
        "source": "agency" if official else "neighbour",
        "agency": row.get("agency_name") if official else None,
        "mine": viewer_home is not None and row["home_id"] == viewer_home,
        "distance_m": None if distance is None else round(distance, 1),
    }


def comment_view(
    row: Row, viewer_home: str | None, agency_name: str | None = None
) -> dict[str, Any]:
    """A comment on an alert."""
    return {
        "id": row["id"],
        "alert_id": row["alert_id"],
        "text": row["text"],
        "created_at": iso(row["created_at"]),
        "source": "agency" if row["agency_id"] is not None else "neighbour",
        "agency": agency_name,
        "mine": viewer_home is not None and row["home_id"] == viewer_home,
    }
