"""Runtime data kept on a Porchlight config entry."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .api import HubHealth, PorchlightClient


@dataclass(slots=True)
class PorchlightData:
    """What a loaded entry holds: the hub client and what the hub said."""

    client: PorchlightClient
    health: HubHealth


type PorchlightConfigEntry = ConfigEntry[PorchlightData]
