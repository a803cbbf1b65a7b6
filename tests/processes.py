"""Real processes for the tests that need them: a hub and a Home Assistant.

Most of the suite runs Home Assistant in the test's own event loop (the
harness), which is fast but cannot show what a user's installation does: a
real start with its own log, the HTTP and WebSocket APIs the frontend uses,
or a process that dies. These helpers start the real programs on 127.0.0.1,
each in its own process, drive them only through their public APIs, and
always stop them, with every wait bounded.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import socket
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Any, Final

import aiohttp
import yaml

REPO: Final = Path(__file__).resolve().parent.parent
DEVELOP_CONFIG: Final = REPO / "config"
START_TIMEOUT: Final = 120.0
STOP_TIMEOUT: Final = 30.0


def demo_home() -> tuple[float, float]:
    """Where scripts/develop's Home Assistant is: the hub must place the home there."""
    text = (DEVELOP_CONFIG / "configuration.yaml").read_text().replace("!include", "")
    core = yaml.safe_load(text)["homeassistant"]
    return float(core["latitude"]), float(core["longitude"])


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def hub_cli(*args: str) -> str:
    """Run ``porchlight-hub`` as an operator would; its last line."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "porchlight_hub", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    if proc.returncode != 0:
        raise RuntimeError(f"porchlight-hub {args[:2]} failed: {err.decode()}")
    return out.decode().strip().splitlines()[-1]


async def stop_process(proc: asyncio.subprocess.Process) -> int | None:
    """SIGTERM, then SIGKILL if it will not go in time; its exit code."""
    if proc.returncode is None:
        proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(proc.wait(), STOP_TIMEOUT)
        except TimeoutError:
            proc.kill()
            await proc.wait()
    return proc.returncode


async def _wait_until_answers(
    session: aiohttp.ClientSession,
    url: str,
    proc: asyncio.subprocess.Process,
    log: Path,
) -> None:
    """Until ``url`` answers 200; fail early (with the log) if the process died."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + START_TIMEOUT
    while loop.time() < deadline:
        if proc.returncode is not None:
            raise RuntimeError(f"{url}: the process exited; its log:\n{_tail(log)}")
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as r:
                if r.status == 200:
                    return
        await asyncio.sleep(0.25)
    raise RuntimeError(f"{url} did not answer in {START_TIMEOUT:.0f} s:\n{_tail(log)}")


def _tail(path: Path, size: int = 6000) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else ""


async def wait_for(check: Callable[[], Awaitable[Any]], within: float) -> Any:
    """Poll ``check`` until it returns something true; that, or fail in time."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if result := await check():
            return result
        if loop.time() > deadline:
            raise AssertionError(f"not within {within} s")
        await asyncio.sleep(0.5)


@dataclass(slots=True)
class HubProcess:
    """``porchlight-hub serve`` in its own process, set up from its CLI."""

    folder: Path
    db_url: str
    port: int
    process: asyncio.subprocess.Process | None = None
    # More ``serve`` options (``--tiles URL``, say).
    serve_args: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Serve from the same database and media folder as before."""
        log = self.folder / "hub.log"
        with log.open("ab") as out:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "porchlight_hub", "serve",
                "--db", self.db_url, "--media", str(self.folder / "media"),
                "--port", str(self.port), "--no-zeroconf", *self.serve_args,
                stdout=out, stderr=out,
            )  # fmt: skip
        async with aiohttp.ClientSession() as session:
            await _wait_until_answers(
                session, f"{self.url}/api/v1/health", self.process, log
            )

    async def stop(self) -> None:
        if self.process is not None:
            await stop_process(self.process)
            self.process = None

    async def add_home(self, name: str, latitude: float, longitude: float) -> str:
        """The operator adds a home; its one-time pairing code."""
        return await hub_cli(
            "home", "add", "--db", self.db_url, "--name", name,
            "--lat", str(latitude), "--lon", str(longitude),
        )  # fmt: skip


@contextlib.asynccontextmanager
async def hub_process(folder: Path, *serve_args: str) -> AsyncIterator[HubProcess]:
    """A hub for the block, on a free port; always stopped."""
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    db_url = f"sqlite+aiosqlite:///{folder / 'hub.db'}"
    hub = HubProcess(folder, db_url, free_port(), serve_args=serve_args)
    await hub_cli("serve", "--help")  # the package imports: fail fast if not
    await hub.start()
    try:
        yield hub
    finally:
        await hub.stop()


