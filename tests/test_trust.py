"""The home re-checks every request itself (DESIGN.md §2.5).

Requests reach Home Assistant through a hub that skips its own checks
(``unchecked_hub``): a forged or missing signature, each §2.3 rule broken, a
circle far from the home, an impossible expiry. Each must arrive as
``out_of_policy`` with the rule's name, be ledgered, fire ``updated`` (never
``received``), and be refused by ``share_all``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component

from custom_components.porchlight import listener as listener_mod
from custom_components.porchlight import outbox_item as outbox_mod
from custom_components.porchlight import services_decisions
from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.panel_data import requests_payload
from custom_components.porchlight.sealing import fingerprint
from custom_components.porchlight.trust import key_issue_id
from porchlight_hub import admin, signing
from porchlight_hub.agency_keys import AgencyIdentity

from .e2e import entity_id, iso_z, pair_entry, request_near, wait_for
from .hub.conftest import Client, HubHarness
from .unchecked_hub import deliver_unchecked, signed_body


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reconnect and retry within tens of milliseconds instead of seconds."""
    monkeypatch.setattr(listener_mod, "BACKOFF_BASE", 0.02)
    monkeypatch.setattr(listener_mod, "BACKOFF_CAP", 0.1)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MIN", 0.05)
    monkeypatch.setattr(outbox_mod, "BACKOFF_MAX", 0.2)
    monkeypatch.setattr(services_decisions, "SHARE_ACK_TIMEOUT", 30.0)


async def _call(hass: HomeAssistant, service: str, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=True
    )


async def _ledger(hass: HomeAssistant) -> list[dict[str, Any]]:
    export = await _call(hass, "export_ledger", {})
    assert export["verified"] is True
    return list(export["entries"])


def _home_id(entry: ConfigEntry) -> str:
    return str(entry.runtime_data.coordinator.data.home.home_id)


async def _deliver(
    hass: HomeAssistant,
    hub: HubHarness,
    entry: ConfigEntry,
    agency: Client,
    body: dict[str, Any],
    **kwargs: Any,
) -> str:
    request_id = await deliver_unchecked(hub, agency, _home_id(entry), body, **kwargs)
    await entry.runtime_data.coordinator.async_refresh()
    await hass.async_block_till_done()
    return request_id


async def _clip_in_window(entry: ConfigEntry, hub: HubHarness) -> None:
    start = hub.clock.now() - timedelta(hours=2)
    await entry.runtime_data.clips.async_add(
        "front",
        "Front door",
        start,
        start + timedelta(seconds=10),
        "image/jpeg",
        b"\xff\xd8inside\xff\xd9" * 40,
    )


async def _assert_refused(
    hass: HomeAssistant, entry: ConfigEntry, request_id: str, rule: str
) -> None:
    request = entry.runtime_data.coordinator.data.requests[request_id]
    assert request.status == "out_of_policy"
    assert request.policy_violation == rule
    event = hass.states.get(entity_id(hass, "event", "video_requests"))
    assert event is not None
    assert event.attributes["event_type"] == "updated"
    assert event.attributes["request_id"] == request_id
    assert event.attributes["policy_violation"] == rule
    pending = hass.states.get(entity_id(hass, "sensor", "pending_video_requests"))
    assert pending is not None
    assert request_id not in [r["request_id"] for r in pending.attributes["requests"]]
    for service, extra in (("share_all", {}), ("share_clips", {"clip_ids": ["x"]})):
        with pytest.raises(ServiceValidationError) as err:
            await _call(hass, service, {"request_id": request_id, **extra})
        assert err.value.translation_key == "request_out_of_policy"
        assert err.value.translation_placeholders == {
            "request_id": request_id,
            "rule": rule,
        }
    entries = await _ledger(hass)
    refused = [e["data"] for e in entries if e["kind"] == "request_out_of_policy"]
    assert {"request_id": request_id, "policy_violation": rule} in [
        {k: d[k] for k in ("request_id", "policy_violation")} for d in refused
    ]
    assert not entry.runtime_data.outbox.items()
    # The panel lists it with its outcome, not among the pending ones.
    shown = {r["id"]: r for r in requests_payload(entry, None)["requests"]}
    assert shown[request_id]["status"] == "out_of_policy"
    assert shown[request_id]["policy_violation"] == rule


type Breaker = Callable[[HomeAssistant, HubHarness], dict[str, Any]]


def _far_away(hass: HomeAssistant, hub: HubHarness) -> dict[str, Any]:
    body = request_near(hass, hub)
    body["area"] = {**body["area"], "latitude": hass.config.latitude + 0.05}
    return body


