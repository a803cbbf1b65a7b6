"""Deprecations reported against Porchlight fail the tests, on both lines."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.helpers import frame

import custom_components.porchlight as package

from .strict_usage import strict_report_usage

PACKAGE = Path(package.__file__).parent


def _run_as_porchlight(source: str, **names: Any) -> None:
    """Run ``source`` as if it were a line of the integration.

    Home Assistant finds the culprit of a usage report by the file names on
    the stack, and warnings filters match the module's ``__name__``; code
    compiled with our file name and module name is, to both, ours.
    """
    code = compile(source, str(PACKAGE / "compat.py"), "exec")
    exec(code, {"__name__": "custom_components.porchlight.compat", **names})  # noqa: S102


async def test_a_deprecated_call_from_porchlight_raises(hass: HomeAssistant) -> None:
    with pytest.raises(RuntimeError, match="uses an API that is going away"):
        _run_as_porchlight(
            "report_usage('uses an API that is going away',"
            " breaks_in_ha_version='2099.1.0')",
            report_usage=frame.report_usage,
        )


async def test_without_the_fixture_home_assistant_only_logs(
    hass: HomeAssistant,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """What the fixture changes: a custom integration's report is only logged."""
    original = frame._report_usage.__closure__[0].cell_contents  # type: ignore[index]
    monkeypatch.setattr(frame, "_report_usage", original)
    with caplog.at_level(logging.WARNING):
        _run_as_porchlight(
            "report_usage('uses an API that goes away later',"
            " breaks_in_ha_version='2099.1.0')",
            report_usage=frame.report_usage,
        )
    assert "uses an API that goes away later" in caplog.text


async def test_someone_elses_report_keeps_its_behaviour(hass: HomeAssistant) -> None:
    """Only our reports are made strict; others keep Home Assistant's rules."""
    seen: list[Any] = []

    def record(hass: Any, what: str, **kwargs: Any) -> None:
        seen.append(kwargs["custom_integration_behavior"])

    report = strict_report_usage(record)
    log = frame.ReportBehavior.LOG
    report(hass, "x", integration_domain="other", custom_integration_behavior=log)
    report(hass, "x", integration_domain="porchlight", custom_integration_behavior=log)
    assert seen == [frame.ReportBehavior.LOG, frame.ReportBehavior.ERROR]


def test_a_deprecation_warning_from_porchlight_is_an_error() -> None:
    with pytest.raises(DeprecationWarning, match="old way"):
        _run_as_porchlight(
            "warnings.warn('the old way', DeprecationWarning, stacklevel=1)",
            warnings=warnings,
        )
