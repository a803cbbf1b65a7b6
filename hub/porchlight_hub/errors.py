"""One error shape for every failure: ``{"error": CODE, "message": TEXT}``.

The hub never answers a client's bad input with a 5xx, so every handler
raises :class:`ApiError` and the middleware turns anything else that escapes
into a logged 500 (a bug, not an input problem).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

_LOGGER = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ApiError(Exception):
    """A client-facing error with an HTTP status and a stable code."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra
        self.headers: dict[str, str] = {}

    def response(self) -> web.Response:
        """Render as the JSON error body."""
        body = {"error": self.code, "message": self.message, **self.extra}
        return json_response(body, status=self.status, headers=self.headers)


class RuleViolation(ApiError):
    """A request breaks one of the rules of DESIGN.md §2.3."""

    def __init__(self, rule: str, message: str, field: str | None = None) -> None:
        # ``field`` names what to fix, so a form can put the message beside it.
        where = {} if field is None else {"field": field}
        super().__init__(
            422, "rule_violation", f"Rule {rule}: {message}", rule=rule, **where
        )


def not_found(what: str) -> ApiError:
    """The same answer whether a thing is missing or belongs to someone else."""
    return ApiError(404, "not_found", f"No such {what}.")


def dumps(obj: Any) -> str:
    """Compact JSON."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def json_response(
    body: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response with the hub's serializer."""
    return web.Response(
        text=dumps(body),
        status=status,
        content_type="application/json",
        headers=headers,
    )


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


@web.middleware
async def error_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Turn every failure into the JSON error shape."""
    try:
        return await handler(request)
    except ApiError as err:
        return err.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = _HTTP_CODES.get(exc.status, "http_error")
        http_err = ApiError(exc.status, code, exc.reason)
        http_err.headers = {
            k: v
            for k, v in exc.headers.items()
            if k.lower() in {"allow", "retry-after"}
        }
        return http_err.response()
    except ConnectionError:
        # The client went away; nobody is left to answer, aiohttp ignores it.
        raise
    except Exception:
        _LOGGER.exception(
            "Unexpected error serving %s %s", request.method, request.path
        )
        return ApiError(
            500, "internal_error", "The hub hit an unexpected error."
        ).response()