def _window(start_h: float, end_h: float) -> Breaker:
    def make(hass: HomeAssistant, hub: HubHarness) -> dict[str, Any]:
        now = hub.clock.now()
        return request_near(
            hass,
            hub,
            window_start=iso_z(now - timedelta(hours=start_h)),
            window_end=iso_z(now - timedelta(hours=end_h)),
        )

    return make


BROKEN: dict[str, Breaker] = {
    "case_number": lambda hass, hub: request_near(hass, hub, case="x"),
    "incident_type": lambda hass, hub: request_near(
        hass, hub, incident_type="jaywalking"
    ),
    "window_length": _window(3, 2.95),
    "window_length_long": _window(20, 1),
    "window_in_future": _window(1, -1),
    "window_age": _window(50 * 24, 50 * 24 - 2),
    "area_size": lambda hass, hub: request_near(
        hass,
        hub,
        area={
            "latitude": hass.config.latitude,
            "longitude": hass.config.longitude,
            "radius_m": 2000,
        },
    ),
    "distance": _far_away,
}


@pytest.mark.parametrize("case", sorted(BROKEN))
async def test_a_request_breaking_a_rule_is_out_of_policy(
    hass: HomeAssistant, real_hub: HubHarness, case: str
) -> None:
    entry = await pair_entry(hass, real_hub)
    await _clip_in_window(entry, real_hub)
    agency = await real_hub.add_agency()
    body = signed_body(agency, BROKEN[case](hass, real_hub))
    request_id = await _deliver(hass, real_hub, entry, agency, body)
    await _assert_refused(hass, entry, request_id, case.removesuffix("_long"))


