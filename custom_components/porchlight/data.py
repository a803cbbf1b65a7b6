"""Runtime data kept on a Porchlight config entry."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

from .api import HubHealth, PorchlightClient

if TYPE_CHECKING:
    from .clips import ClipLibrary
    from .coordinator import PorchlightCoordinator
    from .doorbell import Doorbell
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
    # The adopted doorbells, by config subentry id.
    doorbells: dict[str, Doorbell] = field(default_factory=dict)
    # The home's device registry id, which doorbell devices hang under.
    home_device_id: str = ""


type PorchlightConfigEntry = ConfigEntry[PorchlightData]
