"""Operator settings and the request policy of DESIGN.md §2.3."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SQ_METRES_PER_SQ_MILE = 2_589_988.110336

INCIDENT_TYPES = (
    "burglary",
    "theft",
    "package_theft",
    "vehicle_crime",
    "vandalism",
    "robbery",
    "assault",
    "hit_and_run",
    "missing_person",
    "homicide",
    "arson",
    "other",
)
AGENCY_KINDS = (
    "police",
    "sheriff",
    "fire",
    "emergency_management",
    "federal",
    "other",
)
HOME_ALERT_CATEGORIES = (
    "crime",
    "safety",
    "suspicious",
    "lost_pet",
    "found_pet",
    "fire",
    "community",
)
ALERT_CATEGORIES = (*HOME_ALERT_CATEGORIES, "police")
SEALED_CONTENT_TYPE = "application/age"
# What a sealed clip holds (``inner_content_type``); also the plaintext types a
# hub started with ``--allow-unsealed`` still takes.
INNER_CONTENT_TYPES = ("video/mp4", "image/jpeg")
CLIP_CONTENT_TYPES = (SEALED_CONTENT_TYPE, *INNER_CONTENT_TYPES)
# Counts below this read "<5" wherever an agency or the public sees them.
K_ANONYMITY = 5


@dataclass(slots=True)
class Policy:
    """The limits a request and a share must respect; published in the report."""

    min_window_minutes: int = 15
    max_window_hours: int = 12
    max_window_age_days: int = 45
    min_area_sq_miles: float = 0.025
    max_area_sq_miles: float = 0.5
    max_requests_per_case: int = 2
    request_expiry_days: int = 14
    allow_federal: bool = False
    max_retention_days: int = 30
    default_retention_days: int = 30
    title_max: int = 120
    description_max: int = 2000
    comment_max: int = 1000

    @property
    def min_radius_m(self) -> float:
        """Smallest radius whose circle has the minimum area."""
        return math.sqrt(self.min_area_sq_miles * SQ_METRES_PER_SQ_MILE / math.pi)

    @property
    def max_radius_m(self) -> float:
        """Largest radius whose circle stays within the maximum area."""
        return math.sqrt(self.max_area_sq_miles * SQ_METRES_PER_SQ_MILE / math.pi)

    def as_report(self) -> dict[str, Any]:
        """Describe the policy for the public transparency report."""
        return {
            "case_number": "3-64 characters: letters, digits, space, - / . _",
            "incident_types": list(INCIDENT_TYPES),
            "window_min_minutes": self.min_window_minutes,
            "window_max_hours": self.max_window_hours,
            "window_max_age_days": self.max_window_age_days,
            "area_min_sq_miles": self.min_area_sq_miles,
            "area_max_sq_miles": self.max_area_sq_miles,
            "radius_min_m": round(self.min_radius_m, 1),
            "radius_max_m": round(self.max_radius_m, 1),
            "max_requests_per_case": self.max_requests_per_case,
            "request_expiry_days": self.request_expiry_days,
            "federal_agencies_allowed": self.allow_federal,
            "max_retention_days": self.max_retention_days,
            "default_retention_days": min(
                self.default_retention_days, self.max_retention_days
            ),
            "alert_categories": list(ALERT_CATEGORIES),
        }


def default_db_url() -> str:
    """``PORCHLIGHT_HUB_DB`` or a SQLite file in the working directory."""
    return (
        os.environ.get("PORCHLIGHT_HUB_DB") or "sqlite+aiosqlite:///porchlight-hub.db"
    )


@dataclass(slots=True)
class Settings:
    """Everything an operator can tune when starting the hub."""

    db_url: str = field(default_factory=default_db_url)
    media_dir: Path = field(default_factory=lambda: Path("porchlight-media"))
    host: str = "127.0.0.1"
    port: int = 8765
    name: str = "Porchlight hub"
    zeroconf: bool = True
    policy: Policy = field(default_factory=Policy)
    max_clip_bytes: int = 512 * 1024 * 1024
    # Principle 8: the hub is not trusted with footage, so it takes sealed
    # (age) clips only. On solely for clients that cannot seal yet.
    allow_unsealed: bool = False
    # How far pairing or PATCH /home may move a home from where the operator
    # put it; ``porchlight-hub home move`` moves it further.
    max_home_move_m: float = 250.0
    max_clips_per_share: int = 200
    sweep_interval_s: float = 60.0
    heartbeat_s: float = 25.0
    alert_broadcast_radius_m: float = 5000.0
    max_alert_query_radius_m: float = 10_000.0
    max_alert_post_distance_m: float = 5000.0
    pairing_code_days: int = 7
    pair_failures_allowed: int = 5
    pair_failure_window_s: float = 60.0
    stream_queue_size: int = 1000
    # Agency portal sessions (DESIGN.md §2.6): a fixed lifetime from sign-in,
    # not sliding, so a cookie left in a shared browser ends on its own.
    session_hours: float = 8.0
    signin_failures_allowed: int = 5
    signin_failure_window_s: float = 60.0
    # Sessions one agency may open per window: a leaked key cannot mint
    # unlimited sessions unnoticed.
    signins_per_agency: int = 30
    signin_agency_window_s: float = 3600.0
    # Peers (IPs or CIDRs) whose X-Forwarded-Proto/-For/-Host are believed:
    # a reverse proxy that terminates TLS in front of the hub.
    trusted_proxies: tuple[str, ...] = ()
    # Map tiles for the portal (a Leaflet URL template), or None: a plain grid.
    tiles_url: str | None = None
    tiles_attribution: str | None = None
    # Where the browser faces' static files are; None: the package's own.
    static_dir: Path | None = None
    # The public request log is cached this long at most (and dropped sooner
    # whenever a request changes).
    public_cache_s: float = 5.0
    # Homes are counted per square cell this wide for the portal's grid.
    density_cell_m: float = 500.0
