"""The state the coordinator holds, and how a request is summarised.

Apart from the coordinator so that entities, services and blueprints' helpers
that only read the state or a summary need not import the resync machinery.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from .const import DOMAIN
from .models import Alert, Home, Share, VideoRequest


def signal_request(entry_id: str) -> str:
    """Dispatcher signal for video-request events of one entry."""
    return f"{DOMAIN}_{entry_id}_request"


def signal_alert(entry_id: str) -> str:
    """Dispatcher signal for nearby-alert events of one entry."""
    return f"{DOMAIN}_{entry_id}_alert"


class ClipProvider(Protocol):
    """The local clip library, as far as requests need it."""

    def count(self, start: datetime, end: datetime) -> int:
        """Clips overlapping the window."""

    def describe(self, start: datetime, end: datetime) -> list[dict[str, Any]]:
        """Those clips, described for a service response."""


@dataclass(slots=True)
class PorchlightState:
    """Everything the entities show, keyed by hub ids."""

    home: Home
    requests: dict[str, VideoRequest] = field(default_factory=dict)
    alerts: dict[str, Alert] = field(default_factory=dict)
    shares: dict[str, Share] = field(default_factory=dict)


def request_summary(
    request: VideoRequest, *, with_contact: bool = False
) -> dict[str, Any]:
    """A request as entities, services and the ledger present it."""
    summary: dict[str, Any] = {
        "request_id": request.id,
        "agency": request.agency,
        "agency_kind": request.agency_kind,
        "case_number": request.case_number,
        "incident_type": request.incident_type,
        "window_start": request.window_start.isoformat(),
        "window_end": request.window_end.isoformat(),
        "distance_m": request.distance_m,
        "expires_at": request.expires_at.isoformat(),
        "status": request.status,
    }
    if request.policy_violation is not None:
        summary["policy_violation"] = request.policy_violation
    if with_contact:
        summary["description"] = request.description
        summary["contact"] = request.contact
    return summary