async def test_a_forged_signature_is_out_of_policy(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    await _clip_in_window(entry, real_hub)
    agency = await real_hub.add_agency()
    genuine = signed_body(agency, request_near(hass, real_hub))
    forged = {**genuine, "description": "Anything the hub's operator likes"}
    request_id = await _deliver(hass, real_hub, entry, agency, forged)
    await _assert_refused(hass, entry, request_id, "bad_signature")
    # Signed by a key that is not the agency's: just as forged.
    other = AgencyIdentity.generate()
    body = request_near(hass, real_hub, case="2026-0043")
    body["nonce"] = "n" * 24
    body["signature"] = other.sign(signing.signed_object(body, agency.id))
    request_id = await _deliver(hass, real_hub, entry, agency, body)
    await _assert_refused(hass, entry, request_id, "bad_signature")
    # Nothing was pinned from a request that does not verify.
    kinds = [e["kind"] for e in await _ledger(hass)]
    assert "agency_keys_pinned" not in kinds


async def test_an_unsigned_request_is_out_of_policy(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    request_id = await _deliver(
        hass, real_hub, entry, agency, request_near(hass, real_hub)
    )
    await _assert_refused(hass, entry, request_id, "unsigned_request")


async def test_a_federal_agency_is_out_of_policy(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency("Federal Bureau", kind="federal")
    body = signed_body(agency, request_near(hass, real_hub))
    request_id = await _deliver(hass, real_hub, entry, agency, body)
    await _assert_refused(hass, entry, request_id, "agency_kind")


async def test_an_impossible_expiry_is_out_of_policy(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    body = signed_body(agency, request_near(hass, real_hub))
    now = real_hub.clock.now()
    request_id = await _deliver(
        hass, real_hub, entry, agency, body, expires_at=now + timedelta(days=60)
    )
    await _assert_refused(hass, entry, request_id, "expiry")


async def test_a_third_request_for_one_case_is_out_of_policy(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    ids = []
    for minutes in (3, 2, 1):
        body = signed_body(agency, request_near(hass, real_hub))
        created = real_hub.clock.now() - timedelta(minutes=minutes)
        ids.append(
            await _deliver(hass, real_hub, entry, agency, body, created_at=created)
        )
    requests = entry.runtime_data.coordinator.data.requests
    assert [requests[i].status for i in ids[:2]] == ["pending", "pending"]
    await _assert_refused(hass, entry, ids[2], "case_request_limit")


async def test_a_valid_request_is_offered_and_its_keys_pinned(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    assert agency.identity is not None
    body = signed_body(agency, request_near(hass, real_hub))
    request_id = await _deliver(hass, real_hub, entry, agency, body)
    request = entry.runtime_data.coordinator.data.requests[request_id]
    assert request.status == "pending"
    assert request.policy_violation is None
    event = hass.states.get(entity_id(hass, "event", "video_requests"))
    assert event is not None
    assert event.attributes["event_type"] == "received"
    (pin,) = [
        e["data"] for e in await _ledger(hass) if e["kind"] == "agency_keys_pinned"
    ]
    assert pin["agency_id"] == agency.id
    assert pin["signing_key"] == agency.identity.signing_key
    assert pin["recipient"] == agency.identity.recipient
    assert pin["recipient_fingerprint"] == fingerprint(agency.identity.recipient)


async def test_a_changed_key_is_refused_until_the_household_accepts_it(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    entry = await pair_entry(hass, real_hub)
    await _clip_in_window(entry, real_hub)
    agency = await real_hub.add_agency()
    assert agency.identity is not None
    old = agency.identity
    first = await _deliver(
        hass, real_hub, entry, agency, signed_body(agency, request_near(hass, real_hub))
    )
    assert entry.runtime_data.coordinator.data.requests[first].status == "pending"

    # The operator (or whoever holds the hub) rotates the agency's keys.
    new = AgencyIdentity.generate()
    await admin.rotate_keys(
        real_hub.engine,
        agency.id,
        recipient=new.recipient,
        signing_key=new.signing_key,
        clock=real_hub.clock,
    )
    agency.identity = new
    real_hub.clock.advance(timedelta(seconds=1))
    second = await _deliver(
        hass,
        real_hub,
        entry,
        agency,
        signed_body(agency, request_near(hass, real_hub, case="2026-0099")),
    )
    await _assert_refused(hass, entry, second, "agency_key_changed")
    # The hub now hands out the new recipient with the first request too:
    # nothing is sealed to keys the household has not accepted.
    requests = entry.runtime_data.coordinator.data.requests
    assert requests[first].status == "out_of_policy"
    assert requests[first].policy_violation == "agency_key_changed"

    issue_id = key_issue_id(entry.entry_id, agency.id)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders == {
        "agency": "City Police",
        "old_signing": fingerprint(old.signing_key),
        "new_signing": fingerprint(new.signing_key),
        "old_recipient": fingerprint(old.recipient),
        "new_recipient": fingerprint(new.recipient),
    }

    manager = hass.data["repairs"]["flow_manager"]
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["type"] == "form"
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"]["new_recipient"] == fingerprint(
        new.recipient
    )
    # Still refused while the dialog is open.
    with pytest.raises(ServiceValidationError):
        await _call(hass, "share_all", {"request_id": second})
    result = await manager.async_configure(result["flow_id"], {})
    assert result["type"] == "create_entry"
    await hass.async_block_till_done()
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None

    coordinator = entry.runtime_data.coordinator
    await wait_for(lambda: coordinator.data.requests[second].status == "pending")
    # The first was signed by the key the agency no longer has: still refused.
    assert coordinator.data.requests[first].status == "out_of_policy"
    entries = await _ledger(hass)
    (accepted,) = [e["data"] for e in entries if e["kind"] == "agency_keys_accepted"]
    assert accepted["recipient"] == new.recipient
    assert accepted["previous_recipient_fingerprint"] == fingerprint(old.recipient)
    answer = await _call(hass, "share_all", {"request_id": second})
    assert answer["status"] == "shared"
    # Sealed to the accepted recipient.
    decision = [e["data"] for e in await _ledger(hass) if e["kind"] == "decision"]
    assert decision[-1]["agency_recipient_fingerprint"] == fingerprint(new.recipient)


async def test_the_repair_flow_aborts_when_the_entry_is_not_loaded(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    entry = await pair_entry(hass, real_hub)
    agency = await real_hub.add_agency()
    await _deliver(
        hass, real_hub, entry, agency, signed_body(agency, request_near(hass, real_hub))
    )
    new = AgencyIdentity.generate()
    await admin.rotate_keys(
        real_hub.engine,
        agency.id,
        recipient=new.recipient,
        signing_key=new.signing_key,
        clock=real_hub.clock,
    )
    agency.identity = new
    await _deliver(
        hass,
        real_hub,
        entry,
        agency,
        signed_body(agency, request_near(hass, real_hub, case="2026-0098")),
    )
    issue_id = key_issue_id(entry.entry_id, agency.id)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    manager = hass.data["repairs"]["flow_manager"]
    result = await manager.async_init(DOMAIN, data={"issue_id": issue_id})
    assert result["type"] == "abort"
    assert result["reason"] == "entry_not_loaded"


async def test_pairing_far_from_the_operators_location_is_a_clear_error(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    new = await admin.add_home(
        real_hub.engine,
        "Elsewhere",
        hass.config.latitude + 0.01,  # about 1.1 km north
        hass.config.longitude,
        clock=real_hub.clock,
    )
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": "user"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"url": real_hub.url, "pairing_code": new.pairing_code}
    )
    assert result["type"] == "form"
    assert result["errors"] == {"base": "location_locked"}
    assert not hass.config_entries.async_entries(DOMAIN)
