"""What the household sees of the coordinator's state: nearby, pending, shared.

Entities, services and the panel all ask the same questions of the state
("which alerts are near?", "which requests wait?"); answering them in one
place keeps every surface in agreement, and keeps the coordinator to
keeping the state current.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.util import dt as dt_util

from .const import (
    CONF_ALERT_CATEGORIES,
    CONF_ALERT_MAX_AGE_HOURS,
    CONF_ALERT_RADIUS_M,
    DEFAULT_ALERT_MAX_AGE_HOURS,
    DEFAULT_ALERT_RADIUS_M,
)
from .coordinator_state import ClipProvider, PorchlightState
from .models import ALERT_CATEGORIES, Alert, Share, VideoRequest


class HouseholdViews:
    """The household's questions of the state, under its chosen options."""

    config_entry: ConfigEntry[Any]
    data: PorchlightState
    clip_provider: ClipProvider | None

    # ----------------------------------------------------------------- options
    @property
    def alert_radius_m(self) -> float:
        """How far away an alert may be to count as nearby."""
        return float(
            self.config_entry.options.get(CONF_ALERT_RADIUS_M, DEFAULT_ALERT_RADIUS_M)
        )

    @property
    def alert_categories(self) -> frozenset[str]:
        """The alert categories this household chose."""
        chosen = self.config_entry.options.get(CONF_ALERT_CATEGORIES)
        return frozenset(chosen) if chosen else frozenset(ALERT_CATEGORIES)

    @property
    def alert_max_age(self) -> timedelta:
        """How long an alert stays nearby."""
        return timedelta(
            hours=float(
                self.config_entry.options.get(
                    CONF_ALERT_MAX_AGE_HOURS, DEFAULT_ALERT_MAX_AGE_HOURS
                )
            )
        )

    # ------------------------------------------------------------------- views
    def pending_requests(self) -> list[VideoRequest]:
        """Requests waiting for a decision, soonest expiry first."""
        now = dt_util.utcnow()
        return sorted(
            (
                r
                for r in self.data.requests.values()
                if r.pending and r.expires_at > now
            ),
            key=lambda r: r.expires_at,
        )

    def is_nearby(self, alert: Alert, now: datetime | None = None) -> bool:
        """Within the chosen radius, category and age."""
        now = now or dt_util.utcnow()
        return (
            alert.category in self.alert_categories
            and alert.distance_m is not None
            and alert.distance_m <= self.alert_radius_m
            and now - alert.created_at <= self.alert_max_age
        )

    def nearby_alerts(self) -> list[Alert]:
        """Nearby alerts, newest first."""
        now = dt_util.utcnow()
        return sorted(
            (a for a in self.data.alerts.values() if self.is_nearby(a, now)),
            key=lambda a: a.created_at,
            reverse=True,
        )

    def active_shares(self) -> list[Share]:
        """Shares the hub has not deleted yet."""
        return [s for s in self.data.shares.values() if s.active]

    def matching_clips(self, request: VideoRequest) -> int:
        """How many local clips fall in the request's window."""
        if self.clip_provider is None:
            return 0
        return self.clip_provider.count(request.window_start, request.window_end)

    def matching_clip_list(self, request: VideoRequest) -> list[dict[str, Any]]:
        """The local clips that fall in the request's window."""
        if self.clip_provider is None:
            return []
        return self.clip_provider.describe(request.window_start, request.window_end)
