"""Whether a delivered request may be offered: the home's verdict and key pins.

The hub relays agencies' requests but is not trusted with authority
(DESIGN.md §2.5): every request is checked here (``vetting``) before the
household or an automation sees it as pending. An agency's two public keys
are pinned in the consent ledger the first time a request they signed
arrives, so a hub cannot later swap in keys of its own (and read the footage
sealed to them): a changed key refuses the agency's requests until the
household accepts the change through a repair issue that shows the old and
new fingerprints.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import DOMAIN, LOGGER
from .ledger import ConsentLedger
from .ledger_chain import KIND_AGENCY_KEYS_ACCEPTED, KIND_AGENCY_KEYS_PINNED
from .models import OUT_OF_POLICY, VideoRequest
from .sealing import fingerprint
from .vetting import (
    MAX_REQUESTS_PER_CASE,
    RULE_CASE_LIMIT,
    RULE_KEY_CHANGED,
    AgencyKeys,
    case_key,
    check_place,
    check_signature,
    check_terms,
    check_time,
)

ISSUE_KEY_CHANGED: Final = "agency_key_changed"


def key_issue_id(entry_id: str, agency_id: str) -> str:
    """The repair issue for one agency's changed keys in one entry."""
    return f"{ISSUE_KEY_CHANGED}_{entry_id}_{agency_id}"


def keys_entry(keys: AgencyKeys, agency: str) -> dict[str, Any]:
    """The ledger's record of a pin: public keys and their fingerprints."""
    return {
        "agency_id": keys.agency_id,
        "agency": agency,
        "signing_key": keys.signing_key,
        "recipient": keys.recipient,
        "signing_key_fingerprint": fingerprint(keys.signing_key),
        "recipient_fingerprint": fingerprint(keys.recipient),
    }


class RequestTrust:
    """Vets requests for one config entry and keeps its agencies' key pins."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        ledger: ConsentLedger,
        location: Callable[[], tuple[float, float]],
    ) -> None:
        self.hass = hass
        self.entry_id = entry_id
        self.ledger = ledger
        self._location = location
        # Agencies whose key change was logged: every resync re-checks, once
        # a warning is enough.
        self._warned: set[str] = set()

    def pinned(self, agency_id: str | None) -> AgencyKeys | None:
        """The keys this household trusts for an agency, if it has seen it."""
        pin = self.ledger.agency_pins().get(agency_id or "")
        if pin is None:
            return None
        return AgencyKeys(pin["agency_id"], pin["signing_key"], pin["recipient"])

    def recipient_for(self, request: VideoRequest) -> str | None:
        """Where this request's clips are sealed to: the pinned recipient only."""
        if request.policy_violation is not None:
            return None
        keys = self.pinned(request.agency_id)
        return keys.recipient if keys is not None else None

    async def async_vet(
        self, request: VideoRequest, known: Iterable[VideoRequest]
    ) -> VideoRequest:
        """The request with the home's verdict; pins an agency on first sight."""
        raw = request.raw
        pinned = self.pinned(request.agency_id)
        rule, keys = check_signature(raw, pinned)
        if rule is None and keys is not None and pinned is None:
            await self.ledger.async_append(
                KIND_AGENCY_KEYS_PINNED, keys_entry(keys, request.agency), durable=True
            )
        if rule == RULE_KEY_CHANGED and keys is not None and pinned is not None:
            self._raise_key_issue(request.agency, pinned, keys)
        latitude, longitude = self._location()
        now = dt_util.utcnow()
        rule = (
            rule
            or check_terms(raw)
            or check_time(raw, now, request.status == "pending")
            or check_place(raw, latitude, longitude)
            or self._case_limit(request, known)
        )
        if rule is None:
            return request
        status = OUT_OF_POLICY if request.status == "pending" else request.status
        return dataclasses.replace(request, status=status, policy_violation=rule)

    @staticmethod
    def _case_limit(request: VideoRequest, known: Iterable[VideoRequest]) -> str | None:
        """§2.3: at most two requests per agency and case; later ones are refused."""
        key = case_key(request.raw)
        same = sorted(
            {r.id: r for r in (*known, request) if case_key(r.raw) == key}.values(),
            key=lambda r: (r.created_at, r.id),
        )
        if [r.id for r in same].index(request.id) >= MAX_REQUESTS_PER_CASE:
            return RULE_CASE_LIMIT
        return None

    def _raise_key_issue(self, agency: str, old: AgencyKeys, new: AgencyKeys) -> None:
        if new.agency_id not in self._warned:
            self._warned.add(new.agency_id)
            LOGGER.warning(
                "The hub delivered a request from %s signed with keys this home"
                " has not accepted; it is refused until the household accepts them",
                agency,
            )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            key_issue_id(self.entry_id, new.agency_id),
            is_fixable=True,
            is_persistent=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=ISSUE_KEY_CHANGED,
            translation_placeholders={
                "agency": agency,
                "old_signing": fingerprint(old.signing_key),
                "new_signing": fingerprint(new.signing_key),
                "old_recipient": fingerprint(old.recipient),
                "new_recipient": fingerprint(new.recipient),
            },
            data={
                "entry_id": self.entry_id,
                "agency": agency,
                "agency_id": new.agency_id,
                "signing_key": new.signing_key,
                "recipient": new.recipient,
            },
        )

    async def async_accept(self, agency: str, keys: AgencyKeys) -> None:
        """The household accepted an agency's new keys: pin them, in the ledger."""
        old = self.pinned(keys.agency_id)
        entry = keys_entry(keys, agency)
        if old is not None:
            entry["previous_signing_key_fingerprint"] = fingerprint(old.signing_key)
            entry["previous_recipient_fingerprint"] = fingerprint(old.recipient)
        await self.ledger.async_append(KIND_AGENCY_KEYS_ACCEPTED, entry, durable=True)
        self._warned.discard(keys.agency_id)
        ir.async_delete_issue(
            self.hass, DOMAIN, key_issue_id(self.entry_id, keys.agency_id)
        )
