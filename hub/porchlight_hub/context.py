"""The objects every handler needs, kept on the aiohttp application."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from .broker import Broker
from .cache import PublicCache
from .clock import Clock
from .proxy import Proxies
from .security import FailureLimiter
from .settings import Settings


@dataclass(slots=True)
class Hub:
    """Shared state of one running hub."""

    settings: Settings
    engine: AsyncEngine
    clock: Clock
    broker: Broker
    pair_limiter: FailureLimiter
    hub_id: str
    media_dir: Path
    signin_limiter: FailureLimiter
    agency_signin_limiter: FailureLimiter
    proxies: Proxies = field(default_factory=Proxies)
    public_cache: PublicCache = field(default_factory=lambda: PublicCache(5.0))

    def requests_changed(self) -> None:
        """A request was made, ended or answered: the public log is stale."""
        self.public_cache.changed()

    @property
    def shares_dir(self) -> Path:
        """Where uploaded clips live, one folder per share."""
        return self.media_dir / "shares"

    @property
    def tmp_dir(self) -> Path:
        """Uploads in progress; never served, cleaned at start-up."""
        return self.media_dir / "tmp"


HUB: web.AppKey[Hub] = web.AppKey("porchlight_hub", Hub)


def hub_of(request: web.Request) -> Hub:
    """The hub serving this request."""
    return request.app[HUB]
