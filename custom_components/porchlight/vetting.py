"""The home's own check of a request, before it is ever offered for sharing.

The hub is not trusted with authority (DESIGN.md principle 8, §2.5): it could
invent a request, stretch one's window or circle, or deliver it to a home far
outside the circle. So the home checks, from the request exactly as received:
the agency's Ed25519 signature over the RFC 8785 canonical JSON of the signed
fields, every §2.3 rule, its own distance from the circle and the expiry. The
first rule broken is the request's ``policy_violation``; a request with one is
never offered (``out_of_policy``).

Times the hub alone supplies (``created_at``, ``expires_at``) are not signed,
so they are only trusted within the hub's published limits. No Home Assistant
imports: this is plain, testable logic.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from .models import INCIDENT_TYPES
from .sealing import SealingError, parse_recipient

SIGNED_FIELDS: Final = (
    "case_number",
    "incident_type",
    "description",
    "contact",
    "window_start",
    "window_end",
    "agency_id",
    "nonce",
)
AREA_FIELDS: Final = ("latitude", "longitude", "radius_m")
AGENCY_KINDS: Final = frozenset(
    ("police", "sheriff", "fire", "emergency_management", "other")
)
CASE_NUMBER: Final = re.compile(r"[A-Za-z0-9 \-/._]{3,64}")
NONCE: Final = re.compile(r"[A-Za-z0-9_-]{16,64}")
# §2.3's limits, as the home enforces them whatever the hub says.
MIN_WINDOW: Final = timedelta(minutes=15)
MAX_WINDOW: Final = timedelta(hours=12)
MAX_WINDOW_AGE: Final = timedelta(days=45)
SQ_METRES_PER_SQ_MILE: Final = 2_589_988.110336
MIN_AREA_SQ_MILES: Final = 0.025
MAX_AREA_SQ_MILES: Final = 0.5
MAX_REQUESTS_PER_CASE: Final = 2
MAX_EXPIRY: Final = timedelta(days=14)
# The hub keeps the operator's location and lets a home move at most 250 m
# from it, so the hub's place for this home and Home Assistant's may differ
# by that much.
LOCATION_SLACK_M: Final = 250.0
# Clocks differ a little between the hub and the home.
CLOCK_SKEW: Final = timedelta(minutes=5)

RULE_UNSIGNED: Final = "unsigned_request"
RULE_SIGNATURE: Final = "bad_signature"
RULE_KEY_CHANGED: Final = "agency_key_changed"
RULE_CASE_NUMBER: Final = "case_number"
RULE_INCIDENT_TYPE: Final = "incident_type"
RULE_WINDOW_LENGTH: Final = "window_length"
RULE_WINDOW_FUTURE: Final = "window_in_future"
RULE_WINDOW_AGE: Final = "window_age"
RULE_AREA_SIZE: Final = "area_size"
RULE_AGENCY_KIND: Final = "agency_kind"
RULE_CASE_LIMIT: Final = "case_request_limit"
RULE_DISTANCE: Final = "distance"
RULE_EXPIRY: Final = "expiry"
RULES: Final = (
    RULE_UNSIGNED,
    RULE_SIGNATURE,
    RULE_KEY_CHANGED,
    RULE_CASE_NUMBER,
    RULE_INCIDENT_TYPE,
    RULE_WINDOW_LENGTH,
    RULE_WINDOW_FUTURE,
    RULE_WINDOW_AGE,
    RULE_AREA_SIZE,
    RULE_AGENCY_KIND,
    RULE_CASE_LIMIT,
    RULE_DISTANCE,
    RULE_EXPIRY,
)


@dataclass(frozen=True, slots=True)
class AgencyKeys:
    """An agency's two public keys, as a request carried them."""

    agency_id: str
    signing_key: str
    recipient: str


