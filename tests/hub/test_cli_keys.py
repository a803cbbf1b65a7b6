"""``porchlight-hub agency add`` and ``agency rotate-keys``: public keys, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from porchlight_hub import admin, signing
from porchlight_hub.agency_keys import AgencyIdentity

from .conftest import Client, HubHarness
from .test_cli import call_main, last_line, main, run


def keys() -> AgencyIdentity:
    return AgencyIdentity.generate()


async def test_agency_add_with_keys_can_post_signed_requests(
    hub: HubHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    await hub.add_home()
    identity = keys()
    code, out, err = await run(
        *("agency", "add", "--name", "Keyed PD", "--kind", "police"),
        *("--recipient", identity.recipient, "--signing-key", identity.signing_key),
        *("--db", hub.settings.db_url),
    )
    assert code == 0, err
    assert "Warning" not in err
    api_key = last_line(out)
    _, listed, _ = await main(capsys, "agency", "list", "--db", hub.settings.db_url)
    (agency,) = json.loads(listed)
    assert (agency["recipient"], agency["signing_key"]) == (
        identity.recipient,
        identity.signing_key,
    )
    client = Client(hub, api_key, agency["agency_id"], identity)
    status, made = await client.call(
        "POST", "/api/v1/agency/requests", hub.request_body()
    )
    assert status == 201, made


def test_agency_add_without_keys_warns_how_to_set_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    code, out, err = call_main(
        capsys, "agency", "add", "--name", "Old PD", "--kind", "police", "--db", db
    )
    assert code == 0, err
    assert "cannot post requests until `porchlight-hub agency rotate-keys" in err
    assert len(last_line(out)) >= 32  # the key is still the last line


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--recipient", "age1notakey", "not an age X25519 recipient"),
        ("--recipient", "ssh-ed25519 AAAAC3Nza", "not an age X25519 recipient"),
        ("--recipient", "AGE-SECRET-KEY-1XYZ", "not an age X25519 recipient"),
        ("--signing-key", "not base64!", "not an Ed25519 public key"),
        ("--signing-key", "AAAA", "must decode to 32 bytes"),
        ("--signing-key", signing.encode(bytes(64)), "must decode to 32 bytes"),
    ],
)
def test_malformed_keys_are_refused_clearly(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flag: str,
    value: str,
    says: str,
) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    good = keys()
    args = {"--recipient": good.recipient, "--signing-key": good.signing_key}
    args[flag] = value
    code, out, err = call_main(
        capsys,
        *("agency", "add", "--name", "Typo PD", "--kind", "police", "--db", db),
        *(part for pair in args.items() for part in pair),
    )
    assert code == 2
    assert says in err
    assert out == ""
    code, out, _ = call_main(capsys, "agency", "list", "--db", db)
    assert json.loads(out) == []  # nothing was added


def test_keys_come_together(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    code, _, err = call_main(
        capsys,
        *("agency", "add", "--name", "Half PD", "--kind", "police", "--db", db),
        *("--recipient", keys().recipient),
    )
    assert (code, "together" in err) == (2, True)


async def test_rotate_keys_by_id_or_name(
    hub: HubHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    db = hub.settings.db_url
    await hub.add_home()
    agency = await hub.add_agency("City Police")
    fresh = keys()
    code, out, err = await main(
        capsys,
        *("agency", "rotate-keys", "--agency", "City Police", "--db", db),
        *("--recipient", fresh.recipient, "--signing-key", fresh.signing_key),
    )
    assert code == 0, err
    assert fresh.recipient in out
    _, profile = await agency.call("GET", "/api/v1/agency")
    assert profile["agency_signing_key"] == fresh.signing_key
    # Only the signing key this time, by id.
    newer = keys()
    code, _, err = await main(
        capsys,
        *("agency", "rotate-keys", "--agency", agency.id, "--db", db),
        *("--signing-key", newer.signing_key),
    )
    assert code == 0, err
    _, profile = await agency.call("GET", "/api/v1/agency")
    assert (profile["agency_recipient"], profile["agency_signing_key"]) == (
        fresh.recipient,
        newer.signing_key,
    )
    agency.identity = AgencyIdentity(fresh.age_identity, newer.signing_seed)
    status, made = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body()
    )
    assert status == 201, made


async def test_rotate_keys_refuses_what_it_cannot_do(
    hub: HubHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    db = hub.settings.db_url
    await hub.add_agency("Twin PD")
    await hub.add_agency("Twin PD")
    fresh = keys()
    both = ("--recipient", fresh.recipient, "--signing-key", fresh.signing_key)
    cases = [
        (("--agency", "Twin PD", *both), "2 agencies are named"),
        (("--agency", "agc_nope", *both), "No agency 'agc_nope'"),
        (("--agency", "Twin PD"), "Give --recipient, --signing-key or both"),
        (("--agency", "Twin PD", "--recipient", "age1x"), "not an age X25519"),
    ]
    for args, says in cases:
        code, _, err = await main(capsys, "agency", "rotate-keys", *args, "--db", db)
        assert code == 2, args
        assert says in err, (args, err)
    keyless = await admin.add_agency(hub.engine, "Keyless PD", "police")
    code, _, err = await main(
        capsys,
        *("agency", "rotate-keys", "--agency", keyless.agency_id, "--db", db),
        *("--recipient", fresh.recipient),
    )
    assert (code, "has no keys yet" in err) == (2, True)
