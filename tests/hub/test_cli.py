"""The ``porchlight-hub`` command, run for real and in-process."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from porchlight_hub import __version__, cli

from .conftest import Client, HubHarness

COMMAND = [sys.executable, "-m", "porchlight_hub"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PORCHLIGHT_HUB_DB"}
    env.update(extra)
    return env


async def run(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """Run the command; returns (exit code, stdout, stderr)."""
    proc = await asyncio.create_subprocess_exec(
        *COMMAND,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=cwd,
        env=env or clean_env(),
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


async def pair(hub: HubHarness, code: str) -> Client:
    status, body = await hub.call("POST", "/api/v1/pair", {"code": code})
    assert status == 200, body
    return Client(hub, body["token"], body["home_id"])


def call_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``cli.main`` in-process: the admin paths without a Python start-up each."""
    try:
        code = cli.main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``call_main`` off the event loop (it runs its own with ``asyncio.run``)."""
    return await asyncio.to_thread(call_main, capsys, *args)


async def test_home_add_prints_a_code_that_pairs(
    hub: HubHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    db = hub.settings.db_url
    code, out, err = await run(
        *("home", "add", "--name", "Cli Home", "--lat", "52.37", "--lon", "4.89"),
        *("--db", db),
    )
    assert code == 0, err
    pairing_code = last_line(out)
    assert pairing_code.strip() == pairing_code
    assert " " not in pairing_code
    home = await pair(hub, pairing_code)
    status, me = await home.call("GET", "/api/v1/home")
    assert (status, me["name"], me["latitude"]) == (200, "Cli Home", 52.37)
    status, body = await hub.call("POST", "/api/v1/pair", {"code": pairing_code})
    assert status == 422, body  # a code works once

    # A fresh code re-pairs the home; the old token stops working.
    code, out, err = await main(capsys, "home", "code", home.id, "--db", db)
    assert code == 0, err
    again = await pair(hub, last_line(out))
    assert again.id == home.id
    assert (await again.call("GET", "/api/v1/home"))[0] == 200
    assert (await home.call("GET", "/api/v1/home"))[0] == 401

    code, out, err = await main(capsys, "home", "revoke", home.id, "--db", db)
    assert code == 0, err
    assert home.id in out
    assert (await again.call("GET", "/api/v1/home"))[0] == 401

    for action in ("code", "revoke"):
        code, _, err = await main(capsys, "home", action, "home_missing", "--db", db)
        assert code == 2
        assert err.strip() == "porchlight-hub: No home home_missing."


async def test_agency_add_prints_a_key_that_works(
    hub: HubHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    db = hub.settings.db_url
    code, out, err = await run(
        "agency", "add", "--name", "Cli Police", "--kind", "police", "--db", db
    )
    assert code == 0, err
    key = last_line(out)
    assert len(key) >= 32
    agency = Client(hub, key)
    status, body = await agency.call("GET", "/api/v1/agency/requests")
    assert (status, body["count"]) == (200, 0)

    code, out, err = await run("agency", "list", "--db", db)
    assert code == 0, err
    (listed,) = json.loads(out)
    assert (listed["name"], listed["kind"], listed["revoked"]) == (
        "Cli Police",
        "police",
        False,
    )
    assert key not in out
    # Only public keys are listed (none here: added without keys).
    assert not any(("key" in k and k != "signing_key") or "hash" in k for k in listed)
    assert (listed["recipient"], listed["signing_key"]) == (None, None)

    code, _, err = await main(
        capsys, "agency", "revoke", listed["agency_id"], "--db", db
    )
    assert code == 0, err
    assert (await agency.call("GET", "/api/v1/agency/requests"))[0] == 401
    _, out, _ = await main(capsys, "agency", "list", "--db", db)
    assert json.loads(out)[0]["revoked"] is True
    code, _, err = await main(
        capsys, "agency", "revoke", listed["agency_id"], "--db", db
    )
    assert code == 2
    assert "No active agency" in err


async def test_home_list_shows_no_secrets(
    hub: HubHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    db = hub.settings.db_url
    _, out, _ = await main(
        capsys,
        "home",
        "add",
        "--name",
        "Listed",
        "--lat",
        "1.5",
        "--lon",
        "2.5",
        "--db",
        db,
    )
    pairing_code = last_line(out)
    home = await pair(hub, pairing_code)
    _, out, _ = await main(
        capsys,
        "home",
        "add",
        "--name",
        "Unpaired",
        "--lat",
        "1",
        "--lon",
        "2",
        "--db",
        db,
    )
    unused_code = last_line(out)
    code, out, err = await run("home", "list", "--db", db)
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["name"], r["paired"]) for r in rows] == [
        ("Listed", True),
        ("Unpaired", False),
    ]
    assert rows[0]["home_id"] == home.id
    for secret in (home.secret, pairing_code, unused_code):
        assert secret not in out
    assert not any("token" in k or "hash" in k or "code" in k for k in rows[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agency", "add", "--name", "X", "--kind", "militia"], "invalid choice"),
        (["home", "add", "--name", "X", "--lat", "95", "--lon", "0"], "Latitude"),
    ],
)
async def test_bad_input_exits_2_with_a_message(
    tmp_path: Path, args: list[str], message: str
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    code, out, err = await run(*args, "--db", db, cwd=tmp_path)
    assert code == 2
    assert message in err
    assert out == ""


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["home", "add", "--name", "X", "--lat", "0", "--lon", "-181"], "Latitude"),
        (["home", "add", "--name", "X", "--lat", "north", "--lon", "0"], "--lat"),
        (["home", "add", "--name", " ", "--lat", "0", "--lon", "0"], "name"),
        (["agency", "add", "--name", "", "--kind", "fire"], "name"),
        (["agency", "add", "--name", "X", "--kind", "spies"], "invalid choice"),
        (["home"], "required"),
        (["launch"], "invalid choice"),
    ],
)
def test_bad_input_in_process(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    db = ["--db", f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"] if len(args) > 1 else []
    code, out, err = call_main(capsys, *args, *db)
    assert code == 2
    assert message in err
    assert out == ""


async def test_database_from_environment_or_working_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'from-env.db'}"
    env = clean_env(PORCHLIGHT_HUB_DB=url)
    code, _, err = await run(
        *("home", "add", "--name", "Env", "--lat", "1", "--lon", "1"),
        env=env,
        cwd=tmp_path,
    )
    assert code == 0, err
    assert (tmp_path / "from-env.db").exists()
    assert not (tmp_path / "porchlight-hub.db").exists()
    _, out, _ = await main(capsys, "home", "list", "--db", url)
    assert [r["name"] for r in json.loads(out)] == ["Env"]

    code, _, err = await run("agency", "list", cwd=tmp_path)
    assert code == 0, err
    assert (tmp_path / "porchlight-hub.db").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_serve_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    port = free_port()
    db = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    proc = await asyncio.create_subprocess_exec(
        *COMMAND,
        "serve",
        "--db",
        db,
        "--media",
        str(tmp_path / "media"),
        "--port",
        str(port),
        "--name",
        "Cli Hub",
        "--no-zeroconf",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=tmp_path,
        env=clean_env(),
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(30):
            while b"serving on" not in (line := await proc.stdout.readline()):
                assert line, "serve exited early"
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/api/v1/health") as resp,
        ):
            health = await resp.json()
        assert resp.status == 200
        assert (health["name"], health["version"]) == ("Cli Hub", __version__)
        assert (tmp_path / "media" / "shares").is_dir()
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            _, err = await proc.communicate()
        assert proc.returncode == 0, err
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()


def test_cli_in_process_edges(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = call_main(capsys, "--version")
    assert (code, out.strip()) == (0, __version__)

    # ``serve`` hands its settings to the server; check the translation.
    seen: dict[str, Any] = {}

    async def fake_serve(settings: Any) -> None:
        seen["settings"] = settings

    monkeypatch.setattr(cli, "serve", fake_serve)
    monkeypatch.setenv("PORCHLIGHT_HUB_DB", "sqlite+aiosqlite:///env.db")
    code, _, _ = call_main(
        capsys,
        "serve",
        "--media",
        str(tmp_path / "m"),
        "--port",
        "9999",
        "--no-zeroconf",
        "--allow-federal",
        "--max-retention-days",
        "60",
        "--request-expiry-days",
        "7",
        "--max-clip-mb",
        "2",
        "--log-level",
        "warning",
    )
    assert code == 0
    settings = seen["settings"]
    assert settings.db_url == "sqlite+aiosqlite:///env.db"
    assert (settings.port, settings.zeroconf) == (9999, False)
    assert settings.media_dir == tmp_path / "m"
    assert settings.max_clip_bytes == 2 * 1024 * 1024
    assert settings.policy.allow_federal is True
    assert settings.policy.max_retention_days == 60
    assert settings.policy.request_expiry_days == 7