def signed_object(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What the agency signed, taken verbatim from the request as received."""
    out: dict[str, Any] = {k: raw[k] for k in SIGNED_FIELDS if k in raw}
    area = raw.get("area")
    if isinstance(area, Mapping):
        out["area"] = {k: area[k] for k in AREA_FIELDS if k in area}
    return out


def keys_of(raw: Mapping[str, Any]) -> AgencyKeys | None:
    """The agency's keys from a request, or None when any is missing."""
    names = ("agency_id", "agency_signing_key", "agency_recipient")
    values = [raw.get(k) for k in names]
    if not all(isinstance(v, str) and v for v in values):
        return None
    return AgencyKeys(*(str(v) for v in values))


def signature_ok(raw: Mapping[str, Any], keys: AgencyKeys) -> bool:
    """Whether ``signature`` is this agency's key over the signed fields."""
    try:
        key = Ed25519PublicKey.from_public_bytes(
            base64.b64decode(keys.signing_key, validate=True)
        )
        signature = base64.b64decode(str(raw.get("signature")), validate=True)
        key.verify(signature, rfc8785.dumps(signed_object(raw)))
        parse_recipient(keys.recipient)
    except (
        ValueError,
        binascii.Error,
        TypeError,
        InvalidSignature,
        SealingError,
        rfc8785.CanonicalizationError,
    ):
        return False
    return True


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius), in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_008.8 * math.asin(min(1.0, math.sqrt(a)))


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def check_signature(
    raw: Mapping[str, Any], pinned: AgencyKeys | None
) -> tuple[str | None, AgencyKeys | None]:
    """The signature rule: the broken rule (or None) and the request's keys."""
    keys = keys_of(raw)
    nonce, signature = raw.get("nonce"), raw.get("signature")
    if keys is None or not nonce or not signature:
        return RULE_UNSIGNED, keys
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        return RULE_SIGNATURE, keys
    if not signature_ok(raw, keys):
        return RULE_SIGNATURE, keys
    if pinned is not None and pinned != keys:
        return RULE_KEY_CHANGED, keys
    return None, keys


def check_terms(raw: Mapping[str, Any]) -> str | None:
    """§2.3's rules on the signed terms themselves (no clock, no place)."""
    case = raw.get("case_number")
    if not isinstance(case, str) or not CASE_NUMBER.fullmatch(case):
        return RULE_CASE_NUMBER
    if raw.get("incident_type") not in INCIDENT_TYPES:
        return RULE_INCIDENT_TYPE
    if raw.get("agency_kind") not in AGENCY_KINDS:
        # Federal agencies are refused by default (§2.3); a home cannot tell
        # that its hub's operator allowed them, so it refuses them too.
        return RULE_AGENCY_KIND
    start, end = _time(raw.get("window_start")), _time(raw.get("window_end"))
    if start is None or end is None or not MIN_WINDOW <= end - start <= MAX_WINDOW:
        return RULE_WINDOW_LENGTH
    area = raw.get("area")
    radius = _number(area.get("radius_m")) if isinstance(area, Mapping) else None
    if radius is None:
        return RULE_AREA_SIZE
    sq_miles = math.pi * radius * radius / SQ_METRES_PER_SQ_MILE
    if not MIN_AREA_SQ_MILES <= sq_miles <= MAX_AREA_SQ_MILES:
        return RULE_AREA_SIZE
    return None


def check_time(raw: Mapping[str, Any], now: datetime, pending: bool) -> str | None:
    """The window against the request's age, and the expiry.

    ``created_at`` is the hub's word, so it is taken only when it is not in
    the future and the request's life fits the 14 days a request may last.
    """
    start, end = _time(raw.get("window_start")), _time(raw.get("window_end"))
    created, expires = _time(raw.get("created_at")), _time(raw.get("expires_at"))
    if start is None or end is None:
        return RULE_WINDOW_LENGTH
    if (
        created is None
        or expires is None
        or created > now + CLOCK_SKEW
        or not created < expires <= created + MAX_EXPIRY + CLOCK_SKEW
        or (pending and expires <= now)
    ):
        return RULE_EXPIRY
    if end > created + CLOCK_SKEW:
        return RULE_WINDOW_FUTURE
    if start < created - MAX_WINDOW_AGE:
        return RULE_WINDOW_AGE
    return None


def check_place(
    raw: Mapping[str, Any], latitude: float, longitude: float
) -> str | None:
    """Whether this home (where Home Assistant says it is) is in the circle."""
    area = raw.get("area")
    if not isinstance(area, Mapping):
        return RULE_AREA_SIZE
    lat, lon = _number(area.get("latitude")), _number(area.get("longitude"))
    radius = _number(area.get("radius_m"))
    if lat is None or lon is None or radius is None:
        return RULE_AREA_SIZE
    if distance_m(latitude, longitude, lat, lon) > radius + LOCATION_SLACK_M:
        return RULE_DISTANCE
    return None


def case_key(raw: Mapping[str, Any]) -> tuple[str, str]:
    """Requests of one agency and case number (§2.3: at most two)."""
    return str(raw.get("agency_id")), str(raw.get("case_number"))
