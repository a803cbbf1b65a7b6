"""What the consent panel shows: requests, shares and ledger pages as plain JSON.

The panel and the card read everything through these builders (over the
WebSocket commands in ``websocket_api``), and the change feed compares their
output to decide when to tell the panel to fetch again, so a panel is told
exactly when what it would see has changed. Building never changes anything.

Clip URLs are signed by the caller (``sign``); without it they are left out,
which is the form the change feed compares (a signature changes every second).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Final

from homeassistant.util import dt as dt_util

from .clips import Clip
from .const import CONF_SHARE_RETENTION_DAYS, DEFAULT_SHARE_RETENTION_DAYS
from .data import PorchlightConfigEntry
from .ledger_chain import LedgerVerification
from .models import Share, VideoRequest
from .outbox_item import ITEM_DECISION, OutboxItem
from .service_schemas import RETENTION_MAX, RETENTION_MIN
from .views import clip_url

# Decided requests listed after the pending ones, newest first.
MAX_RECENT_REQUESTS: Final = 50
KIND_VIDEO: Final = "video"
KIND_SNAPSHOT: Final = "snapshot"

_DECISION_OF_STATUS: Final = {"shared": "share", "declined": "decline"}

type Signer = Callable[[str], str]
# One agency access to a shared clip, as the ledger recorded it.
type Access = dict[str, str]


def _iso(value: datetime | None) -> str | None:
    return dt_util.as_utc(value).isoformat() if value is not None else None


def _decision_items(entry: PorchlightConfigEntry) -> dict[str, OutboxItem]:
    """Queued decisions by request id (a request has at most one)."""
    return {
        item.request_id: item
        for item in entry.runtime_data.outbox.items()
        if item.kind == ITEM_DECISION
    }


def _waiting(item: OutboxItem | None) -> bool:
    """Whether the hub has yet to take the decision (uploads come after)."""
    return item is not None and not item.uploading


def _doorbell_name(entry: PorchlightConfigEntry, clip: Clip) -> str:
    """The doorbell's name as the household gave it, however damaged or gone."""
    doorbell = entry.runtime_data.doorbells.get(clip.doorbell)
    if doorbell is not None:
        return doorbell.config.name
    subentry = entry.subentries.get(clip.doorbell)
    if subentry is not None:
        return subentry.title
    return clip.camera


def clip_payload(
    entry: PorchlightConfigEntry, clip: Clip, sign: Signer | None
) -> dict[str, Any]:
    """A local clip, with a URL the browser can put in ``<img>``/``<video>``."""
    payload: dict[str, Any] = {
        "id": clip.clip_id,
        "doorbell": clip.doorbell,
        "doorbell_name": _doorbell_name(entry, clip),
        "start": _iso(clip.start),
        "end": _iso(clip.end),
        "kind": KIND_VIDEO if clip.content_type.startswith("video/") else KIND_SNAPSHOT,
        "content_type": clip.content_type,
        "size": clip.size,
    }
    if sign is not None:
        payload["url"] = sign(clip_url(entry.entry_id, clip.clip_id))
    return payload


def _shared_clip_ids(
    entry: PorchlightConfigEntry, request: VideoRequest, item: OutboxItem | None
) -> list[str]:
    """The clips shared for a decided request: the hub's shares, else the outbox's."""
    ids = [
        clip.clip_id
        for share in entry.runtime_data.coordinator.data.shares.values()
        if share.request_id == request.id
        for clip in share.clips
    ]
    if not ids and item is not None:
        ids = [str(c.get("clip_id")) for c in item.body.get("clips") or []]
    return list(dict.fromkeys(ids))


def request_payload(
    entry: PorchlightConfigEntry,
    request: VideoRequest,
    item: OutboxItem | None,
    clips: Iterable[Clip],
    sign: Signer | None,
) -> dict[str, Any]:
    """One request as the panel shows it."""
    # The hub's word, else the one waiting in the outbox, else the one shown
    # locally until the hub's answer arrives.
    decision = request.decision
    if decision is None and item is not None:
        decision = item.decision
    if decision is None:
        decision = _DECISION_OF_STATUS.get(request.status)
    share_id = request.share_id or (item.share_id if item is not None else None)
    return {
        "id": request.id,
        "agency": request.agency,
        "agency_kind": request.agency_kind,
        "case_number": request.case_number,
        "incident_type": request.incident_type,
        "description": request.description,
        "contact": request.contact,
        "window_start": _iso(request.window_start),
        "window_end": _iso(request.window_end),
        "area": {
            "latitude": request.latitude,
            "longitude": request.longitude,
            "radius_m": request.radius_m,
        },
        "distance_m": request.distance_m,
        "status": request.status,
        "decision": decision,
        "queued": _waiting(item),
        "share_id": share_id,
        "policy_violation": request.policy_violation,
        "created_at": _iso(request.created_at),
        "updated_at": _iso(request.updated_at),
        "expires_at": _iso(request.expires_at),
        "clips": [clip_payload(entry, clip, sign) for clip in clips],
    }


def retention_days(entry: PorchlightConfigEntry) -> dict[str, int]:
    """The "Keep for (days)" field's default and maximum.

    The hub may allow less than ``RETENTION_MAX`` (it says so only in its
    transparency report); it then refuses the share, and the refusal lands in
    the ledger like any other.
    """
    default = int(
        entry.options.get(CONF_SHARE_RETENTION_DAYS, DEFAULT_SHARE_RETENTION_DAYS)
    )
    return {
        "default_days": max(RETENTION_MIN, min(default, RETENTION_MAX)),
        "max_days": RETENTION_MAX,
    }