def develop_config(target: Path, port: int) -> Path:
    """A copy of scripts/develop's config/, on its own port, for one test.

    The demo camera and the integration are linked, not copied, so the test
    runs this checkout's code.
    """
    target.mkdir(parents=True, exist_ok=True)
    yaml = (DEVELOP_CONFIG / "configuration.yaml").read_text()
    yaml += f"\nhttp:\n  server_host: 127.0.0.1\n  server_port: {port}\n"
    (target / "configuration.yaml").write_text(yaml)
    shutil.copy(DEVELOP_CONFIG / "demo_doorbell.jpg", target)
    for name in ("automations.yaml", "scripts.yaml", "scenes.yaml"):
        (target / name).write_text("[]\n" if name == "automations.yaml" else "")
    components = target / "custom_components"
    components.mkdir(exist_ok=True)
    (components / "porchlight").symlink_to(REPO / "custom_components" / "porchlight")
    (components / "porchlight_demo").symlink_to(
        DEVELOP_CONFIG / "custom_components" / "porchlight_demo"
    )
    return target


@dataclass(slots=True)
class HomeAssistant:
    """A running Home Assistant process, onboarded, with an admin's token."""

    config: Path
    port: int
    process: asyncio.subprocess.Process
    session: aiohttp.ClientSession
    token: str = ""
    refresh_token: str = ""
    _ws: aiohttp.ClientWebSocketResponse | None = None
    _ids: count[int] = field(default_factory=lambda: count(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.config / "home-assistant.log"

    async def onboard(self) -> None:
        """Create the owner as the onboarding screens do, and log in."""
        client_id = f"{self.url}/"
        created = await self.rest(
            "POST",
            "/api/onboarding/users",
            {
                "client_id": client_id,
                "name": "Test Owner",
                "username": "owner",
                "password": "a-test-password",
                "language": "en",
            },
            auth=False,
        )
        tokens = await self.tokens_for(created["auth_code"])
        self.token = tokens["access_token"]
        self.refresh_token = tokens["refresh_token"]
        await self.rest("POST", "/api/onboarding/core_config", {})
        await self.rest("POST", "/api/onboarding/analytics", {})
        await self.rest(
            "POST",
            "/api/onboarding/integration",
            {"client_id": client_id, "redirect_uri": f"{client_id}?auth_callback=1"},
        )
        # Home Assistant 2026.10 runs the YAML's http: section (our port) as
        # a trial that reverts itself after 5 minutes unless confirmed, as
        # its dialog asks; 2025.4 has no such trial (nor the command).
        try:
            await self.ws({"type": "http/config/promote"})
        except RuntimeError as err:
            if "unknown_command" not in str(err):
                raise

    async def tokens_for(self, code: str) -> dict[str, Any]:
        """An authorization code for an access and a refresh token."""
        async with self.session.post(
            f"{self.url}/auth/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "client_id": f"{self.url}/",
            },
        ) as resp:
            resp.raise_for_status()
            tokens: dict[str, Any] = await resp.json()
        return tokens

    async def rest(
        self, method: str, path: str, body: Any = None, *, auth: bool = True
    ) -> Any:
        """Call the REST API; a non-2xx answer raises with its body."""
        headers = {"Authorization": f"Bearer {self.token}"} if auth else {}
        async with self.session.request(
            method, f"{self.url}{path}", json=body, headers=headers
        ) as resp:
            text = await resp.text()
            if resp.status >= 300:
                raise RuntimeError(f"{method} {path}: {resp.status} {text}")
            return await resp.json() if text else None

    async def ws(self, message: dict[str, Any]) -> Any:
        """Send one WebSocket command and return its result (errors raise)."""
        if self._ws is None:
            self._ws = await self.session.ws_connect(f"{self.url}/api/websocket")
            await self._ws.receive_json(timeout=10)  # auth_required
            await self._ws.send_json({"type": "auth", "access_token": self.token})
            answer = await self._ws.receive_json(timeout=10)
            if answer.get("type") != "auth_ok":
                raise RuntimeError(f"WebSocket login refused: {answer}")
        msg_id = next(self._ids)
        await self._ws.send_json({**message, "id": msg_id})
        while True:
            answer = await self._ws.receive_json(timeout=30)
            if answer.get("id") == msg_id and answer.get("type") == "result":
                if not answer["success"]:
                    raise RuntimeError(f"{message['type']}: {answer['error']}")
                return answer["result"]

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None


@contextlib.asynccontextmanager
async def home_assistant(
    config: Path, port: int, *, ready: str = "/api/onboarding"
) -> AsyncIterator[HomeAssistant]:
    """Start ``python -m homeassistant`` on ``config``; stopped at the end.

    ``ready`` is the path that answers once it serves: the onboarding status
    on a first start (it is gone once onboarded), ``/auth/providers`` after.

    ``--skip-pip``: every requirement is installed by scripts/setup, and a
    test must never reach for the internet.
    """
    console = config / "console.log"
    with console.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "homeassistant", "-c", str(config), "--skip-pip",
            stdout=out, stderr=out,
            # Not the repository: `python -m` puts the working directory first
            # on sys.path, where its custom_components would shadow the
            # config's (which holds the demo camera too).
            cwd=config,
        )  # fmt: skip
    async with aiohttp.ClientSession() as session:
        hass = HomeAssistant(config, port, proc, session)
        try:
            await _wait_until_answers(session, f"{hass.url}{ready}", proc, console)
            yield hass
        except BaseException:
            sys.stderr.write(_tail(hass.log) or _tail(console))
            raise
        finally:
            await hass.close()
            await stop_process(proc)


