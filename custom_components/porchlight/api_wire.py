"""The hub's wire format: its URL, path segments, times and small answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from yarl import URL

from .api_errors import PorchlightInvalidResponse, PorchlightInvalidURL


@dataclass(frozen=True, slots=True)
class HubHealth:
    """What ``GET /api/v1/health`` tells about a hub."""

    hub_id: str
    name: str
    version: str


@dataclass(frozen=True, slots=True)
class Pairing:
    """The result of a successful ``POST /api/v1/pair``."""

    home_id: str
    token: str = field(repr=False)
    hub_id: str


def normalize_url(url: str) -> str:
    """Return the hub base URL without trailing slashes.

    Raises:
        PorchlightInvalidURL: The URL is not an http(s) URL with a host.
    """
    text = url.strip().rstrip("/")
    try:
        parsed = URL(text)
    except ValueError as err:
        raise PorchlightInvalidURL(f"Not a valid URL: {url!r}") from err
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise PorchlightInvalidURL(f"The hub URL must be http(s)://host: {url!r}")
    if parsed.query_string or parsed.fragment:
        raise PorchlightInvalidURL(f"The hub URL cannot have a query: {url!r}")
    return text


def str_fields(payload: Any, *names: str) -> list[str]:
    """Return the string values of ``names`` in a JSON object, in order."""
    if not isinstance(payload, dict):
        raise PorchlightInvalidResponse("The hub did not answer with a JSON object")
    values: list[str] = []
    for name in names:
        value = payload.get(name)
        if not isinstance(value, str) or not value:
            raise PorchlightInvalidResponse(
                f"The hub's answer has no valid {name!r} field"
            )
        values.append(value)
    return values


def quote_segment(value: str) -> str:
    """Quote one path segment so an id can never leave its place in the path.

    ``/`` is escaped like everything else, and the dot segments are escaped
    too because URL normalisation would otherwise climb out of the path.

    Raises:
        ValueError: ``value`` is empty: no hub resource has an empty id.
    """
    if not value:
        raise ValueError("An empty id names nothing on the hub")
    if value in (".", ".."):
        return value.replace(".", "%2E")
    return quote(value, safe="")


def utc_iso(when: datetime) -> str:
    """Render an aware time for the wire as the hub writes times (UTC, ``Z``).

    Raises:
        ValueError: ``when`` is naive, so which instant it means is unknown.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("The time must carry a timezone")
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")
