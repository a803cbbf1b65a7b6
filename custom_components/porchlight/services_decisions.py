"""The household's decisions: share, decline, revoke.

Each is checked completely before anything is queued, then kept in the
outbox, so a decision survives the hub being down or Home Assistant dying;
the handler waits only briefly for the hub's answer.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse

from .api import PorchlightNotFound
from .clips import Clip
from .const import CONF_SHARE_RETENTION_DAYS, DEFAULT_SHARE_RETENTION_DAYS
from .data import PorchlightConfigEntry, PorchlightData
from .models import OUT_OF_POLICY, VideoRequest
from .outbox_item import AlreadyQueued
from .sealed_share import async_seal_manifest
from .service_common import hub_error, invalid, resolve_entry
from .service_schemas import (
    ATTR_CLIP_IDS,
    ATTR_REQUEST_ID,
    ATTR_RETENTION_DAYS,
    ATTR_SHARE_ID,
    RETENTION_MAX,
    RETENTION_MIN,
)

# How long a share waits for the hub's answer before reporting "queued".
SHARE_ACK_TIMEOUT: Final = 5.0


def _undecided_request(data: PorchlightData, request_id: str) -> VideoRequest:
    """The request, if it still waits for this household's decision."""
    request = data.coordinator.data.requests.get(request_id)
    if request is None:
        raise invalid("unknown_request", request_id=request_id)
    if data.outbox.pending_decision(request_id) is not None:
        raise invalid("request_already_decided", request_id=request_id)
    if request.status == OUT_OF_POLICY:
        # The home's own checks refused it (DESIGN.md §2.5): never offered.
        raise invalid(
            "request_out_of_policy",
            request_id=request_id,
            rule=str(request.policy_violation),
        )
    if not request.pending:
        raise invalid(
            "request_not_pending", request_id=request_id, status=request.status
        )
    return request


def _retention(entry: PorchlightConfigEntry, call: ServiceCall) -> int:
    days = call.data.get(ATTR_RETENTION_DAYS)
    if days is None:
        days = entry.options.get(
            CONF_SHARE_RETENTION_DAYS, DEFAULT_SHARE_RETENTION_DAYS
        )
    days = int(days)
    if not RETENTION_MIN <= days <= RETENTION_MAX:
        raise invalid(
            "invalid_retention",
            retention_days=str(days),
            minimum=str(RETENTION_MIN),
            maximum=str(RETENTION_MAX),
        )
    return days


async def _share(
    hass: HomeAssistant,
    data: PorchlightData,
    request: VideoRequest,
    retention_days: int,
    clips: list[Clip],
) -> ServiceResponse:
    """Seal every clip to the agency, queue the share, wait briefly for the hub.

    Sealing reads each file, so it also checks them before anything is
    queued: the household agrees to share what was recorded, so one missing
    or altered file refuses the whole share rather than silently sending
    less. Clips are sealed only to the agency's pinned recipient. When the
    hub does not answer within ``SHARE_ACK_TIMEOUT`` the share stays queued
    (and is delivered later); the response then has ``share_id: null`` and
    ``status: queued``.
    """
    request_id = request.id
    recipient = data.coordinator.trust.recipient_for(request)
    if recipient is None:  # pragma: no cover - vetting refuses such requests
        raise invalid(
            "request_out_of_policy", request_id=request_id, rule="unsigned_request"
        )
    sealed = await async_seal_manifest(hass, data.clips, clips, recipient)
    if sealed.damaged:
        raise invalid("clip_damaged", clip_ids=", ".join(sealed.damaged))
    # The shared clips' index records must be on disk before the decision
    # is: after a crash, the outbox finds the files by them.
    await data.clips.async_flush()
    try:
        item = await data.outbox.async_enqueue_decision(
            request_id,
            "share",
            retention_days=retention_days,
            clips=sealed.clips,
            seals=sealed.seals,
            recipient_fingerprint=sealed.recipient_fingerprint,
        )
    except AlreadyQueued as err:  # pragma: no cover - raced with the checks
        raise invalid("request_already_decided", request_id=request_id) from err
    data.coordinator.async_mark_decided(request_id, "shared")
    share_id = await data.outbox.async_wait_delivered(item, SHARE_ACK_TIMEOUT)
    if share_id is not None:
        status = "shared"
    elif data.outbox.pending_decision(request_id) is item:
        status = "queued"
    else:
        status = "refused"
    return {
        "share_id": share_id,
        "status": status,
        "retention_days": retention_days,
        "clips": [c.describe() for c in clips],
    }


def _share_call(
    hass: HomeAssistant, call: ServiceCall
) -> tuple[PorchlightData, VideoRequest, int]:
    """What both shares check first: the entry, an undecided request, the days."""
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    request = _undecided_request(data, call.data[ATTR_REQUEST_ID])
    return data, request, _retention(entry, call)


async def share_all(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Share every clip in the request's window; with none, refuse."""
    data, request, retention_days = _share_call(hass, call)
    clips = data.clips.matching(request.window_start, request.window_end)
    if not clips:
        raise invalid("no_matching_clips", request_id=request.id)
    return await _share(hass, data, request, retention_days, clips)


async def share_clips(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Share the chosen clips, each of which must lie in the request's window."""
    data, request, retention_days = _share_call(hass, call)
    request_id = request.id
    clip_ids: list[str] = list(dict.fromkeys(call.data[ATTR_CLIP_IDS]))
    if not clip_ids:
        raise invalid("no_clips_selected")
    in_window = {
        c.clip_id for c in data.clips.matching(request.window_start, request.window_end)
    }
    clips: list[Clip] = []
    for clip_id in clip_ids:
        clip = data.clips.get(clip_id)
        if clip is None:
            raise invalid("unknown_clip", clip_id=clip_id)
        if clip_id not in in_window:
            raise invalid("clip_not_in_window", clip_id=clip_id, request_id=request_id)
        clips.append(clip)
    clips.sort(key=lambda c: c.start)
    return await _share(hass, data, request, retention_days, clips)


async def decline(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Queue the decline; it is delivered even if the hub is down now."""
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    request_id: str = call.data[ATTR_REQUEST_ID]
    _undecided_request(data, request_id)
    try:
        await data.outbox.async_enqueue_decision(request_id, "decline")
    except AlreadyQueued as err:  # pragma: no cover - raced with the check above
        raise invalid("request_already_decided", request_id=request_id) from err
    data.coordinator.async_mark_decided(request_id, "declined")
    return {"request_id": request_id, "decision": "decline", "status": "queued"}


async def revoke_share(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Queue the revocation like a decision, and wait briefly for the hub.

    An unreachable hub does not refuse the household's revoke: it is kept in
    the outbox and delivered when the hub is back (status ``queued``).
    """
    entry = resolve_entry(hass, call)
    data = entry.runtime_data
    share_id: str = call.data[ATTR_SHARE_ID]
    share = data.coordinator.data.shares.get(share_id)
    if share is None:
        raise invalid("unknown_share", share_id=share_id)
    if not share.active:
        raise invalid("share_not_active", share_id=share_id, status=share.status)
    item = await data.outbox.async_enqueue_revocation(share_id, share.request_id)
    outcome = await data.outbox.async_wait(item, SHARE_ACK_TIMEOUT)
    if outcome is None or not (outcome.delivered or outcome.error):
        return {"share_id": share_id, "status": "queued"}
    if isinstance(outcome.error, PorchlightNotFound):
        raise invalid("unknown_share", share_id=share_id)
    if outcome.error is not None:
        raise hub_error(outcome.error)
    return {"share_id": share_id, "status": "revoked"}
