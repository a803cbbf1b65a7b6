"""A Node script driving real Chromium, run as a process the test talks to.

The browser tests' scripts (tests/browser/) use playwright-core from
frontend/node_modules and Debian's chromium. A script and its test talk over
the script's stdin and stdout in JSON lines (tests/browser/channel.mjs): the
script asks, the test does the asked thing (for instance as an agency, with
the helpers that alone know how an agency authenticates) and answers, and the
script ends with its report of what the browser showed.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Final

import pytest

from .processes import REPO, HomeAssistant, stop_process

PLAYWRIGHT: Final = REPO / "frontend" / "node_modules" / "playwright-core"
CHROMIUM: Final = os.environ.get("CHROMIUM", "/usr/bin/chromium")

DESKTOP: Final = (1280, 800)
PHONE: Final = (390, 844)

type Answer = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]


def png_size(path: Path) -> tuple[int, int]:
    """A PNG's width and height, from its header."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def copy_screenshots(shots: Path, env: str, names: tuple[str, ...]) -> None:
    """With ``env`` naming a folder (``docs/screenshots``), copy the PNGs there."""
    if target := os.environ.get(env):
        folder = REPO / target  # an absolute DIR stays itself
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(shots / name, folder / name)


async def add_member(
    hass: HomeAssistant, name: str, username: str, password: str
) -> dict[str, Any]:
    """A household member who is not an administrator, logged in; their tokens.

    Added as Settings → People does, logged in through the login form's API:
    the tokens the frontend keeps (``hassTokens``) for a browser to use.
    """
    user = await hass.ws(
        {"type": "config/auth/create", "name": name, "group_ids": ["system-users"]}
    )
    await hass.ws(
        {
            "type": "config/auth_provider/homeassistant/create",
            "user_id": user["user"]["id"],
            "username": username,
            "password": password,
        }
    )
    client_id = f"{hass.url}/"
    flow = await hass.rest(
        "POST",
        "/auth/login_flow",
        {
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": f"{client_id}?auth_callback=1",
        },
        auth=False,
    )
    done = await hass.rest(
        "POST",
        f"/auth/login_flow/{flow['flow_id']}",
        {"client_id": client_id, "username": username, "password": password},
        auth=False,
    )
    if done.get("type") != "create_entry":
        raise RuntimeError(f"login refused: {done.get('errors')}")
    return await hass.tokens_for(done["result"])


def browser_tools() -> str:
    """Node.js; or fail, saying how to get what the browser tests need.

    A failure, not a skip: a missing browser must not pass for a checked
    panel. scripts/test installs playwright-core (scripts/frontend install);
    the newest line's sid root has Node.js and Chromium (scripts/sid-root's
    PACKAGES).
    """
    node = shutil.which("node")
    missing = [
        what
        for what, there in (
            ("Node.js (node)", node is not None),
            (f"Chromium ({CHROMIUM})", Path(CHROMIUM).is_file()),
            ("playwright-core (run scripts/frontend install)", PLAYWRIGHT.is_dir()),
        )
        if not there
    ]
    if missing or node is None:
        pytest.fail(
            f"The browser tests need {', '.join(missing)}. On Debian: "
            "apt-get install nodejs chromium, then scripts/frontend install."
        )
    return node


async def run_script(
    script: Path, config: dict[str, Any], folder: Path, answer: Answer, within: float
) -> Any:
    """Run ``node script CONFIG.json``, answer its asks; its report.

    An ask whose handling fails is answered with the error, so the script
    stops and closes its browser; the failure is then raised here. The
    script's progress (stderr) is in ``folder/<script>.log``, its report in
    ``folder/<script>.report.json``.
    """
    node = browser_tools()
    config_file = folder / f"{script.stem}.json"
    log = folder / f"{script.stem}.log"
    await asyncio.to_thread(config_file.write_text, json.dumps(config))
    with log.open("ab") as err:
        proc = await asyncio.create_subprocess_exec(
            node, str(script), str(config_file),
            stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=err, cwd=REPO, limit=1 << 24,
        )  # fmt: skip
    assert proc.stdin is not None
    assert proc.stdout is not None
    failure: Exception | None = None
    report: Any = None
    try:
        async with asyncio.timeout(within):
            while line := await proc.stdout.readline():
                message = json.loads(line)
                if "report" in message:
                    report = message["report"]
                    continue
                reply: dict[str, Any]
                try:
                    reply = {"answer": await answer(message)}
                except Exception as exc:  # told to the script, raised below
                    failure = failure or exc
                    reply = {"error": f"{type(exc).__name__}: {exc}"}
                proc.stdin.write(f"{json.dumps(reply)}\n".encode())
                await proc.stdin.drain()
            await proc.wait()
    finally:
        await stop_process(proc)
    if report is not None:
        saved = folder / f"{script.stem}.report.json"
        await asyncio.to_thread(saved.write_text, json.dumps(report, indent=1))
    if failure is not None:
        raise failure
    if report is None or report.get("failed"):
        why = report.get("failed") if report else f"exit code {proc.returncode}"
        tail = (await asyncio.to_thread(log.read_text))[-4000:]
        pytest.fail(f"{script.name} failed: {why}\n{tail}")
    return report
