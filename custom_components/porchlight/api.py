"""A small client for the Porchlight hub HTTP API.

This module has no Home Assistant imports on purpose: it only speaks the hub's
``/api/v1`` protocol, so it can be tested and reused on its own.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import quote

import aiohttp
from yarl import URL

API_PREFIX: Final = "/api/v1"
DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(total=10)
DEFAULT_UPLOAD_IDLE_TIMEOUT: Final = 60.0
DEFAULT_RECEIVE_TIMEOUT: Final = 75.0
UPLOAD_CHUNK_SIZE: Final = 256 * 1024
MAX_LOGGED_PROBLEMS: Final = 256

_LOGGER = logging.getLogger(__name__)
_INVALID: Final = object()


class PorchlightError(Exception):
    """Base class for every error raised by this client."""


class PorchlightInvalidURL(PorchlightError, ValueError):
    """The hub URL is not an http(s) URL with a host."""


class PorchlightConnectionError(PorchlightError):
    """The hub could not be reached or failed on its side (timeouts, 5xx)."""


class PorchlightHubFailed(PorchlightConnectionError):
    """The hub was reached and failed on its side (5xx).

    Apart from an unreachable hub so a retry policy can tell "the hub is
    away" (wait for as long as it takes) from "the hub keeps failing this".
    """

    def __init__(self, status: int) -> None:
        super().__init__(f"The hub failed with HTTP {status}")
        self.status = status


class PorchlightInvalidResponse(PorchlightError):
    """The hub answered with something that is not the documented payload."""


class PorchlightClipFileError(PorchlightError):
    """A clip to upload cannot be read from disk, or is not the announced size.

    Separate from hub errors so an outbox can tell "the hub is away, retry"
    from "the local file is gone, retrying will never help".
    """


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


class PorchlightNotFound(PorchlightRequestError):
    """The hub knows no such thing for this home (404).

    The hub answers the same for "missing" and "someone else's", on purpose.
    """


class PorchlightConflict(PorchlightRequestError):
    """The request clashes with the hub's state (409).

    For a decision the ``code`` tells why: ``already_decided``,
    ``request_closed`` or ``idempotency_conflict``.
    """


class PorchlightGone(PorchlightRequestError):
    """The thing existed but is gone for good (410), e.g. a revoked share."""


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


# models.py derives InvalidPayload from PorchlightInvalidResponse and so imports
# this module. Importing the module object (not names from it) once the errors
# above exist works whichever of the two modules Python loads first; the names
# are only looked up when a method runs.
from . import models  # noqa: E402

_STATUS_ERRORS: Final[dict[int, type[PorchlightRequestError]]] = {
    HTTPStatus.UNAUTHORIZED: PorchlightAuthError,
    HTTPStatus.FORBIDDEN: PorchlightAuthError,
    HTTPStatus.NOT_FOUND: PorchlightNotFound,
    HTTPStatus.CONFLICT: PorchlightConflict,
    HTTPStatus.GONE: PorchlightGone,
}


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


def _segment(value: str) -> str:
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


def _utc_iso(when: datetime) -> str:
    """Render an aware time for the wire as the hub writes times (UTC, ``Z``).

    Raises:
        ValueError: ``when`` is naive, so which instant it means is unknown.
    """
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("The time must carry a timezone")
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


class PorchlightClient:
    """Talks to one Porchlight hub as one paired home."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        token: str | None = None,
        *,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
        upload_idle_timeout: float = DEFAULT_UPLOAD_IDLE_TIMEOUT,
    ) -> None:
        """Create a client for the hub at ``url``.

        ``timeout`` bounds every ordinary call. Uploads have no total limit
        (a large clip on a slow uplink takes as long as it takes); they fail
        only when no progress is made for ``upload_idle_timeout`` seconds.

        Raises:
            PorchlightInvalidURL: ``url`` is not an http(s) URL with a host.
        """
        self._session = session
        self._url = normalize_url(url)
        self._base = URL(self._url)
        self._token = token
        self._timeout = timeout
        self._upload_idle_timeout = upload_idle_timeout
        self._logged_problems: dict[str, None] = {}

    def __repr__(self) -> str:
        """Name the hub, never the token."""
        return f"{type(self).__name__}(url={self._url!r})"

    @property
    def url(self) -> str:
        """The hub's normalised base URL."""
        return self._url

    # --- Public ------------------------------------------------------------

    async def health(self) -> HubHealth:
        """Ask the hub who it is."""
        payload = await self._request("GET", "health")
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
            payload = await self._request("POST", "pair", body=body)
        except PorchlightRateLimited:
            raise
        except PorchlightRequestError as err:
            raise PorchlightPairingError(err.status, err.code, err.message) from err
        home_id, token, hub_id = _str_fields(payload, "home_id", "token", "hub_id")
        return Pairing(home_id=home_id, token=token, hub_id=hub_id)

    # --- Home ----------------------------------------------------------------

    async def get_home(self) -> models.Home:
        """Read this home's profile as the hub holds it."""
        return models.Home.from_hub(await self._request("GET", "home"))

    async def set_opted_out(self, opted_out: bool) -> models.Home:
        """Turn requests off (``True``) or on; the hub then honours it."""
        payload = await self._request("PATCH", "home", body={"opted_out": opted_out})
        return models.Home.from_hub(payload)

    # --- Requests ------------------------------------------------------------

    async def list_requests(
        self, status: str | None = None
    ) -> list[models.VideoRequest]:
        """Requests delivered to this home, newest first.

        Invalid items are skipped (and logged once), so one bad record never
        hides the others from the household.
        """
        params = None if status is None else {"status": status}
        payload = await self._request("GET", "requests", params=params)
        return self._items(payload, "requests", models.VideoRequest.from_hub)

    async def get_request(self, request_id: str) -> models.VideoRequest:
        """One request delivered to this home."""
        payload = await self._request("GET", "requests", request_id)
        return models.VideoRequest.from_hub(payload)

    async def decide(self, request_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Send a decision exactly as the outbox stored it; safe to repeat.

        ``body`` holds ``decision``, ``idempotency_key`` and, for a share,
        ``retention_days`` and ``clips``. The hub's answer is returned as is so
        the outbox can record it; a share's answer must name its share.

        Raises:
            PorchlightConflict: Already decided, closed, or the key was reused
                with a different body (see ``code``).
            PorchlightNotFound: No such request for this home.
        """
        payload = await self._request(
            "POST", "requests", request_id, "decision", body=body
        )
        if not isinstance(payload, dict):
            raise PorchlightInvalidResponse("The decision answer is not an object")
        if body.get("decision") == "share":
            _str_fields(payload, "share_id")
        return payload

    # --- Alerts --------------------------------------------------------------

    async def list_alerts(
        self, radius_m: float, since: datetime | None = None, limit: int = 500
    ) -> list[models.Alert]:
        """Alerts within ``radius_m`` of the home, newest first.

        Raises:
            ValueError: ``since`` is a naive time.
        """
        params = {"radius_m": str(float(radius_m)), "limit": str(int(limit))}
        if since is not None:
            params["since"] = _utc_iso(since)
        payload = await self._request("GET", "alerts", params=params)
        return self._items(payload, "alerts", models.Alert.from_hub)

    async def get_alert(
        self, alert_id: str
    ) -> tuple[models.Alert, list[models.AlertComment]]:
        """One alert and its comments, oldest comment first."""
        payload = await self._request("GET", "alerts", alert_id)
        alert = models.Alert.from_hub(payload)
        return alert, self._items(payload, "comments", models.AlertComment.from_hub)

    async def post_alert(
        self, category: str, title: str, description: str | None = None
    ) -> models.Alert:
        """Post a neighbour's alert at the home's (coarsened) location."""
        body: dict[str, Any] = {"category": category, "title": title}
        if description is not None:
            body["description"] = description
        return models.Alert.from_hub(await self._request("POST", "alerts", body=body))

    async def comment_alert(self, alert_id: str, text: str) -> models.AlertComment:
        """Comment on an alert."""
        payload = await self._request(
            "POST", "alerts", alert_id, "comments", body={"text": text}
        )
        return models.AlertComment.from_hub(payload)

    # --- Shares --------------------------------------------------------------

    async def list_shares(self) -> list[models.Share]:
        """Every share this home made, newest first, deleted ones included."""
        payload = await self._request("GET", "shares")
        return self._items(payload, "shares", models.Share.from_hub)

    async def revoke_share(self, share_id: str) -> models.Share:
        """Revoke a share: the hub deletes its files and the agency loses access.

        Revoking a share that already ended answers with it unchanged.
        """
        payload = await self._request("DELETE", "shares", share_id)
        return models.Share.from_hub(payload)

    async def upload_clip(
        self,
        share_id: str,
        clip_id: str,
        path: Path,
        content_type: str,
        size: int,
    ) -> dict[str, Any]:
        """Stream one clip of a share from disk, never holding it in memory.

        The file is read in chunks in a worker thread, and exactly ``size``
        bytes are sent with a matching ``Content-Length``, so the hub can
        refuse a wrong size before reading anything.

        Raises:
            PorchlightClipFileError: The file cannot be read or is not ``size``
                bytes long (nothing, or an incomplete body, was sent).
            PorchlightGone: The share was revoked or expired.
            PorchlightRequestError: The hub refused the clip (wrong type, size
                or checksum, or not in the share's manifest).
            PorchlightConnectionError: The hub could not be reached, or the
                upload made no progress for the idle timeout.
        """
        handle = await asyncio.to_thread(_open_clip, path, size)
        idle = self._upload_idle_timeout
        timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=self._timeout.sock_connect or self._timeout.total,
            sock_read=idle,
        )
        loop = asyncio.get_running_loop()
        errors: list[PorchlightClipFileError] = []
        try:
            async with asyncio.timeout_at(loop.time() + idle) as watchdog:

                def progressed() -> None:
                    watchdog.reschedule(loop.time() + idle)

                chunks = _read_chunks(handle, path, size, progressed, errors)
                payload = await self._request(
                    "PUT",
                    "shares",
                    share_id,
                    "clips",
                    clip_id,
                    data=chunks,
                    headers={
                        "Content-Type": content_type,
                        "Content-Length": str(size),
                    },
                    client_timeout=timeout,
                )
        except (PorchlightConnectionError, TimeoutError) as err:
            if errors:
                raise errors[0] from None
            if isinstance(err, TimeoutError):
                raise PorchlightConnectionError(
                    f"The upload of clip {clip_id!r} stalled for {idle:g} s"
                ) from err
            raise
        finally:
            await asyncio.to_thread(handle.close)
        if not isinstance(payload, dict):
            raise PorchlightInvalidResponse("The upload answer is not an object")
        return payload

    # --- Stream --------------------------------------------------------------

    @asynccontextmanager
    async def stream(
        self, *, receive_timeout: float = DEFAULT_RECEIVE_TIMEOUT
    ) -> AsyncIterator[HubStream]:
        """Open the home's live stream; it is closed when the block ends.

        ``receive_timeout`` should exceed the hub's heartbeat interval (30 s)
        with room to spare: silence that long means the line is dead even if
        TCP has not noticed.

        Raises:
            PorchlightAuthError: The hub refused the token (handshake 401/403).
            PorchlightConnectionError: The hub could not be reached, or did
                not accept the WebSocket.
        """
        base = self._api_url("stream")
        url = base.with_scheme("wss" if base.scheme == "https" else "ws")
        headers = {} if self._token is None else self._auth_headers()
        try:
            async with asyncio.timeout(self._timeout.total or 10):
                ws = await self._session.ws_connect(
                    url,
                    headers=headers,
                    autoping=True,
                    heartbeat=None,
                    timeout=aiohttp.ClientWSTimeout(ws_close=5.0),
                )
        except aiohttp.WSServerHandshakeError as err:
            # "from None": the handshake error's request_info carries our
            # headers, token included, and must not travel in the chain.
            if err.status in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN):
                raise PorchlightAuthError(
                    err.status, None, "The hub refused the home token"
                ) from None
            raise PorchlightConnectionError(
                f"The hub at {self._url} refused the stream (HTTP {err.status})"
            ) from None
        except TimeoutError as err:
            raise PorchlightConnectionError(
                f"Timed out opening the stream of {self._url}"
            ) from err
        except aiohttp.ClientError as err:
            raise PorchlightConnectionError(
                f"Could not open the stream of {self._url}: {err!s}"
            ) from err
        try:
            yield HubStream(ws, receive_timeout)
        finally:
            await ws.close()

    # --- Plumbing --------------------------------------------------------------

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _api_url(self, *segments: str) -> URL:
        """The URL of an API path, each segment quoted on its own."""
        tail = "/".join(_segment(s) for s in segments)
        path = f"{self._base.raw_path.rstrip('/')}{API_PREFIX}/{tail}"
        return self._base.with_path(path, encoded=True)

    def _items[T](self, payload: Any, key: str, parse: Callable[[Any], T]) -> list[T]:
        """Validate a list answer item by item, skipping the bad ones.

        Raises:
            InvalidPayload: The envelope itself is not ``{key: [...]}``.
        """
        if not isinstance(payload, dict) or not isinstance(payload.get(key), list):
            raise models.InvalidPayload(f"{key}: expected an object with a list")
        items: list[T] = []
        for raw in payload[key]:
            try:
                items.append(parse(raw))
            except models.InvalidPayload as err:
                self._log_once(f"Skipping an invalid item of {key} from the hub: {err}")
        return items

    def _log_once(self, problem: str) -> None:
        """Warn about a problem the first time only.

        A resync every few minutes would otherwise repeat it all day; the
        memory is bounded so a hub inventing new problems cannot grow it.
        """
        if problem in self._logged_problems:
            return
        if len(self._logged_problems) >= MAX_LOGGED_PROBLEMS:
            del self._logged_problems[next(iter(self._logged_problems))]
        self._logged_problems[problem] = None
        _LOGGER.warning("%s", problem)

    async def _request(
        self,
        method: str,
        *segments: str,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        data: Any = None,
        headers: dict[str, str] | None = None,
        client_timeout: aiohttp.ClientTimeout | None = None,
    ) -> Any:
        """Send one request and return the decoded JSON answer."""
        all_headers = {"Accept": "application/json", **(headers or {})}
        if self._token is not None:
            all_headers.update(self._auth_headers())
        url = self._api_url(*segments)
        try:
            async with self._session.request(
                method,
                url,
                params=params,
                json=body,
                data=data,
                headers=all_headers,
                timeout=client_timeout or self._timeout,
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
            raise PorchlightHubFailed(status)
        if status >= 400:
            code, message = _error_fields(payload)
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                raise PorchlightRateLimited(status, code, message, retry_after)
            raise _STATUS_ERRORS.get(status, PorchlightRequestError)(
                status, code, message
            )
        if status >= 300 or payload is _INVALID:
            raise PorchlightInvalidResponse(
                f"Unexpected answer from {url} (HTTP {status})"
            )
        return payload


class HubStream:
    """The home's open WebSocket, read one validated message at a time.

    Heartbeats are returned like any other message (type ``heartbeat``) so a
    caller can see the line is alive; callers that only want events skip them.
    """

    def __init__(
        self, ws: aiohttp.ClientWebSocketResponse, receive_timeout: float
    ) -> None:
        self._ws = ws
        self._receive_timeout = receive_timeout
        self._dead: PorchlightConnectionError | None = None

    @property
    def closed(self) -> bool:
        """No more messages will come; open a new stream."""
        return self._dead is not None or self._ws.closed

    async def receive(self) -> models.StreamMessage:
        """Wait for the next message.

        Raises:
            InvalidPayload: This message was malformed; the stream stays open,
                so log it and call again.
            PorchlightConnectionError: The stream closed, failed, or was silent
                for longer than the receive timeout. It stays failed.
        """
        if self._dead is not None:
            raise self._dead
        try:
            msg = await self._ws.receive(timeout=self._receive_timeout)
        except TimeoutError:
            self._dead = PorchlightConnectionError(
                f"Nothing from the hub for {self._receive_timeout:g} s"
            )
            raise self._dead from None
        if msg.type is aiohttp.WSMsgType.TEXT:
            payload = _decode(msg.data)
            if payload is _INVALID:
                raise models.InvalidPayload("message: not JSON")
            return models.StreamMessage.from_hub(payload)
        if msg.type is aiohttp.WSMsgType.BINARY:
            raise models.InvalidPayload("message: binary, expected JSON text")
        self._dead = PorchlightConnectionError(
            f"The hub closed the stream ({msg.type.name}, code {self._ws.close_code})"
        )
        raise self._dead


def _open_clip(path: Path, size: int) -> IO[bytes]:
    """Open a clip for reading and check its size (runs in a worker thread)."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise PorchlightClipFileError(f"Cannot read {path.name}: {err}") from err
    actual = os.fstat(handle.fileno()).st_size
    if actual != size:
        handle.close()
        raise PorchlightClipFileError(
            f"{path.name} has {actual} bytes, the manifest says {size}"
        )
    return handle


async def _read_chunks(
    handle: IO[bytes],
    path: Path,
    size: int,
    progressed: Callable[[], None],
    errors: list[PorchlightClipFileError],
) -> AsyncIterator[bytes]:
    """Yield exactly ``size`` bytes of ``handle``, read off the event loop.

    A file that shrinks while being sent is recorded in ``errors`` so the
    caller can report it instead of the connection error it causes.
    """
    remaining = size
    while remaining > 0:
        chunk = await asyncio.to_thread(handle.read, min(UPLOAD_CHUNK_SIZE, remaining))
        if not chunk:
            errors.append(
                PorchlightClipFileError(
                    f"{path.name} ended {remaining} bytes short of {size}"
                )
            )
            raise errors[-1]
        remaining -= len(chunk)
        progressed()
        yield chunk


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