@dataclass(frozen=True, slots=True)
class Newcomer:
    """A home paired with the hub through the UI, with the demo doorbell."""

    entry_id: str
    ring_entity: str


async def pair_and_adopt(
    hass: HomeAssistant, hub: HubProcess, code: str, *, url: str | None = None
) -> Newcomer:
    """What a newcomer does in Settings: pair with the hub, add the demo doorbell.

    The doorbell records 3 s per ring, the shortest allowed; the demo camera
    only gives snapshots, so each ring stores JPEG clips (start = end), one
    every 2 s of the recording. ``url`` pairs through another address (a
    fault proxy in front of the hub).
    """
    flow = await hass.rest(
        "POST", "/api/config/config_entries/flow", {"handler": "porchlight"}
    )
    assert flow["step_id"] == "user", flow
    done = await hass.rest(
        "POST",
        f"/api/config/config_entries/flow/{flow['flow_id']}",
        {"url": url or hub.url, "pairing_code": code},
    )
    assert done["type"] == "create_entry", done
    entry_id = done["result"]["entry_id"]
    flow = await hass.rest(
        "POST",
        "/api/config/config_entries/subentries/flow",
        {"handler": [entry_id, "doorbell"]},
    )
    done = await hass.rest(
        "POST",
        f"/api/config/config_entries/subentries/flow/{flow['flow_id']}",
        {
            "name": "Front door",
            "camera_entity": "camera.demo_doorbell_camera",
            "trigger_entity": "input_button.demo_doorbell",
            "record_seconds": 3,
        },
    )
    assert done["type"] == "create_entry", done

    async def ring_entity() -> str | None:
        rings = [
            state["entity_id"]
            for state in await hass.rest("GET", "/api/states")
            if state["entity_id"].startswith("event.")
            and state["attributes"].get("event_types") == ["ring"]
        ]
        return rings[0] if rings else None

    return Newcomer(entry_id, await wait_for(ring_entity, within=30))


async def recorded_clips(hass: HomeAssistant) -> list[dict[str, Any]]:
    """Every clip in the home's library (``porchlight.list_clips``)."""
    listed = await hass.ws(
        {
            "type": "call_service",
            "domain": "porchlight",
            "service": "list_clips",
            "service_data": {},
            "return_response": True,
        }
    )
    clips: list[dict[str, Any]] = listed["response"]["clips"]
    return clips


async def ring(hass: HomeAssistant, newcomer: Newcomer) -> None:
    """Press the demo doorbell and wait until its ring event shows."""
    path = f"/api/states/{newcomer.ring_entity}"
    before = (await hass.rest("GET", path))["state"]
    await hass.rest(
        "POST",
        "/api/services/input_button/press",
        {"entity_id": "input_button.demo_doorbell"},
    )

    async def rang() -> bool:
        state = await hass.rest("GET", path)
        return bool(
            state["state"] != before and state["attributes"].get("event_type") == "ring"
        )

    await wait_for(rang, within=15)
