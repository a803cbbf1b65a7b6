"""Reading and checking client input.

Every field is checked for presence, type and range before anything is
stored; the first problem becomes a 422 naming the field, malformed JSON a 400.
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime
from typing import Any

from aiohttp import web

from .errors import ApiError

MAX_JSON_BYTES = 256 * 1024
# No body the hub takes nests more than a few levels. Python 3.13's parser
# hits its recursion limit on deep nesting, Python 3.14's does not: an explicit
# limit makes "nested too deep" the same 400 on both.
MAX_JSON_DEPTH = 32


def _too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether more than ``limit`` containers nest (iterative: no recursion)."""
    level = [value] if isinstance(value, dict | list) else []
    for _depth in range(limit):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


async def read_json(request: web.Request) -> dict[str, Any]:
    """Read a JSON object body, refusing oversize and malformed input."""
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise ApiError(413, "payload_too_large", "The JSON body is too large.")
    # read(n) returns what has arrived so far, not n bytes: loop until EOF.
    raw = bytearray()
    while len(raw) <= MAX_JSON_BYTES:
        chunk = await request.content.read(MAX_JSON_BYTES + 1 - len(raw))
        if not chunk:
            break
        raw += chunk
    if len(raw) > MAX_JSON_BYTES:
        raise ApiError(413, "payload_too_large", "The JSON body is too large.")
    if not raw.strip():
        raise ApiError(400, "invalid_json", "A JSON object body is required.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(
            400, "invalid_json", f"The body is not valid JSON: {err}"
        ) from err
    except RecursionError as err:
        raise ApiError(400, "invalid_json", "The JSON is nested too deeply.") from err
    if _too_deep(body):
        raise ApiError(400, "invalid_json", "The JSON is nested too deeply.")
    try:
        # "\ud800" is valid JSON but not text: it would fail later, in storage.
        json.dumps(body, ensure_ascii=False).encode()
    except (UnicodeEncodeError, RecursionError) as err:
        raise ApiError(
            400, "invalid_json", "The body has an unpaired surrogate or nests too deep."
        ) from err
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_body", "The body must be a JSON object.")
    return body


def _missing(name: str) -> ApiError:
    return ApiError(
        422, "missing_field", f"The field '{name}' is required.", field=name
    )


def _invalid(name: str, why: str) -> ApiError:
    return ApiError(422, "invalid_field", f"The field '{name}' {why}.", field=name)


class Fields:
    """Typed accessors over a JSON object, raising 422s that name the field."""

    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix

    def _name(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def has(self, key: str) -> bool:
        """Whether the field is present and not null."""
        return self.data.get(key) is not None

    def string(
        self,
        key: str,
        *,
        required: bool = True,
        min_len: int = 0,
        max_len: int | None = None,
        pattern: re.Pattern[str] | None = None,
        choices: tuple[str, ...] | None = None,
        strip: bool = True,
    ) -> str | None:
        """A string field."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise _missing(self._name(key))
            return None
        if not isinstance(value, str):
            raise _invalid(self._name(key), "must be a string")
        if strip:
            value = value.strip()
        if choices is not None and value not in choices:
            raise _invalid(self._name(key), f"must be one of {', '.join(choices)}")
        if len(value) < min_len:
            raise _invalid(self._name(key), f"must be at least {min_len} characters")
        if max_len is not None and len(value) > max_len:
            raise _invalid(self._name(key), f"must be at most {max_len} characters")
        if pattern is not None and not pattern.fullmatch(value):
            raise _invalid(self._name(key), "has characters that are not allowed")
        return value

    def req_string(self, key: str, **kwargs: Any) -> str:
        """A required string field."""
        value = self.string(key, required=True, **kwargs)
        if value is None:  # pragma: no cover - required=True raised already
            raise _missing(self._name(key))
        return value

    def number(
        self,
        key: str,
        *,
        required: bool = True,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
    ) -> float | None:
        """A number (booleans are not numbers here)."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise _missing(self._name(key))
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _invalid(self._name(key), "must be a number")
        try:
            value = float(value)
        except OverflowError:  # an int too large for a float
            raise _invalid(self._name(key), "must be a finite number") from None
        if not math.isfinite(value):
            raise _invalid(self._name(key), "must be a finite number")
        if integer and not float(value).is_integer():
            raise _invalid(self._name(key), "must be a whole number")
        if minimum is not None and value < minimum:
            raise _invalid(self._name(key), f"must be at least {minimum:g}")
        if maximum is not None and value > maximum:
            raise _invalid(self._name(key), f"must be at most {maximum:g}")
        return float(value)

    def req_number(self, key: str, **kwargs: Any) -> float:
        """A required number."""
        value = self.number(key, required=True, **kwargs)
        if value is None:  # pragma: no cover - required=True raised already
            raise _missing(self._name(key))
        return value

    def boolean(self, key: str, *, required: bool = True) -> bool | None:
        """A boolean."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise _missing(self._name(key))
            return None
        if not isinstance(value, bool):
            raise _invalid(self._name(key), "must be true or false")
        return value

    def timestamp(self, key: str, *, required: bool = True) -> datetime | None:
        """An ISO 8601 time that carries its timezone."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise _missing(self._name(key))
            return None
        return parse_time(value, self._name(key))

    def req_timestamp(self, key: str) -> datetime:
        """A required ISO 8601 time."""
        value = self.timestamp(key, required=True)
        if value is None:  # pragma: no cover - required=True raised already
            raise _missing(self._name(key))
        return value

    def obj(self, key: str) -> Fields:
        """A nested object."""
        value = self.data.get(key)
        if value is None:
            raise _missing(self._name(key))
        if not isinstance(value, dict):
            raise _invalid(self._name(key), "must be an object")
        return Fields(value, prefix=f"{self._name(key)}.")

    def array(self, key: str, *, required: bool = True) -> list[Any] | None:
        """A list."""
        value = self.data.get(key)
        if value is None:
            if required:
                raise _missing(self._name(key))
            return None
        if not isinstance(value, list):
            raise _invalid(self._name(key), "must be a list")
        return value


def parse_time(value: Any, name: str) -> datetime:
    """Parse an ISO 8601 time with a timezone; naive times are ambiguous."""
    if not isinstance(value, str):
        raise _invalid(name, "must be an ISO 8601 time string")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as err:
        raise _invalid(name, "must be an ISO 8601 time") from err
    if parsed.tzinfo is None:
        raise _invalid(name, "must include a timezone")
    return parsed


def query_number(
    request: web.Request,
    key: str,
    default: float,
    *,
    minimum: float,
    maximum: float,
    integer: bool = False,
) -> float:
    """A numeric query parameter with bounds."""
    raw = request.query.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError as err:
        raise _invalid(key, "must be a number") from err
    if not math.isfinite(value) or (integer and not value.is_integer()):
        raise _invalid(key, "must be a whole number" if integer else "must be a number")
    if not minimum <= value <= maximum:
        raise _invalid(key, f"must be between {minimum:g} and {maximum:g}")
    return value


def query_choice(
    request: web.Request, key: str, choices: tuple[str, ...]
) -> str | None:
    """An optional query parameter that must be one of ``choices``."""
    raw = request.query.get(key, "").strip()
    if not raw:
        return None
    if raw not in choices:
        raise _invalid(key, f"must be one of {', '.join(choices)}")
    return raw


def query_time(request: web.Request, key: str) -> datetime | None:
    """An optional ISO 8601 query parameter."""
    raw = request.query.get(key)
    if raw is None or raw == "":
        return None
    return parse_time(raw, key)
