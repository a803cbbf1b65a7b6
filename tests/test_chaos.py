"""The chaos soak, short: every fault once, with real processes (bench/chaos.py).

The long run (``scripts/chaos --minutes 30``) is quoted in the closing note;
this one keeps the soak itself working, and finds a loss in CI if a change
brings one back.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.chaos import FAULTS, passed, soak

pytestmark = pytest.mark.timeout(900)


@pytest.fixture
def expected_lingering_timers() -> bool:
    """The harness's check is for a hass; this soak has none of its own.

    Its clients (the fault proxy's, the agency's, the REST calls to Home
    Assistant) are aiohttp's, whose last timeout handle may still be armed
    when the loop closes; on the newest line's aiohttp the harness saw one.
    """
    return True


async def test_a_short_soak_loses_and_doubles_nothing(
    tmp_path: Path, socket_enabled: None
) -> None:
    every = [fault for fault in FAULTS if fault != "none"]
    result = await soak(3, tmp_path, faults=every)

    assert result["rounds"] == len(every)
    assert result["faults"] == {fault: int(fault != "none") for fault in FAULTS}
    assert result["made"] == len(every), result
    assert result["on_hub"] == len(every), result
    assert passed(result), result
