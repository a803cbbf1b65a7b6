"""A small client for the Porchlight hub HTTP API.

This module has no Home Assistant imports on purpose: it only speaks the hub's
``/api/v1`` protocol, so it can be tested and reused on its own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, Final

import aiohttp
from yarl import URL

API_PREFIX: Final = "/api/v1"
DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(total=10)

_INVALID: Final = object()


class PorchlightError(Exception):
    """Base class for every error raised by this client."""


class PorchlightInvalidURL(PorchlightError, ValueError):
    """The hub URL is not an http(s) URL with a host."""


class PorchlightConnectionError(PorchlightError):
    """The hub could not be reached or failed on its side (timeouts, 5xx)."""


class PorchlightInvalidResponse(PorchlightError):
    """The hub answered with something that is not the documented payload."""


class PorchlightRequestError(PorchlightError):
    """The hub rejected the request with a 4xx answer.

    Attributes:
        status: The HTTP status of the answer.
        code: The hub's machine readable error code (``error``), if it sent one.
        message: The hub's human readable message, if it sent one.
    """

    def __init__(self, status: int, code: str | None, message: str | None) -> None:
        super().__init__(message or code or f"HTTP {status}")
        self.status = status
        self.code = code
        self.message = message


class PorchlightAuthError(PorchlightRequestError):
    """The hub refused our credentials (401 or 403)."""


class PorchlightPairingError(PorchlightRequestError):
    """The hub refused to pair, e.g. because the code is wrong or used."""


class PorchlightRateLimited(PorchlightPairingError):
    """The hub is rate limiting pairing attempts (429).

    Attributes:
        retry_after: Seconds the hub asked us to wait, if it said so.
    """

    def __init__(
        self,
        status: int,
        code: str | None,
        message: str | None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(status, code, message)
        self.retry_after = retry_after


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


def _str_fields(payload: Any, *names: str) -> list[str]:
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


def _retry_after(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header given in seconds."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


class PorchlightClient:
    """Talks to one Porchlight hub."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        token: str | None = None,
        *,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
    ) -> None:
        """Create a client for the hub at ``url``.

        Raises:
            PorchlightInvalidURL: ``url`` is not an http(s) URL with a host.
        """
        self._session = session
        self._url = normalize_url(url)
        self._token = token
        self._timeout = timeout

    @property
    def url(self) -> str:
        """The hub's normalised base URL."""
        return self._url

    async def health(self) -> HubHealth:
        """Ask the hub who it is."""
        payload = await self._request("GET", "/health")
        hub_id, name, version = _str_fields(payload, "hub_id", "name", "version")
        return HubHealth(hub_id=hub_id, name=name, version=version)

    async def pair(
        self,
        code: str,
        name: str | None = None,
        latitude: float | None = None,
        longitude: float | None = None,
    ) -> Pairing:
        """Exchange a one-time pairing code for a home token.

        Raises:
            PorchlightRateLimited: The hub is rate limiting pairing attempts.
            PorchlightPairingError: The hub refused the code.
            PorchlightConnectionError: The hub could not be reached.
            PorchlightInvalidResponse: The hub's answer was malformed.
        """
        body: dict[str, Any] = {"code": code.strip()}
        if name is not None:
            body["name"] = name
        if latitude is not None and longitude is not None:
            body["latitude"] = latitude
            body["longitude"] = longitude
        try:
            payload = await self._request("POST", "/pair", body=body)
        except PorchlightRateLimited:
            raise
        except PorchlightRequestError as err:
            raise PorchlightPairingError(err.status, err.code, err.message) from err
        home_id, token, hub_id = _str_fields(payload, "home_id", "token", "hub_id")
        return Pairing(home_id=home_id, token=token, hub_id=hub_id)

    async def _request(
        self, method: str, path: str, *, body: dict[str, Any] | None = None
    ) -> Any:
        """Send one request and return the decoded JSON answer."""
        headers = {"Accept": "application/json"}
        if self._token is not None:
            headers["Authorization"] = f"Bearer {self._token}"
        url = f"{self._url}{API_PREFIX}{path}"
        try:
            async with self._session.request(
                method, url, json=body, headers=headers, timeout=self._timeout
            ) as response:
                status = response.status
                retry_after = _retry_after(response.headers.get("Retry-After"))
                text = await response.text()
        except TimeoutError as err:
            raise PorchlightConnectionError(f"Timed out talking to {url}") from err
        except aiohttp.ClientError as err:
            raise PorchlightConnectionError(
                f"Could not talk to {url}: {err!s}"
            ) from err

        payload = _decode(text)
        if status >= 500:
            raise PorchlightConnectionError(f"The hub failed with HTTP {status}")
        if status >= 400:
            code, message = _error_fields(payload)
            if status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
                raise PorchlightAuthError(status, code, message)
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                raise PorchlightRateLimited(status, code, message, retry_after)
            raise PorchlightRequestError(status, code, message)
        if status >= 300 or payload is _INVALID:
            raise PorchlightInvalidResponse(
                f"Unexpected answer from {url} (HTTP {status})"
            )
        return payload


def _decode(text: str) -> Any:
    """Decode a JSON body; return ``_INVALID`` when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return _INVALID


def _error_fields(payload: Any) -> tuple[str | None, str | None]:
    """Return the hub's ``error`` and ``message`` fields, when present."""
    if not isinstance(payload, dict):
        return None, None
    code = payload.get("error")
    message = payload.get("message")
    return (
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
    )
