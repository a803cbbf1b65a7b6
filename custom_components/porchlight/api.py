"""A small client for the Porchlight hub HTTP API.

This module has no Home Assistant imports on purpose: it only speaks the hub's
``/api/v1`` protocol, so it can be tested and reused on its own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import aiohttp
from yarl import URL

from . import models
from .api_errors import (
    PorchlightAuthError,
    PorchlightClipFileError,
    PorchlightConflict,
    PorchlightConnectionError,
    PorchlightError,
    PorchlightGone,
    PorchlightHubFailed,
    PorchlightInvalidResponse,
    PorchlightInvalidURL,
    PorchlightNotFound,
    PorchlightPairingError,
    PorchlightRateLimited,
    PorchlightRequestError,
)
from .api_rest import DEFAULT_TIMEOUT, RestSession
from .api_stream import HubStream, open_stream
from .api_transfer import upload_file
from .api_wire import (
    HubHealth,
    Pairing,
    normalize_url,
    str_fields,
    utc_iso,
)
from .sealing import Seal

# The errors are part of the client's interface: callers import them from here.
__all__ = [
    "HubHealth",
    "HubStream",
    "Pairing",
    "PorchlightAuthError",
    "PorchlightClient",
    "PorchlightClipFileError",
    "PorchlightConflict",
    "PorchlightConnectionError",
    "PorchlightError",
    "PorchlightGone",
    "PorchlightHubFailed",
    "PorchlightInvalidResponse",
    "PorchlightInvalidURL",
    "PorchlightNotFound",
    "PorchlightPairingError",
    "PorchlightRateLimited",
    "PorchlightRequestError",
    "normalize_url",
]

DEFAULT_UPLOAD_IDLE_TIMEOUT: Final = 60.0
DEFAULT_RECEIVE_TIMEOUT: Final = 75.0


class PorchlightClient(RestSession):
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
        hub_id, name, version = str_fields(payload, "hub_id", "name", "version")
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
        home_id, token, hub_id = str_fields(payload, "home_id", "token", "hub_id")
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
            str_fields(payload, "share_id")
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
            params["since"] = utc_iso(since)
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

    # --- Uploads -------------------------------------------------------------

    async def upload_clip(
        self,
        share_id: str,
        clip_id: str,
        path: Path,
        content_type: str,
        size: int,
        *,
        seal: Seal | None = None,
    ) -> dict[str, Any]:
        """Stream one clip of a share from disk (see ``api_transfer``).

        With a ``seal`` the clip (``size`` bytes on disk) is sealed to the
        agency chunk by chunk on its way out, and its ciphertext is what is
        sent.

        Raises:
            PorchlightClipFileError: The file cannot be read or is not ``size``
                bytes long (nothing, or an incomplete body, was sent).
            PorchlightGone: The share was revoked or expired.
            PorchlightRequestError: The hub refused the clip (wrong type, size
                or checksum, or not in the share's manifest).
            PorchlightConnectionError: The hub could not be reached, or the
                upload made no progress for the idle timeout.
        """

        async def send(
            body: Any, headers: dict[str, str], client_timeout: aiohttp.ClientTimeout
        ) -> Any:
            return await self._request(
                "PUT",
                "shares",
                share_id,
                "clips",
                clip_id,
                data=body,
                headers=headers,
                client_timeout=client_timeout,
            )

        return await upload_file(
            send,
            path,
            content_type,
            size,
            what=f"clip {clip_id!r}",
            idle=self._upload_idle_timeout,
            sock_connect=self._timeout.sock_connect or self._timeout.total,
            seal=seal,
        )

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
        async with open_stream(
            self._session,
            url,
            headers,
            hub_url=self._url,
            connect_timeout=self._timeout.total or 10,
            receive_timeout=receive_timeout,
        ) as stream:
            yield stream
