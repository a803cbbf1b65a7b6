"""The home's own checks and its age sealing, without Home Assistant or a hub.

End-to-end refusals are in ``test_trust``; these pin down each check's edges:
malformed keys and signatures, times and numbers a hub could send, and the
sealed bytes against the hub's own age implementation.
"""

from __future__ import annotations

import hashlib
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant

from custom_components.porchlight import repairs
from custom_components.porchlight.sealed_share import async_seal_manifest
from custom_components.porchlight.sealing import (
    CHUNK_SIZE,
    Seal,
    SealingError,
    digest_sealed,
    new_seed,
    parse_recipient,
    sealed_size,
)
from custom_components.porchlight.vetting import (
    AgencyKeys,
    check_place,
    check_signature,
    check_terms,
    check_time,
    distance_m,
    keys_of,
    signature_ok,
)
from porchlight_hub import agecrypt, signing
from porchlight_hub.agency_keys import AgencyIdentity

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
IDENTITY = AgencyIdentity.generate()


def _request(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "agency_id": "agency_1",
        "agency_kind": "police",
        "agency_signing_key": IDENTITY.signing_key,
        "agency_recipient": IDENTITY.recipient,
        "case_number": "2026-0042",
        "incident_type": "burglary",
        "description": "Break-in",
        "contact": "Det. Smith",
        "window_start": (NOW - timedelta(hours=3)).isoformat(),
        "window_end": (NOW - timedelta(hours=1)).isoformat(),
        "area": {"latitude": 52.37, "longitude": 4.89, "radius_m": 400},
        "nonce": signing.new_nonce(),
        "created_at": NOW.isoformat(),
        "expires_at": (NOW + timedelta(days=14)).isoformat(),
    }
    body.update(overrides)
    body["signature"] = IDENTITY.sign(signing.signed_object(body, body["agency_id"]))
    return body


def test_a_valid_request_passes_every_check() -> None:
    raw = _request()
    rule, keys = check_signature(raw, None)
    assert rule is None
    assert keys == AgencyKeys("agency_1", IDENTITY.signing_key, IDENTITY.recipient)
    assert check_signature(raw, keys) == (None, keys)
    assert check_terms(raw) is None
    assert check_time(raw, NOW, pending=True) is None
    assert check_place(raw, 52.371, 4.891) is None


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"signature": "not base64!"}, "bad_signature"),
        ({"signature": "AAAA"}, "bad_signature"),
        ({"agency_signing_key": "AAAA"}, "bad_signature"),
        ({"agency_recipient": "age1notarecipient"}, "bad_signature"),
        ({"nonce": "short"}, "bad_signature"),
        ({"nonce": None}, "unsigned_request"),
        ({"agency_recipient": None}, "unsigned_request"),
        ({"area": {"latitude": float("nan"), "longitude": 0, "radius_m": 400}}, None),
    ],
)
def test_malformed_signatures_are_refused(
    change: dict[str, Any], rule: str | None
) -> None:
    raw = {**_request(), **change}
    found, _ = check_signature(raw, None)
    if rule is None:  # NaN cannot be canonicalised: never a valid signature
        assert found == "bad_signature"
    else:
        assert found == rule


def test_another_key_is_a_key_change() -> None:
    raw = _request()
    other = AgencyKeys("agency_1", AgencyIdentity.generate().signing_key, "age1x")
    assert check_signature(raw, other)[0] == "agency_key_changed"
    assert keys_of({"agency_id": "a"}) is None
    assert not signature_ok({}, other)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        ({"window_start": "yesterday"}, "window_length"),
        ({"created_at": None}, "expiry"),
        ({"created_at": (NOW + timedelta(hours=1)).isoformat()}, "expiry"),
        ({"expires_at": (NOW - timedelta(hours=1)).isoformat()}, "expiry"),
        ({"created_at": "2026-06-01T12:00:00"}, "expiry"),  # no timezone
    ],
)
def test_times_a_hub_could_send(change: dict[str, Any], rule: str) -> None:
    assert check_time({**_request(), **change}, NOW, pending=True) == rule


def test_an_expired_request_that_was_decided_is_not_refused_for_it() -> None:
    raw = _request(expires_at=(NOW + timedelta(days=1)).isoformat())
    assert check_time(raw, NOW + timedelta(days=2), pending=False) is None
    assert check_time(raw, NOW + timedelta(days=2), pending=True) == "expiry"


@pytest.mark.parametrize(
    "area",
    [None, {"latitude": "52", "longitude": 4.89, "radius_m": 400}, {"latitude": 1}],
)
def test_a_malformed_area_is_refused(area: Any) -> None:
    raw = {**_request(), "area": area}
    assert check_place(raw, 52.37, 4.89) == "area_size"
    if not isinstance(area, dict) or "radius_m" not in area:
        assert check_terms(raw) == "area_size"


def test_distance_allows_the_location_locks_slack() -> None:
    raw = _request()
    north = 52.37 + (400 + 240) / 111_195
    assert 635 < distance_m(52.37, 4.89, north, 4.89) < 645
    assert check_place(raw, north, 4.89) is None
    assert check_place(raw, 52.37 + 700 / 111_195, 4.89) == "distance"


def test_recipients_are_checked() -> None:
    for bad in (None, "AGE1X", "age1", "age1" + "b" * 58, IDENTITY.recipient[:-1]):
        with pytest.raises(SealingError):
            parse_recipient(bad)
    too_short = agecrypt._bech32_encode("age", bytes(20))
    with pytest.raises(SealingError):
        parse_recipient(too_short)


@pytest.mark.parametrize("size", [0, 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE])
def test_sealed_clips_open_with_the_hubs_age(tmp_path: Path, size: int) -> None:
    data = bytes(i % 251 for i in range(size))
    path = tmp_path / "clip"
    path.write_bytes(data)
    seal = Seal(IDENTITY.recipient, new_seed())
    sealed_len, sealed_sha, plain_sha = digest_sealed(path, seal)
    with path.open("rb") as plain:
        sealed = seal.open(plain).read()
    # Sealing again from the seed gives the very same bytes.
    assert len(sealed) == sealed_len == sealed_size(size)
    assert hashlib.sha256(sealed).hexdigest() == sealed_sha
    assert plain_sha == hashlib.sha256(data).hexdigest()
    out = io.BytesIO()
    agecrypt.decrypt(io.BytesIO(sealed), out, [IDENTITY.age_identity])
    assert out.getvalue() == data
    # Another seed, other bytes.
    other = Seal(IDENTITY.recipient, new_seed())
    with path.open("rb") as plain:
        assert other.open(plain).read() != sealed


async def test_unknown_issues_get_a_plain_confirmation(hass: HomeAssistant) -> None:
    flow = await repairs.async_create_fix_flow(hass, "something_else", None)
    assert not isinstance(flow, repairs.AgencyKeysFlow)


def test_a_low_order_recipient_is_refused(tmp_path: Path) -> None:
    zero = agecrypt._bech32_encode("age", bytes(32))
    with pytest.raises(SealingError):
        Seal(zero, new_seed()).open(io.BytesIO(b"clip"))


async def test_a_clip_whose_file_is_gone_is_named_damaged(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    class Library:
        def file_path(self, clip: Any) -> Path:
            return tmp_path / "gone.jpg"

    class FakeClip:
        clip_id = "c1"
        sha256 = "0" * 64

    sealed = await async_seal_manifest(
        hass,
        Library(),  # type: ignore[arg-type]
        [FakeClip()],  # type: ignore[list-item]
        IDENTITY.recipient,
    )
    assert sealed.damaged == ["c1"]
    assert sealed.clips == []
