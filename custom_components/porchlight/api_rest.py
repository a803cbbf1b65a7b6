"""One REST call to the hub, with the hub's answers turned into errors.

Every call the client makes goes through here, so each HTTP status, timeout
and malformed body maps to the same :mod:`.api_errors` exception wherever
it happens. No Home Assistant imports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any, Final

import aiohttp
from yarl import URL

from . import models
from .api_errors import (
    INVALID,
    STATUS_ERRORS,
    PorchlightConnectionError,
    PorchlightHubFailed,
    PorchlightInvalidResponse,
    PorchlightRateLimited,
    PorchlightRequestError,
    decode,
    error_fields,
    parse_retry_after,
)
from .api_wire import quote_segment

API_PREFIX: Final = "/api/v1"
DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(total=10)
MAX_LOGGED_PROBLEMS: Final = 256

_LOGGER = logging.getLogger(__name__)


class RestSession:
    """The plumbing under the client: URLs, authentication, errors, logging."""

    _session: aiohttp.ClientSession
    _base: URL
    _token: str | None
    _timeout: aiohttp.ClientTimeout
    _logged_problems: dict[str, None]

    def _auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._token}"}

    def _api_url(self, *segments: str) -> URL:
        """The URL of an API path, each segment quoted on its own."""
        tail = "/".join(quote_segment(s) for s in segments)
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
                retry_after = parse_retry_after(response.headers.get("Retry-After"))
                text = await response.text()
        except TimeoutError as err:
            raise PorchlightConnectionError(f"Timed out talking to {url}") from err
        except aiohttp.ClientError as err:
            raise PorchlightConnectionError(
                f"Could not talk to {url}: {err!s}"
            ) from err

        payload = decode(text)
        if status >= 500:
            raise PorchlightHubFailed(status)
        if status >= 400:
            code, message = error_fields(payload)
            if status == HTTPStatus.TOO_MANY_REQUESTS:
                raise PorchlightRateLimited(status, code, message, retry_after)
            raise STATUS_ERRORS.get(status, PorchlightRequestError)(
                status, code, message
            )
        if status >= 300 or payload is INVALID:
            raise PorchlightInvalidResponse(
                f"Unexpected answer from {url} (HTTP {status})"
            )
        return payload
