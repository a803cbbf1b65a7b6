"""Deprecated calls from Porchlight fail its tests on every Home Assistant line.

Home Assistant reports a custom integration's use of a deprecated API with
``report_usage``, which for custom integrations only logs a warning until the
release that removes the API. Logged, it would pass CI until the day users'
installations break. The tests make it an error instead, so a deprecation on
the newest line fails CI the day the pin moves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from homeassistant.helpers import frame

from custom_components.porchlight.const import DOMAIN


def porchlight_is_the_caller(kwargs: dict[str, Any]) -> bool:
    """Whether a report concerns our integration.

    2026.x hands ``_report_usage`` the integration frame it found; 2025.4
    looks for it inside, so here it is looked for the same way.
    """
    if domain := kwargs.get("integration_domain"):
        return bool(domain == DOMAIN)
    if "integration_frame" in kwargs:
        found = kwargs["integration_frame"]
    else:
        try:
            found = frame.get_integration_frame(kwargs.get("exclude_integrations"))
        except frame.MissingIntegrationFrame:
            return False
    return found is not None and found.integration == DOMAIN


def strict_report_usage(original: Callable[..., None]) -> Callable[..., None]:
    """Wrap ``frame._report_usage`` so our reports raise instead of logging."""

    def report(hass: Any, what: str, **kwargs: Any) -> None:
        if porchlight_is_the_caller(kwargs):
            kwargs["custom_integration_behavior"] = frame.ReportBehavior.ERROR
        original(hass, what, **kwargs)

    return report
