"""The rules of DESIGN.md §2.3, each checked on its own with its own message.

A broken rule raises :class:`RuleViolation` (422) whose ``rule`` names it, so
an agency, a test or a transparency auditor can tell exactly which limit a
request exceeded.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .errors import ApiError, RuleViolation
from .settings import INCIDENT_TYPES, SQ_METRES_PER_SQ_MILE, Policy
from .validation import Fields

CASE_NUMBER = re.compile(r"[A-Za-z0-9 \-/._]{3,64}")


@dataclass(slots=True)
class RequestDraft:
    """A request that passed every field and rule check."""

    case_number: str
    incident_type: str
    description: str
    contact: str
    window_start: datetime
    window_end: datetime
    # The window exactly as sent: the agency's signature covers these strings.
    window_start_text: str
    window_end_text: str
    latitude: float
    longitude: float
    radius_m: float


def check_case_number(value: Any) -> str:
    """Rule case_number: present, 3-64 characters of a safe alphabet."""
    if not isinstance(value, str) or not CASE_NUMBER.fullmatch(value):
        raise RuleViolation(
            "case_number",
            "case_number must be 3-64 characters of letters, digits, space,"
            " '-', '/', '.', '_'.",
            field="case_number",
        )
    return value


def check_incident_type(value: Any) -> str:
    """Rule incident_type: one of the listed types."""
    if not isinstance(value, str) or value not in INCIDENT_TYPES:
        raise RuleViolation(
            "incident_type",
            f"incident_type must be one of: {', '.join(INCIDENT_TYPES)}.",
            field="incident_type",
        )
    return value


def check_window(start: datetime, end: datetime, now: datetime, policy: Policy) -> None:
    """Rules window_length, window_in_future and window_age."""
    length = end - start
    if length < timedelta(minutes=policy.min_window_minutes) or length > timedelta(
        hours=policy.max_window_hours
    ):
        raise RuleViolation(
            "window_length",
            f"the window must last between {policy.min_window_minutes} minutes and"
            f" {policy.max_window_hours} hours.",
            field="window_end",
        )
    if end > now:
        raise RuleViolation(
            "window_in_future",
            "the window must not end in the future.",
            field="window_end",
        )
    if start < now - timedelta(days=policy.max_window_age_days):
        raise RuleViolation(
            "window_age",
            f"the window must not start more than {policy.max_window_age_days}"
            " days ago.",
            field="window_start",
        )


def check_area(radius_m: float, policy: Policy) -> None:
    """Rule area_size: a circle of 0.025-0.5 square miles."""
    area = math.pi * radius_m * radius_m / SQ_METRES_PER_SQ_MILE
    if area < policy.min_area_sq_miles or area > policy.max_area_sq_miles:
        raise RuleViolation(
            "area_size",
            f"the area must be {policy.min_area_sq_miles:g}-"
            f"{policy.max_area_sq_miles:g} square miles (a radius of"
            f" {math.ceil(policy.min_radius_m)}-{math.floor(policy.max_radius_m)} m);"
            f" {radius_m:g} m gives {area:.3f}.",
            field="area.radius_m",
        )


def check_agency_kind(kind: str, policy: Policy) -> None:
    """Rule agency_kind: federal agencies only where the operator allows them."""
    if kind == "federal" and not policy.allow_federal:
        raise RuleViolation(
            "agency_kind", "this hub does not accept requests from federal agencies."
        )


def check_case_limit(existing: int, policy: Policy) -> None:
    """Rule case_request_limit: at most N requests per agency and case number."""
    if existing >= policy.max_requests_per_case:
        raise RuleViolation(
            "case_request_limit",
            f"at most {policy.max_requests_per_case} requests per case number.",
            field="case_number",
        )


def check_retention(days: float, policy: Policy) -> int:
    """Rule retention_days: 1-90 and at most the hub's maximum."""
    limit = min(90, policy.max_retention_days)
    if not float(days).is_integer() or not 1 <= days <= limit:
        raise RuleViolation(
            "retention_days",
            f"retention_days must be a whole number from 1 to {limit}.",
            field="retention_days",
        )
    return int(days)


def _verbatim(fields: Fields, key: str, max_len: int) -> str:
    """A signed text field, kept exactly as sent (the signature covers it)."""
    value = fields.req_string(key, min_len=1, max_len=max_len, strip=False)
    if not value.strip():
        raise ApiError(
            422, "invalid_field", f"The field '{key}' must not be blank.", field=key
        )
    return value


def _utc_window(fields: Fields, key: str) -> tuple[datetime, str]:
    """A window end in UTC, and the string as sent.

    Homes receive the very string the agency signed, and the wire is UTC.
    """
    when = fields.req_timestamp(key)
    text = str(fields.data[key])
    if when.utcoffset() != timedelta(0) or text != text.strip():
        raise ApiError(
            422,
            "invalid_field",
            f"The field '{key}' must be in UTC (end it with Z or +00:00), with"
            " nothing around it.",
            field=key,
        )
    return when, text


def parse_request(body: dict[str, Any], now: datetime, policy: Policy) -> RequestDraft:
    """Validate an agency's request body: fields first, then the rules."""
    fields = Fields(body)
    case_number = check_case_number(fields.data.get("case_number"))
    incident_type = check_incident_type(fields.data.get("incident_type"))
    description = _verbatim(fields, "description", 4000)
    contact = _verbatim(fields, "contact", 500)
    start, start_text = _utc_window(fields, "window_start")
    end, end_text = _utc_window(fields, "window_end")
    area = fields.obj("area")
    latitude = area.req_number("latitude", minimum=-90, maximum=90)
    longitude = area.req_number("longitude", minimum=-180, maximum=180)
    radius = area.req_number("radius_m", minimum=0)
    check_window(start, end, now, policy)
    check_area(radius, policy)
    return RequestDraft(
        case_number=case_number,
        incident_type=incident_type,
        description=description,
        contact=contact,
        window_start=start,
        window_end=end,
        window_start_text=start_text,
        window_end_text=end_text,
        latitude=latitude,
        longitude=longitude,
        radius_m=radius,
    )
