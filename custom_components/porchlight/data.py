"""Runtime data kept on a Porchlight config entry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .api import HubHealth, PorchlightClient

if TYPE_CHECKING:
    from .clips import ClipLibrary
    from .coordinator import PorchlightCoordinator
    from .ledger import ConsentLedger
    from .listener import StreamListener
    from .outbox import Outbox


@dataclass(slots=True)
class PorchlightData:
    """What a loaded entry holds."""

    client: PorchlightClient
    health: HubHealth
    ledger: ConsentLedger
    outbox: Outbox
    clips: ClipLibrary
    coordinator: PorchlightCoordinator
    listener: StreamListener


type PorchlightConfigEntry = ConfigEntry[PorchlightData]
