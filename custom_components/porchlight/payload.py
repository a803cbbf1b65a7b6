"""Reading a hub payload field by field, naming the field that is wrong.

The hub is not trusted (DESIGN.md §2.5), so every value it sends is checked
for its type as it is read; the error says which field of which payload,
which is what a household's log needs to show and a hub operator to fix.
No Home Assistant imports.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .api_errors import PorchlightInvalidResponse


class InvalidPayload(PorchlightInvalidResponse):
    """A hub payload that does not have the documented shape."""


class Reader:
    """Field access that names the offending field when a payload is wrong."""

    def __init__(self, data: Any, what: str) -> None:
        if not isinstance(data, dict):
            raise InvalidPayload(f"{what}: expected an object")
        self._data: dict[str, Any] = data
        self._what = what

    def _fail(self, key: str, why: str) -> InvalidPayload:
        return InvalidPayload(f"{self._what}.{key}: {why}")

    def text(self, key: str, choices: tuple[str, ...] | None = None) -> str:
        """A string, optionally one of ``choices`` (the hub's vocabulary)."""
        value = self._data.get(key)
        if not isinstance(value, str):
            raise self._fail(key, "expected a string")
        if choices is not None and value not in choices:
            raise self._fail(key, f"unexpected value {value!r}")
        return value

    def opt_text(self, key: str) -> str | None:
        """A string, or None when absent or null."""
        if self._data.get(key) is None:
            return None
        return self.text(key)

    def number(self, key: str) -> float:
        """A number; JSON's ``true`` is not one, though Python says it is."""
        value = self._data.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "expected a number")
        return float(value)

    def opt_number(self, key: str) -> float | None:
        """A number, or None when absent or null."""
        if self._data.get(key) is None:
            return None
        return self.number(key)

    def integer(self, key: str) -> int:
        """A whole number (``true`` is refused here too)."""
        value = self._data.get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "expected an integer")
        return value

    def flag(self, key: str) -> bool:
        """A JSON boolean, nothing truthy in its place."""
        value = self._data.get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "expected true or false")
        return value

    def time(self, key: str) -> datetime:
        """An ISO 8601 time with its zone: a naive time would be guessed."""
        value = self._data.get(key)
        if not isinstance(value, str):
            raise self._fail(key, "expected an ISO 8601 time")
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as err:
            raise self._fail(key, "expected an ISO 8601 time") from err
        if parsed.tzinfo is None:
            raise self._fail(key, "expected a time with a timezone")
        return parsed

    def opt_time(self, key: str) -> datetime | None:
        """A time, or None when absent or null."""
        if self._data.get(key) is None:
            return None
        return self.time(key)

    def obj(self, key: str) -> Reader:
        """A nested object, read with its path in the errors."""
        return Reader(self._data.get(key), f"{self._what}.{key}")

    def items(self, key: str) -> list[Any]:
        """A list, whose items the caller reads."""
        value = self._data.get(key)
        if not isinstance(value, list):
            raise self._fail(key, "expected a list")
        return value

    def raw(self) -> dict[str, Any]:
        """The object itself, for fields kept as they came (signed ones)."""
        return self._data
