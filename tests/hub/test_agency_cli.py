"""``porchlight-agency``: keys, a signed request, and opening shared clips.

The command runs in-process (in a thread, since it blocks) against a real hub
on loopback; one test runs it as a program to show the entry point works.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from porchlight_hub import admin, agecrypt, agency_cli, db
from porchlight_hub.agency_keys import (
    SIGNING_PREFIX,
    AgencyIdentity,
    IdentityFileError,
    load,
)

from .conftest import (
    CENTRE,
    SEALED,
    Client,
    HubHarness,
    HubMaker,
    clip_entry,
    files_under,
    iso,
    upload,
)
from .test_agecrypt import needs_cli


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = agency_cli.main(list(args))
    except SystemExit as exc:
        code = int(exc.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


async def agency_cmd(
    capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    """The command off the event loop, which serves the hub it calls."""
    return await asyncio.to_thread(run_cli, capsys, *args)


async def registered(
    hub: HubHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> tuple[Client, Path]:
    """An agency made with ``keygen``, registered by the operator with its keys."""
    path = tmp_path / "agency.key"
    code, out, err = await agency_cmd(capsys, "keygen", "--out", str(path))
    assert code == 0, err
    recipient = out.split("--recipient ")[1].split()[0]
    signing_key = out.split("--signing-key ")[1].split()[0]
    new = await admin.add_agency(
        hub.engine,
        "City Police",
        "police",
        recipient=recipient,
        signing_key=signing_key,
        clock=hub.clock,
    )
    return Client(
        hub, new.api_key, new.agency_id, await asyncio.to_thread(load, path)
    ), path


def request_args(hub: HubHarness, key: str, identity: Path, case: str) -> list[str]:
    start = hub.clock.now().replace(hour=9, minute=0)
    return [
        "request",
        *("--hub", hub.url, "--key", key, "--identity", str(identity)),
        *("--case", case, "--incident", "burglary"),
        *("--description", "Break-in at the corner shop"),
        *("--contact", "Det. Smith, 555-0100"),
        # A local time with its offset: sent (and signed) as UTC.
        *("--start", "2026-06-01T11:00:00+02:00", "--end", iso(start.replace(hour=10))),
        *("--lat", str(CENTRE[0]), "--lon", str(CENTRE[1]), "--radius", "300"),
    ]


def test_keygen_writes_a_private_file_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agency.key"
    code, out, err = run_cli(capsys, "keygen", "--out", str(path))
    assert code == 0, err
    assert path.stat().st_mode & 0o777 == 0o600
    identity = load(path)
    assert f"--recipient {identity.recipient}" in out
    assert f"--signing-key {identity.signing_key}" in out
    assert identity.age_identity not in out
    text = path.read_text()
    assert text.count("AGE-SECRET-KEY-1") == 1
    before = path.read_bytes()
    code, out, err = run_cli(capsys, "keygen", "--out", str(path))
    assert code == 2
    assert "refusing to overwrite" in err
    assert path.read_bytes() == before
    code, _, err = run_cli(capsys, "keygen", "--out", str(tmp_path / "no" / "dir"))
    assert code == 2
    assert "Cannot create" in err


@needs_cli
def test_the_identity_file_opens_clips_with_the_age_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "agency.key"
    assert run_cli(capsys, "keygen", "--out", str(path))[0] == 0
    identity = load(path)
    sealed = io.BytesIO()
    agecrypt.encrypt(io.BytesIO(b"evidence"), sealed, [identity.recipient])
    clip = tmp_path / "clip.age"
    clip.write_bytes(sealed.getvalue())
    age = shutil.which("age")
    assert age is not None
    opened = subprocess.run(  # noqa: S603 - the age CLI, on the test's own files
        [age, "-d", "-i", str(path), str(clip)],
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout
    assert opened == b"evidence"


async def test_request_signs_and_posts(
    hub: HubHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = await hub.add_home()
    agency, identity = await registered(hub, tmp_path, capsys)
    code, out, err = await agency_cmd(
        capsys, *request_args(hub, agency.secret, identity, "2026-0101")
    )
    assert code == 0, err
    request_id = out.strip().splitlines()[-1]
    assert agency.secret not in out + err
    _, listed = await home.call("GET", "/api/v1/requests")
    (delivered,) = listed["requests"]
    assert delivered["id"] == request_id
    assert delivered["window_start"] == "2026-06-01T09:00:00Z"
    assert delivered["signature"]


async def test_request_refuses_when_the_hub_holds_other_keys(
    hub: HubHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    agency, _ = await registered(hub, tmp_path, capsys)
    other = tmp_path / "other.key"
    assert (await agency_cmd(capsys, "keygen", "--out", str(other)))[0] == 0
    code, _out, err = await agency_cmd(
        capsys, *request_args(hub, agency.secret, other, "2026-0102")
    )
    assert code == 2
    assert "other public keys" in err
    assert f"rotate-keys --agency {agency.id}" in err
    _, listed = await agency.call("GET", "/api/v1/agency/requests")
    assert listed["count"] == 0


async def test_hub_errors_and_missing_keys_are_reported(
    hub: HubHarness,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agency, identity = await registered(hub, tmp_path, capsys)
    monkeypatch.delenv(agency_cli.KEY_ENV, raising=False)
    args = request_args(hub, agency.secret, identity, "2026-0103")
    without_key = [a for a in args if a not in ("--key", agency.secret)]
    code, _, err = await agency_cmd(capsys, *without_key)
    assert (code, "PORCHLIGHT_AGENCY_KEY" in err) == (2, True)
    monkeypatch.setenv(agency_cli.KEY_ENV, "wrong-key")
    code, _, err = await agency_cmd(capsys, *without_key)
    assert code == 2
    assert "401 invalid_key" in err
    monkeypatch.setenv(agency_cli.KEY_ENV, agency.secret)
    bad_radius = [*without_key[:-1], "5"]
    code, _, err = await agency_cmd(capsys, *bad_radius)
    assert code == 2
    assert "422 rule_violation" in err
    naive = [*without_key]
    naive[naive.index("--start") + 1] = "2026-06-01T09:00:00"
    code, _, err = await agency_cmd(capsys, *naive)
    assert (code, "needs a timezone" in err) == (2, True)
    naive[naive.index("--start") + 1] = "yesterday"
    code, _, err = await agency_cmd(capsys, *naive)
    assert (code, "not an ISO 8601 time" in err) == (2, True)
    code, _, err = await agency_cmd(
        capsys, "shares", "--hub", "http://127.0.0.1:9", "req_x"
    )
    assert (code, "Cannot reach the hub" in err) == (2, True)
    code, _, err = await agency_cmd(capsys, "shares", "--hub", "ftp://x", "req_x")
    assert (code, "http(s)://" in err) == (2, True)
    broken = tmp_path / "broken.key"
    broken.write_text("# nothing\n")
    code, _, err = await agency_cmd(
        capsys, *request_args(hub, agency.secret, broken, "2026-0104")
    )
    assert (code, "AGE-SECRET-KEY" in err) == (2, True)


async def _sealed_share(
    hub: HubHarness, agency: Client, home: Client, footage: dict[str, bytes]
) -> tuple[str, str]:
    """A request, and a share of ``footage`` sealed by the home to the agency."""
    status, req = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body()
    )
    assert status == 201, req
    _, delivered = await home.call("GET", f"/api/v1/requests/{req['id']}")
    when = hub.clock.now() - timedelta(hours=2)
    sealed: dict[str, bytes] = {}
    entries = []
    for clip_id, plain in footage.items():
        out = io.BytesIO()
        agecrypt.encrypt(io.BytesIO(plain), out, [delivered["agency_recipient"]])
        sealed[clip_id] = out.getvalue()
        entry = clip_entry(clip_id, sealed[clip_id], when)
        entry["plaintext_sha256"] = hashlib.sha256(plain).hexdigest()
        entries.append(entry)
    status, share = await home.call(
        "POST",
        f"/api/v1/requests/{req['id']}/decision",
        {"decision": "share", "idempotency_key": "cli-share-0001", "clips": entries},
    )
    assert status == 200, share
    for clip_id, data in sealed.items():
        status, body = await upload(home, share["share_id"], clip_id, data, SEALED)
        assert status == 201, body
    return req["id"], share["share_id"]


async def test_fetch_opens_each_clip_to_identical_bytes(
    hub: HubHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = await hub.add_home()
    agency, identity = await registered(hub, tmp_path, capsys)
    footage = {"front": b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 300}
    request_id, _ = await _sealed_share(hub, agency, home, footage)
    code, out, err = await agency_cmd(
        capsys, "shares", "--hub", hub.url, "--key", agency.secret, request_id
    )
    assert code == 0, err
    listing = json.loads(out)
    (clip,) = listing["shares"][0]["clips"]
    assert clip["plaintext_sha256"] == hashlib.sha256(footage["front"]).hexdigest()
    out_dir = tmp_path / "evidence"
    fetch = ("fetch", "--hub", hub.url, "--key", agency.secret)
    code, out, err = await agency_cmd(
        capsys, *fetch, "--identity", str(identity), request_id, "--out", str(out_dir)
    )
    assert code == 0, err
    (saved,) = out_dir.glob("*.mp4")
    assert saved.name == f"neighbour-1-{clip['id']}.mp4"
    assert saved.read_bytes() == footage["front"]
    assert [p.name for p in out_dir.iterdir()] == [saved.name]  # no leftovers
    # Fetching again does not overwrite what was saved.
    code, _, err = await agency_cmd(
        capsys, *fetch, "--identity", str(identity), request_id, "--out", str(out_dir)
    )
    assert code == 1
    assert "already exists" in err


async def test_fetch_refuses_a_clip_whose_plaintext_does_not_match(
    hub: HubHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = await hub.add_home()
    agency, identity = await registered(hub, tmp_path, capsys)
    request_id, share_id = await _sealed_share(
        hub, agency, home, {"a": b"first clip " * 100, "b": b"second clip " * 100}
    )
    c = db.share_clips
    async with hub.engine.begin() as conn:
        await conn.execute(
            update(c)
            .where(c.c.share_id == share_id, c.c.clip_id == "b")
            .values(plaintext_sha256="0" * 64)
        )
    out_dir = tmp_path / "evidence"
    code, _out, err = await agency_cmd(
        capsys,
        *("fetch", "--hub", hub.url, "--key", agency.secret),
        *("--identity", str(identity), request_id, "--out", str(out_dir)),
    )
    assert code == 1
    assert "REFUSED Neighbour 1" in err
    assert "not saved" in err
    saved = sorted(p.read_bytes() for p in out_dir.iterdir())
    assert saved == [b"first clip " * 100]  # the good one only, nothing half-made


async def test_fetch_reports_when_there_is_nothing(
    hub: HubHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await hub.add_home()
    agency, identity = await registered(hub, tmp_path, capsys)
    status, req = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body()
    )
    assert status == 201, req
    code, out, err = await agency_cmd(
        capsys,
        *("fetch", "--hub", hub.url, "--key", agency.secret),
        *("--identity", str(identity), req["id"], "--out", str(tmp_path / "e")),
    )
    assert code == 0, err
    assert "No clips" in out


async def test_the_command_runs_as_a_program(tmp_path: Path) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "porchlight_hub.agency_cli", "keygen", "--out", str(tmp_path / "k")),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    async with asyncio.timeout(60):
        out, err = await proc.communicate()
    assert proc.returncode == 0, err
    assert b"--recipient age1" in out


def test_identity_files_that_are_not_one_agency_are_refused(tmp_path: Path) -> None:
    one, two = AgencyIdentity.generate(), AgencyIdentity.generate()
    cases = {
        "two identities": one.to_text() + two.age_identity + "\n",
        "no signing key": one.age_identity + "\n",
        "bad signing key": one.to_text().replace(SIGNING_PREFIX, SIGNING_PREFIX + "!!"),
    }
    for why, text in cases.items():
        path = tmp_path / why.replace(" ", "-")
        path.write_text(text)
        with pytest.raises(IdentityFileError):
            load(path)
    with pytest.raises(IdentityFileError, match="Cannot read"):
        load(tmp_path)
    assert AgencyIdentity.from_text(one.to_text()) == one


async def test_fetch_refuses_what_the_hub_altered_or_cannot_be_opened(
    hub: HubHarness, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = await hub.add_home()
    agency, identity = await registered(hub, tmp_path, capsys)
    request_id, share_id = await _sealed_share(
        hub, agency, home, {"a": b"first clip " * 100}
    )
    # The hub (or its disk) swaps the stored bytes: the listed sha256 catches it.
    (stored,) = files_under(hub.media / "shares" / share_id)
    original = stored.read_bytes()
    stored.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))
    args = ("fetch", "--hub", hub.url, "--key", agency.secret, request_id)
    code, _, err = await agency_cmd(
        capsys, *args, "--identity", str(identity), "--out", str(tmp_path / "e1")
    )
    assert code == 1
    assert "do not match the listed sha256" in err
    stored.write_bytes(original)
    # Another agency's identity cannot open it.
    stranger = tmp_path / "stranger.key"
    assert (await agency_cmd(capsys, "keygen", "--out", str(stranger)))[0] == 0
    code, _, err = await agency_cmd(
        capsys, *args, "--identity", str(stranger), "--out", str(tmp_path / "e2")
    )
    assert code == 1
    assert "does not decrypt" in err
    assert list((tmp_path / "e2").iterdir()) == []


async def test_fetch_says_when_a_clip_was_not_sealed(
    tuned_hub: HubMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hub = await tuned_hub(allow_unsealed=True)
    home = await hub.add_home()
    agency, identity = await registered(hub, tmp_path, capsys)
    status, req = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body()
    )
    assert status == 201, req
    data = b"\xff\xd8 a plain snapshot \xff\xd9"
    when = hub.clock.now() - timedelta(hours=2)
    entry = clip_entry("snap", data, when, "image/jpeg")
    status, share = await home.call(
        "POST",
        f"/api/v1/requests/{req['id']}/decision",
        {"decision": "share", "idempotency_key": "plain-share-1", "clips": [entry]},
    )
    assert status == 200, share
    assert (await upload(home, share["share_id"], "snap", data, "image/jpeg"))[0] == 201
    code, out, err = await agency_cmd(
        capsys,
        *("fetch", "--hub", hub.url, "--key", agency.secret, req["id"]),
        *("--identity", str(identity), "--out", str(tmp_path / "e")),
    )
    assert code == 0, err
    assert "NOT SEALED" in out
    (saved,) = (tmp_path / "e").glob("*.jpg")
    assert saved.read_bytes() == data
