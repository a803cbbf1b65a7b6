"""Repair issues for what the outbox had to give up.

A decision, revocation or clip the hub never took must not vanish into the
log: the household sees what failed, in its own language, and can act.
"""

from __future__ import annotations

from typing import Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir

from .api import PorchlightError, PorchlightRequestError
from .const import DOMAIN
from .outbox_item import ITEM_REVOCATION, OutboxItem

_MAX_REASON: Final = 300


def delivery_issue_id(entry_id: str, item_id: str) -> str:
    """The repair issue telling that one queued item was given up."""
    return f"delivery_failed_{entry_id}_{item_id}"


def raise_delivery_issue(
    hass: HomeAssistant, entry_id: str, item: OutboxItem, error: PorchlightError
) -> None:
    """The hub will never take this decision or revocation."""
    if isinstance(error, PorchlightRequestError):
        reason = error.message or error.code or f"HTTP {error.status}"
    else:
        reason = str(error) or "the hub kept failing"
    key = "revocation_failed" if item.kind == ITEM_REVOCATION else "decision_failed"
    ir.async_create_issue(
        hass,
        DOMAIN,
        delivery_issue_id(entry_id, item.id),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=key,
        translation_placeholders={
            "decision": item.decision,
            "request_id": item.request_id,
            "share_id": str(item.share_id),
            "reason": reason[:_MAX_REASON],
        },
    )


def raise_clip_issue(
    hass: HomeAssistant, entry_id: str, item: OutboxItem, clip_id: str, reason: str
) -> None:
    """One clip of a share was not uploaded; the others still went."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        delivery_issue_id(entry_id, f"{item.id}_{clip_id}"),
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key="clip_upload_failed",
        translation_placeholders={
            "clip_id": clip_id,
            "share_id": str(item.share_id),
            "request_id": item.request_id,
            "reason": reason[:_MAX_REASON],
        },
    )
