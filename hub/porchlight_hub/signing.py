"""The published rule for signing a request (DESIGN.md §2.5).

An agency signs, the hub verifies before fan-out, and every home verifies
again: all three must build the same bytes. The rule:

* the signed object is ``{case_number, incident_type, description, contact,
  window_start, window_end, area: {latitude, longitude, radius_m}, agency_id,
  nonce}``, each value exactly as the agency sent it (times are the very
  strings in the request, not re-rendered);
* its bytes are the RFC 8785 (JCS) canonical JSON of that object;
* ``signature`` is the standard base64 (RFC 4648 §4, padded) of the 64-byte
  Ed25519 signature over those bytes, by the key registered as the agency's
  ``signing_key`` (standard base64 of the raw 32-byte public key).

This module imports nothing from the hub, so agencies and homes can carry the
same code.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Mapping
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

SIGNED_FIELDS = (
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
AREA_FIELDS = ("latitude", "longitude", "radius_m")
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class SigningError(ValueError):
    """A key or signature that is not well formed."""


def decode(text: Any, size: int, what: str) -> bytes:
    """Standard base64 (padding optional) of exactly ``size`` bytes."""
    if not isinstance(text, str):
        raise SigningError(f"The {what} must be a base64 string.")
    stripped = text.strip()
    try:
        raw = base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise SigningError(f"The {what} is not standard base64.") from None
    if len(raw) != size:
        raise SigningError(f"The {what} must decode to {size} bytes, not {len(raw)}.")
    return raw


def encode(raw: bytes) -> str:
    """Standard, padded base64: the form keys and signatures take on the wire."""
    return base64.b64encode(raw).decode()


def parse_signing_key(text: Any) -> Ed25519PublicKey:
    """An agency's public signing key from its base64 form."""
    return Ed25519PublicKey.from_public_bytes(decode(text, 32, "signing key"))


def canonical_signing_key(text: Any) -> str:
    """The key in the one form the hub stores and hands out."""
    return encode(parse_signing_key(text).public_bytes_raw())


def public_key_of(private: Ed25519PrivateKey) -> str:
    """The base64 public key that belongs to a private signing key."""
    return encode(private.public_key().public_bytes_raw())


def new_nonce() -> str:
    """A fresh single-use nonce (32 base64url characters)."""
    return secrets.token_urlsafe(24)


def signed_object(request: Mapping[str, Any], agency_id: str) -> dict[str, Any]:
    """The object a signature covers, taken from a request's own values.

    Missing fields stay missing (and the signature then fails): the object is
    never completed with defaults.
    """
    out: dict[str, Any] = {
        key: request[key]
        for key in SIGNED_FIELDS
        if key not in ("area", "agency_id") and key in request
    }
    area = request.get("area")
    if isinstance(area, Mapping):
        out["area"] = {key: area[key] for key in AREA_FIELDS if key in area}
    elif "area" in request:
        out["area"] = area
    out["agency_id"] = agency_id
    return out


def canonical_bytes(obj: Mapping[str, Any]) -> bytes:
    """RFC 8785 canonical JSON; :class:`SigningError` for values JCS refuses."""
    try:
        return rfc8785.dumps(dict(obj))
    except (rfc8785.CanonicalizationError, TypeError) as err:
        raise SigningError(f"The request cannot be canonicalised: {err}") from None


def sign(private: Ed25519PrivateKey, obj: Mapping[str, Any]) -> str:
    """The base64 signature over the canonical bytes of ``obj``."""
    return encode(private.sign(canonical_bytes(obj)))


def verify(signing_key: str, signature: Any, obj: Mapping[str, Any]) -> bool:
    """Whether ``signature`` is the agency's over ``obj``; False if malformed."""
    try:
        key = parse_signing_key(signing_key)
        raw = decode(signature, 64, "signature")
        key.verify(raw, canonical_bytes(obj))
    except (SigningError, InvalidSignature):
        return False
    return True
