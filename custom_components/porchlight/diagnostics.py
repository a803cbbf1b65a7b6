"""Diagnostics: enough to debug a hub connection, nothing that identifies."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.const import CONF_TOKEN
from homeassistant.core import HomeAssistant

from .data import PorchlightConfigEntry

TO_REDACT: Final = {
    CONF_TOKEN,
    "token",
    "latitude",
    "longitude",
    "contact",
    "description",
    "name",
    "title",
    "idempotency_key",
    # Each queued upload's seal: its seed is key material for that clip.
    "seal",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: PorchlightConfigEntry
) -> dict[str, Any]:
    """Entry, state summary, outbox and ledger health, redacted."""
    data = entry.runtime_data
    coordinator = data.coordinator
    state = coordinator.data
    verification = await data.ledger.async_verify()
    return async_redact_data(
        {
            "entry": {
                "title": entry.title,
                "data": dict(entry.data),
                "options": dict(entry.options),
            },
            "hub": dataclasses.asdict(data.health),
            "connection": {
                "stream_connected": data.listener.connected,
                "last_update_success": coordinator.last_update_success,
            },
            "home": dataclasses.asdict(state.home),
            "requests": [
                {
                    "id": r.id,
                    "agency_kind": r.agency_kind,
                    "incident_type": r.incident_type,
                    "status": r.status,
                    "contact": r.contact,
                    "expires_at": r.expires_at.isoformat(),
                }
                for r in state.requests.values()
            ],
            "alerts": len(state.alerts),
            "shares": [
                {"share_id": s.share_id, "status": s.status, "clips": len(s.clips)}
                for s in state.shares.values()
            ],
            "outbox": [item.to_dict() for item in data.outbox.items()],
            "doorbells": [
                {
                    "subentry_id": subentry_id,
                    "name": doorbell.config.name,
                    "camera_entity": doorbell.config.camera_entity,
                    "trigger_entity": doorbell.config.trigger_entity,
                    "motion_entity": doorbell.config.motion_entity,
                    "record_seconds": doorbell.config.record_seconds,
                    "recording": doorbell.recorder.recording,
                    "clips": data.clips.count_for(subentry_id),
                }
                for subentry_id, doorbell in data.doorbells.items()
            ],
            "clips": len(data.clips),
            "ledger": dataclasses.asdict(verification),
        },
        TO_REDACT,
    )
