"""Typed views of what the hub sends, validated on the way in.

Every payload from the hub (REST or stream) passes through ``from_hub``; a
payload that does not match raises :class:`InvalidPayload`, which callers log
once and skip, so a misbehaving hub can never crash the listener or put a
half-parsed request in front of a household. No Home Assistant imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final, Self

from .payload import InvalidPayload, Reader

__all__ = ["InvalidPayload"]

OUT_OF_POLICY: Final = "out_of_policy"
"""A request the home's own checks refused: never offered for sharing."""
REQUEST_STATUSES: Final = (
    "pending",
    "shared",
    "declined",
    "withdrawn",
    "expired",
    "closed",
)
INCIDENT_TYPES: Final = (
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
AGENCY_KINDS: Final = (
    "police",
    "sheriff",
    "fire",
    "emergency_management",
    "federal",
    "other",
)
ALERT_CATEGORIES: Final = (
    "crime",
    "safety",
    "suspicious",
    "lost_pet",
    "found_pet",
    "fire",
    "community",
    "police",
)
HOME_ALERT_CATEGORIES: Final = ALERT_CATEGORIES[:-1]
STREAM_TYPES: Final = (
    "alert.created",
    "alert.comment",
    "request.received",
    "request.updated",
    "share.accessed",
    "share.deleted",
    "home.updated",
    "heartbeat",
)


@dataclass(frozen=True, slots=True)
class Home:
    """The home as the hub knows it."""

    home_id: str
    hub_id: str
    name: str
    latitude: float
    longitude: float
    opted_out: bool

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate ``GET /home``."""
        r = Reader(data, "home")
        return cls(
            home_id=r.text("home_id"),
            hub_id=r.text("hub_id"),
            name=r.text("name"),
            latitude=r.number("latitude"),
            longitude=r.number("longitude"),
            opted_out=r.flag("opted_out"),
        )


@dataclass(frozen=True, slots=True)
class VideoRequest:
    """An agency's request for footage, as delivered to this home."""

    id: str
    agency: str
    agency_kind: str
    case_number: str
    incident_type: str
    description: str
    contact: str
    window_start: datetime
    window_end: datetime
    latitude: float
    longitude: float
    radius_m: float
    distance_m: float
    status: str
    request_status: str
    decision: str | None
    share_id: str | None
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    agency_id: str | None = None
    agency_recipient: str | None = None
    # The home's own verdict (vetting.py): the first rule the request breaks.
    policy_violation: str | None = None
    # The payload as received: the signature covers its values verbatim.
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate a request from ``GET /requests`` or the stream."""
        r = Reader(data, "request")
        area = r.obj("area")
        return cls(
            id=r.text("id"),
            agency=r.text("agency"),
            agency_kind=r.text("agency_kind"),
            case_number=r.text("case_number"),
            incident_type=r.text("incident_type"),
            description=r.text("description"),
            contact=r.text("contact"),
            window_start=r.time("window_start"),
            window_end=r.time("window_end"),
            latitude=area.number("latitude"),
            longitude=area.number("longitude"),
            radius_m=area.number("radius_m"),
            distance_m=r.number("distance_m"),
            status=r.text("status", REQUEST_STATUSES),
            request_status=r.text("request_status"),
            decision=r.opt_text("decision"),
            share_id=r.opt_text("share_id"),
            created_at=r.time("created_at"),
            updated_at=r.time("updated_at"),
            expires_at=r.time("expires_at"),
            agency_id=r.opt_text("agency_id"),
            agency_recipient=r.opt_text("agency_recipient"),
            raw=r.raw(),
        )

    @property
    def pending(self) -> bool:
        """Waiting for this household's decision."""
        return self.status == "pending"


@dataclass(frozen=True, slots=True)
class Alert:
    """A neighbourhood alert (location already coarsened by the hub)."""

    id: str
    category: str
    title: str
    description: str
    latitude: float
    longitude: float
    created_at: datetime
    source: str
    agency: str | None
    mine: bool
    distance_m: float | None

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate an alert from ``GET /alerts`` or the stream."""
        r = Reader(data, "alert")
        return cls(
            id=r.text("id"),
            category=r.text("category", ALERT_CATEGORIES),
            title=r.text("title"),
            description=r.opt_text("description") or "",
            latitude=r.number("latitude"),
            longitude=r.number("longitude"),
            created_at=r.time("created_at"),
            source=r.text("source"),
            agency=r.opt_text("agency"),
            mine=r.flag("mine"),
            distance_m=r.opt_number("distance_m"),
        )


@dataclass(frozen=True, slots=True)
class AlertComment:
    """A comment on an alert."""

    id: str
    alert_id: str
    text: str
    created_at: datetime
    mine: bool

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate a comment."""
        r = Reader(data, "comment")
        return cls(
            id=r.text("id"),
            alert_id=r.text("alert_id"),
            text=r.text("text"),
            created_at=r.time("created_at"),
            mine=r.flag("mine"),
        )


@dataclass(frozen=True, slots=True)
class SharedClip:
    """One clip of a share, as this home announced it."""

    clip_id: str
    camera: str
    start: datetime
    end: datetime
    content_type: str
    size: int
    sha256: str
    uploaded: bool
    # Sealed clips (application/age): what is inside, and its hash.
    inner_content_type: str | None = None
    plaintext_sha256: str | None = None

    @property
    def shown_content_type(self) -> str:
        """What the household shared: the clip's own type, sealed or not."""
        return self.inner_content_type or self.content_type

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate a clip manifest entry."""
        r = Reader(data, "clip")
        return cls(
            clip_id=r.text("clip_id"),
            camera=r.text("camera"),
            start=r.time("start"),
            end=r.time("end"),
            content_type=r.text("content_type"),
            size=r.integer("size"),
            sha256=r.text("sha256"),
            uploaded=r.flag("uploaded"),
            inner_content_type=r.opt_text("inner_content_type"),
            plaintext_sha256=r.opt_text("plaintext_sha256"),
        )


@dataclass(frozen=True, slots=True)
class Share:
    """Footage this home shared for one request."""

    share_id: str
    request_id: str
    status: str
    retention_days: int
    created_at: datetime
    expires_at: datetime
    deleted_at: datetime | None
    clips: tuple[SharedClip, ...]

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate a share from ``GET /shares``."""
        r = Reader(data, "share")
        return cls(
            share_id=r.text("share_id"),
            request_id=r.text("request_id"),
            status=r.text("status"),
            retention_days=r.integer("retention_days"),
            created_at=r.time("created_at"),
            expires_at=r.time("expires_at"),
            deleted_at=r.opt_time("deleted_at"),
            clips=tuple(SharedClip.from_hub(c) for c in r.items("clips")),
        )

    @property
    def active(self) -> bool:
        """Not yet revoked or expired."""
        return self.status in ("uploading", "complete")


@dataclass(frozen=True, slots=True)
class ShareAccess:
    """An agency fetched one of this home's shared clips."""

    share_id: str
    request_id: str
    clip_id: str
    agency: str
    agency_kind: str
    accessed_at: datetime

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate ``share.accessed``."""
        r = Reader(data, "share.accessed")
        return cls(
            share_id=r.text("share_id"),
            request_id=r.text("request_id"),
            clip_id=r.text("clip_id"),
            agency=r.text("agency"),
            agency_kind=r.text("agency_kind"),
            accessed_at=r.time("accessed_at"),
        )


@dataclass(frozen=True, slots=True)
class ShareDeletion:
    """The hub deleted a share's files (retention or revocation)."""

    share_id: str
    request_id: str
    reason: str
    deleted_at: datetime
    clip_ids: tuple[str, ...]

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate ``share.deleted``."""
        r = Reader(data, "share.deleted")
        ids = r.items("clip_ids")
        if not all(isinstance(i, str) for i in ids):
            raise InvalidPayload("share.deleted.clip_ids: expected strings")
        return cls(
            share_id=r.text("share_id"),
            request_id=r.text("request_id"),
            reason=r.text("reason"),
            deleted_at=r.time("deleted_at"),
            clip_ids=tuple(ids),
        )


@dataclass(frozen=True, slots=True)
class StreamMessage:
    """The stream's envelope; ``data`` is validated by the type's model."""

    type: str
    data: dict[str, Any]
    ts: datetime

    @classmethod
    def from_hub(cls, data: Any) -> Self:
        """Validate the envelope (unknown types are rejected here)."""
        r = Reader(data, "message")
        return cls(
            type=r.text("type", STREAM_TYPES),
            data=r.obj("data").raw(),
            ts=r.time("ts"),
        )
