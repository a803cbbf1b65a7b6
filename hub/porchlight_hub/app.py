"""Building and running the hub's web application."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable

from aiohttp import web
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from . import db
from .advertise import Advertiser
from .api import agency as api_agency
from .api import alerts as api_alerts
from .api import home as api_home
from .api import intake as api_intake
from .api import portal as api_portal
from .api import public as api_public
from .api import public_log as api_public_log
from .api import requests as api_requests
from .api import session as api_session
from .api import shares as api_shares
from .api import stream as api_stream
from .api import transparency as api_transparency
from .broker import Broker
from .cache import PublicCache
from .clock import Clock, SystemClock
from .context import HUB, Hub
from .errors import error_middleware
from .proxy import Proxies
from .security import FailureLimiter, new_id
from .settings import Settings
from .sweeper import sweeper_ctx
from .web import public_page, static
from .web.headers import add_security_headers

_LOGGER = logging.getLogger(__name__)

ROUTE_TABLES = (
    api_public.routes,
    api_transparency.routes,
    api_home.routes,
    api_alerts.routes,
    api_requests.routes,
    api_shares.routes,
    api_intake.routes,
    api_session.routes,
    api_portal.routes,
    api_agency.routes,
    api_stream.routes,
    api_public_log.routes,
    public_page.routes,
    static.routes,
)


async def hub_identity(engine: AsyncEngine) -> str:
    """The hub's permanent id, made on first start."""
    async with engine.begin() as conn:
        found = (
            await conn.execute(select(db.meta.c.value).where(db.meta.c.key == "hub_id"))
        ).scalar_one_or_none()
        if found is not None:
            return str(found)
        hub_id = new_id("hub")
        await conn.execute(insert(db.meta).values(key="hub_id", value=hub_id))
        return hub_id


async def open_database(url: str) -> AsyncEngine:
    """An engine on a database whose schema exists."""
    engine = db.make_engine(url)
    await db.create_schema(engine)
    return engine


async def create_app(settings: Settings, clock: Clock | None = None) -> web.Application:
    """Open storage and assemble the application; call inside a running loop."""
    engine = await open_database(settings.db_url)
    clock = clock or SystemClock()
    hub = Hub(
        settings=settings,
        engine=engine,
        clock=clock,
        broker=Broker(clock, settings.stream_queue_size),
        pair_limiter=FailureLimiter(
            settings.pair_failures_allowed, settings.pair_failure_window_s
        ),
        hub_id=await hub_identity(engine),
        media_dir=settings.media_dir.resolve(),
        signin_limiter=FailureLimiter(
            settings.signin_failures_allowed, settings.signin_failure_window_s
        ),
        agency_signin_limiter=FailureLimiter(
            settings.signins_per_agency, settings.signin_agency_window_s
        ),
        proxies=Proxies(settings.trusted_proxies),
        public_cache=PublicCache(settings.public_cache_s),
    )
    hub.shares_dir.mkdir(parents=True, exist_ok=True)
    hub.tmp_dir.mkdir(parents=True, exist_ok=True)
    app = web.Application(middlewares=[error_middleware], client_max_size=256 * 1024)
    app[HUB] = hub
    app[api_stream.SOCKETS] = api_stream.Sockets()
    for table in ROUTE_TABLES:
        app.add_routes(table)
    app.on_response_prepare.append(add_security_headers)  # type: ignore[arg-type]
    app.cleanup_ctx.append(sweeper_ctx)
    app.on_shutdown.append(api_stream.close_sockets)  # type: ignore[arg-type]

    async def dispose(_app: web.Application) -> None:
        await engine.dispose()

    app.on_cleanup.append(dispose)  # type: ignore[arg-type]
    return app


@contextlib.asynccontextmanager
async def running_hub(
    settings: Settings, clock: Clock | None = None
) -> AsyncIterator[tuple[web.AppRunner, int]]:
    """Serve the hub until the block ends; yields the runner and bound port."""
    app = await create_app(settings, clock)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, settings.host, settings.port)
        await site.start()
        yield runner, int(runner.addresses[0][1])
    finally:
        await runner.cleanup()


async def serve(settings: Settings) -> None:
    """Run until SIGINT or SIGTERM."""
    await run_until_signalled(lambda stop: _serve_until(settings, stop))


async def run_until_signalled(
    main: Callable[[asyncio.Event], Awaitable[None]],
) -> None:
    """Run ``main`` with an event that SIGINT or SIGTERM sets."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await main(stop)
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.remove_signal_handler(sig)


def public_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches the hub."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 - comparing, not binding
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"


@contextlib.asynccontextmanager
async def announced(settings: Settings, hub_id: str, port: int) -> AsyncIterator[None]:
    """Advertise the hub over zeroconf (if enabled) and say where it serves.

    The "serving on" line is printed last: scripts wait for it.
    """
    advertiser: Advertiser | None = None
    if settings.zeroconf:
        advertiser = Advertiser(settings.name, hub_id, settings.host, port)
        try:
            await advertiser.start()
        except OSError:
            _LOGGER.warning("Zeroconf advertising failed; clients must enter the URL")
            advertiser = None
    _LOGGER.info(
        "Porchlight hub %s serving on http://%s:%s", hub_id, settings.host, port
    )
    base = public_url(settings.host, port)
    print(f"Agency portal: {base}/agency/  (public page: {base}/)", flush=True)
    print(f"Porchlight hub serving on http://{settings.host}:{port}", flush=True)
    try:
        yield
    finally:
        if advertiser is not None:
            await advertiser.stop()


async def _serve_until(settings: Settings, stop: asyncio.Event) -> None:
    async with (
        running_hub(settings) as (runner, port),
        announced(settings, runner.app[HUB].hub_id, port),
    ):
        await stop.wait()
