"""Signed requests: the hub cannot forge or replay an agency's request (§2.5).

The home's check at the end is written the way a home would write it, with
nothing but ``rfc8785`` and ``cryptography`` and the published rule: it does
not import the hub's signing code.
"""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from porchlight_hub import admin, signing
from porchlight_hub.agency_keys import AgencyIdentity

from .conftest import REQUESTS_PATH, Client, HubHarness, sign_request

SIGNED = (
    "case_number",
    "incident_type",
    "description",
    "contact",
    "window_start",
    "window_end",
    "area",
    "agency_id",
    "nonce",
)


def home_verifies(request: dict[str, Any]) -> bool:
    """DESIGN.md §2.5, as a home implements it from the published rule."""
    signed = {key: request[key] for key in SIGNED}
    signed["area"] = {
        k: request["area"][k] for k in ("latitude", "longitude", "radius_m")
    }
    key = Ed25519PublicKey.from_public_bytes(
        base64.b64decode(request["agency_signing_key"])
    )
    try:
        key.verify(base64.b64decode(request["signature"]), rfc8785.dumps(signed))
    except InvalidSignature:
        return False
    return True


async def post(agency: Client, body: Any) -> tuple[int, Any]:
    return await agency.call("POST", REQUESTS_PATH, body)


def signed_by(
    identity: AgencyIdentity, agency_id: str, body: dict[str, Any]
) -> dict[str, Any]:
    out = {**body, "nonce": body.get("nonce") or signing.new_nonce()}
    out["signature"] = identity.sign(signing.signed_object(out, agency_id))
    return out


def assert_refused(status: int, body: Any, code: str) -> None:
    assert status == 422, body
    assert body["error"] == code, body
    assert body["message"]


async def test_a_signed_request_reaches_homes_who_can_verify_it(
    hub: HubHarness,
) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    assert agency.identity is not None
    stream = await home.stream()
    body = hub.request_body(
        description="  Break-in; spaces kept  ",
        window_start="2026-06-01T09:00:00Z",
    )
    status, made = await post(agency, body)
    assert status == 201, made
    assert made["agency_id"] == agency.id
    received = (await stream.next("request.received"))["data"]
    _, listed = await home.call("GET", "/api/v1/requests")
    (rest,) = listed["requests"]
    for seen in (received, rest):
        assert seen["agency_id"] == agency.id
        assert seen["agency_signing_key"] == agency.identity.signing_key
        assert seen["agency_recipient"] == agency.identity.recipient
        assert seen["nonce"] == made["nonce"]
        assert seen["signature"] == made["signature"]
        # The signed strings verbatim: not trimmed, not re-rendered.
        assert seen["description"] == "  Break-in; spaces kept  "
        assert seen["window_start"] == "2026-06-01T09:00:00Z"
        assert seen["window_end"] == body["window_end"]
        assert home_verifies(seen)
    # A hub that changed a word would be caught by the home.
    assert not home_verifies({**rest, "description": "Something else"})
    assert not home_verifies({**rest, "area": {**rest["area"], "radius_m": 641}})


