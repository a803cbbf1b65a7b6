"""What can go wrong talking to a hub, and how its answers map to errors.

Apart from the client so that models (whose payload errors derive from
these) and the client can both import them without importing each other.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, Final

INVALID: Final = object()


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


STATUS_ERRORS: Final[dict[int, type[PorchlightRequestError]]] = {
    HTTPStatus.UNAUTHORIZED: PorchlightAuthError,
    HTTPStatus.FORBIDDEN: PorchlightAuthError,
    HTTPStatus.NOT_FOUND: PorchlightNotFound,
    HTTPStatus.CONFLICT: PorchlightConflict,
    HTTPStatus.GONE: PorchlightGone,
}


def parse_retry_after(value: str | None) -> float | None:
    """Parse a ``Retry-After`` header given in seconds."""
    if value is None:
        return None
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def decode(text: str) -> Any:
    """Decode a JSON body; return ``INVALID`` when it is not JSON."""
    try:
        return json.loads(text)
    except ValueError:
        return INVALID


def error_fields(payload: Any) -> tuple[str | None, str | None]:
    """Return the hub's ``error`` and ``message`` fields, when present."""
    if not isinstance(payload, dict):
        return None, None
    code = payload.get("error")
    message = payload.get("message")
    return (
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else None,
    )