def requests_payload(
    entry: PorchlightConfigEntry, sign: Signer | None
) -> dict[str, Any]:
    """Pending requests (soonest expiry first) with their clips, then recent ones."""
    data = entry.runtime_data
    coordinator = data.coordinator
    items = _decision_items(entry)
    pending = coordinator.pending_requests()
    pending_ids = {r.id for r in pending}
    rest = sorted(
        (r for r in coordinator.data.requests.values() if r.id not in pending_ids),
        key=lambda r: r.updated_at,
        reverse=True,
    )[:MAX_RECENT_REQUESTS]
    listed = [
        request_payload(
            entry,
            request,
            items.get(request.id),
            data.clips.matching(request.window_start, request.window_end),
            sign,
        )
        for request in pending
    ]
    for request in rest:
        item = items.get(request.id)
        shared = (data.clips.get(i) for i in _shared_clip_ids(entry, request, item))
        listed.append(
            request_payload(
                entry, request, item, [c for c in shared if c is not None], sign
            )
        )
    home = coordinator.data.home
    return {
        "config_entry_id": entry.entry_id,
        "home": {"latitude": home.latitude, "longitude": home.longitude},
        "retention": retention_days(entry),
        "requests": listed,
    }


def _share_status(share: Share, revoking: bool) -> str:
    if revoking:
        return "queued"
    if share.active:
        return "active"
    return "revoked" if share.status == "revoked" else "deleted"


def _request_labels(
    entry: PorchlightConfigEntry, request_id: str
) -> tuple[str | None, str | None]:
    request = entry.runtime_data.coordinator.data.requests.get(request_id)
    if request is None:
        return None, None
    return request.agency, request.case_number


def _share_payload(
    entry: PorchlightConfigEntry, share: Share, revoking: bool, accesses: list[Access]
) -> dict[str, Any]:
    agency, case_number = _request_labels(entry, share.request_id)
    return {
        "share_id": share.share_id,
        "request_id": share.request_id,
        "agency": agency,
        "case_number": case_number,
        "status": _share_status(share, revoking),
        "queued": revoking,
        "retention_days": share.retention_days,
        "created_at": _iso(share.created_at),
        "expires_at": _iso(share.expires_at),
        "deleted_at": _iso(share.deleted_at),
        "clips": [
            {
                "clip_id": clip.clip_id,
                "camera": clip.camera,
                "start": _iso(clip.start),
                "end": _iso(clip.end),
                "content_type": clip.shown_content_type,
                "size": clip.size,
                "uploaded": clip.uploaded,
            }
            for clip in share.clips
        ],
        "accesses": sorted(accesses, key=lambda a: a["accessed_at"]),
    }


def _queued_share_payload(
    entry: PorchlightConfigEntry, item: OutboxItem
) -> dict[str, Any]:
    """A share the household decided on that the hub has not acknowledged yet."""
    agency, case_number = _request_labels(entry, item.request_id)
    body = item.body
    return {
        "share_id": None,
        "request_id": item.request_id,
        "agency": agency,
        "case_number": case_number,
        "status": "queued",
        "queued": True,
        "retention_days": body.get("retention_days"),
        "created_at": item.created_at,
        "expires_at": None,
        "deleted_at": None,
        "clips": [
            {
                "clip_id": clip.get("clip_id"),
                "camera": clip.get("camera"),
                "start": clip.get("start"),
                "end": clip.get("end"),
                "content_type": clip.get("inner_content_type")
                or clip.get("content_type"),
                "size": clip.get("size"),
                "uploaded": False,
            }
            for clip in body.get("clips") or []
        ],
        "accesses": [],
    }


def shares_payload(
    entry: PorchlightConfigEntry, accesses: dict[str, list[Access]]
) -> dict[str, Any]:
    """Active shares (soonest expiry first), then ended ones, newest first.

    A share still waiting in the outbox (decided, not yet acknowledged by the
    hub) is listed as ``queued`` without a share id; so is a share whose
    revocation waits there (any outbox item other than a decision that names
    the share's id).
    """
    outbox_items = entry.runtime_data.outbox.items()
    revoking = {
        item.share_id
        for item in outbox_items
        if item.kind != ITEM_DECISION and item.share_id is not None
    }
    shares = list(entry.runtime_data.coordinator.data.shares.values())
    live = sorted(
        (s for s in shares if s.active or s.share_id in revoking),
        key=lambda s: s.expires_at,
    )
    ended = sorted(
        (s for s in shares if not s.active and s.share_id not in revoking),
        key=lambda s: s.deleted_at or s.created_at,
        reverse=True,
    )
    queued = [
        _queued_share_payload(entry, item)
        for item in outbox_items
        if item.kind == ITEM_DECISION
        and item.decision == "share"
        and not item.uploading
    ]
    listed = queued + [
        _share_payload(
            entry, share, share.share_id in revoking, accesses.get(share.share_id, [])
        )
        for share in live + ended
    ]
    return {"config_entry_id": entry.entry_id, "shares": listed}


def ledger_page(
    entries: list[Any], verification: LedgerVerification, count: int, head: str
) -> dict[str, Any]:
    """A page of the ledger (newest first) with the chain's verification."""
    result: dict[str, Any] = {
        "verified": verification.ok,
        "count": count,
        "head": head,
        "entries": entries,
    }
    if not verification.ok:
        result["problem"] = (
            f"The hash chain does not verify from entry {verification.broken_at} on:"
            " an entry was changed, removed or damaged."
        )
    return result