async def test_unsigned_requests_are_refused(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    assert agency.identity is not None
    good = signed_by(agency.identity, agency.id, hub.request_body())
    # "signature": None is absent to the hub (and keeps the test client from
    # signing on the agency's behalf).
    no_nonce = {k: v for k, v in good.items() if k != "nonce"}
    no_signature = {**good, "signature": None}
    for body, field in ((no_nonce, "nonce"), (no_signature, "signature")):
        status, answer = await post(agency, body)
        assert_refused(status, answer, "unsigned_request")
        assert answer["field"] == field
    _, listed = await home.call("GET", "/api/v1/requests")
    assert listed["count"] == 0


async def test_forged_and_malformed_signatures_are_refused(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    other = await hub.add_agency("Other PD")
    assert agency.identity is not None
    assert other.identity is not None
    base = hub.request_body()
    forgeries = {
        "another agency's key": signed_by(other.identity, agency.id, base),
        "signed for another agency": signed_by(agency.identity, other.id, base),
        "altered after signing": {
            **signed_by(agency.identity, agency.id, base),
            "contact": "Someone else, 555-0199",
        },
        "window re-rendered": {
            **signed_by(agency.identity, agency.id, base),
            "window_end": base["window_end"].replace("+00:00", "Z"),
        },
        "not base64": {**base, "nonce": "n" * 16, "signature": "not base64!"},
        "too short": {**base, "nonce": "n" * 16, "signature": "AAAA"},
        "not a string": {**base, "nonce": "n" * 16, "signature": 42},
    }
    for why, body in forgeries.items():
        status, answer = await post(agency, body)
        assert status == 422, (why, answer)
        assert answer["error"] == "bad_signature", (why, answer)
    _, listed = await home.call("GET", "/api/v1/requests")
    assert listed["count"] == 0


async def test_malformed_nonces_are_refused(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    assert agency.identity is not None
    for nonce in ("short", "x" * 65, "has spaces in it!!", 1234567890123456789):
        body = signed_by(agency.identity, agency.id, hub.request_body())
        status, answer = await post(agency, {**body, "nonce": nonce})
        assert status == 422, (nonce, answer)
        assert (answer["error"], answer["field"]) == ("invalid_field", "nonce")


async def test_a_nonce_works_once_per_agency(hub: HubHarness) -> None:
    await hub.add_home()
    agency = await hub.add_agency()
    other = await hub.add_agency("Other PD")
    assert agency.identity is not None
    assert other.identity is not None
    nonce = "0123456789abcdef0123"
    first = signed_by(
        agency.identity, agency.id, {**hub.request_body(), "nonce": nonce}
    )
    status, made = await post(agency, first)
    assert status == 201, made
    # The very same request again, and a new one reusing the nonce: both refused.
    status, answer = await post(agency, first)
    assert_refused(status, answer, "replayed_request")
    fresh = signed_by(
        agency.identity,
        agency.id,
        {**hub.request_body(case_number="2026-0777"), "nonce": nonce},
    )
    status, answer = await post(agency, fresh)
    assert_refused(status, answer, "replayed_request")
    # Nonces are per agency: another agency may happen to pick the same one.
    theirs = signed_by(other.identity, other.id, {**hub.request_body(), "nonce": nonce})
    status, made = await post(other, theirs)
    assert status == 201, made


async def test_a_nonce_raced_twice_is_taken_once(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    assert agency.identity is not None
    body = signed_by(agency.identity, agency.id, hub.request_body())
    answers = await asyncio.gather(*(post(agency, body) for _ in range(4)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201, 422, 422, 422], answers
    assert {a["error"] for s, a in answers if s == 422} == {"replayed_request"}


async def test_an_agency_without_keys_is_told_what_to_do(hub: HubHarness) -> None:
    new = await admin.add_agency(hub.engine, "Keyless PD", "police", clock=hub.clock)
    keyless = Client(hub, new.api_key, new.agency_id)
    identity = AgencyIdentity.generate()
    body = sign_request(hub.request_body(), identity, new.agency_id)
    status, answer = await post(keyless, body)
    assert_refused(status, answer, "agency_keys_missing")
    assert (
        f"porchlight-hub agency rotate-keys --agency {new.agency_id}"
        in (answer["message"])
    )
    await admin.rotate_keys(
        hub.engine,
        new.agency_id,
        recipient=identity.recipient,
        signing_key=identity.signing_key,
    )
    status, made = await post(keyless, body)
    assert status == 201, made


async def test_rotated_keys_sign_new_requests_and_old_ones_still_verify(
    hub: HubHarness,
) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    assert agency.identity is not None
    status, old = await post(agency, hub.request_body())
    assert status == 201, old
    fresh = AgencyIdentity.generate()
    await admin.rotate_keys(
        hub.engine, agency.id, recipient=fresh.recipient, signing_key=fresh.signing_key
    )
    # The old key no longer signs for this agency...
    status, answer = await post(agency, hub.request_body(case_number="2026-0500"))
    assert_refused(status, answer, "bad_signature")
    agency.identity = fresh
    status, new = await post(agency, hub.request_body(case_number="2026-0500"))
    assert status == 201, new
    # ...and each delivered request carries the key that verified it.
    _, listed = await home.call("GET", "/api/v1/requests")
    by_id = {r["id"]: r for r in listed["requests"]}
    assert by_id[old["id"]]["agency_signing_key"] != fresh.signing_key
    assert by_id[new["id"]]["agency_signing_key"] == fresh.signing_key
    assert all(home_verifies(r) for r in by_id.values())
    # Clips from now on are sealed to the new recipient, for old requests too.
    assert {r["agency_recipient"] for r in by_id.values()} == {fresh.recipient}


async def test_window_times_must_be_utc_as_sent(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    base = hub.request_body()
    for key in ("window_start", "window_end"):
        shifted = base[key].replace("+00:00", "+02:00")
        for value in (shifted, f" {base[key]}"):
            status, answer = await post(agency, {**base, key: value})
            assert status == 422, (key, value, answer)
            assert (answer["error"], answer["field"]) == ("invalid_field", key)


async def test_blank_signed_texts_are_refused(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    for key in ("description", "contact"):
        status, answer = await post(agency, hub.request_body(**{key: "   "}))
        assert status == 422, answer
        assert (answer["error"], answer["field"]) == ("invalid_field", key)


async def test_the_profile_names_the_keys_the_hub_hands_out(hub: HubHarness) -> None:
    agency = await hub.add_agency()
    assert agency.identity is not None
    status, profile = await agency.call("GET", "/api/v1/agency")
    assert status == 200, profile
    assert profile == {
        "agency_id": agency.id,
        "name": "City Police",
        "kind": "police",
        "agency_recipient": agency.identity.recipient,
        "agency_signing_key": agency.identity.signing_key,
        "keys_updated_at": profile["keys_updated_at"],
    }
    assert profile["keys_updated_at"].startswith("2026-06-01T12:00:00")
    assert (await hub.call("GET", "/api/v1/agency"))[0] == 401
