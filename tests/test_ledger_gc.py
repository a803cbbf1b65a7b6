"""The export's reads pause the garbage collector and restore it.

A read makes a few hundred thousand objects that live on; these tests check
that the collector is off meanwhile, that what the read made lands in the
oldest generation (so young collections never count it), and that the
collector's state and another's freeze are left as they were.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from custom_components.porchlight.ledger_scan import collections_paused


@pytest.fixture
def collector() -> Iterator[None]:
    """Whatever a test does to the collector is undone."""
    enabled = gc.isenabled()
    yield
    if gc.get_freeze_count():
        gc.unfreeze()
    if enabled:
        gc.enable()
    else:  # pragma: no cover - the suite runs with the collector on
        gc.disable()


def test_the_collector_is_off_during_the_read_and_on_after(collector: None) -> None:
    gc.enable()
    with collections_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off(collector: None) -> None:
    gc.disable()
    with collections_paused():
        pass
    assert not gc.isenabled()


def test_what_the_read_made_is_in_the_oldest_generation(collector: None) -> None:
    gc.enable()
    with collections_paused():
        made = [{"entry": [n]} for n in range(1000)]
    counts = gc.get_count()
    oldest = {id(obj) for obj in gc.get_objects(generation=2)}
    assert id(made) in oldest
    assert id(made[500]) in oldest
    # Young collections since: none, so nothing the read made was counted.
    assert counts[1:] == (0, 0)


def test_another_freeze_is_left_alone(collector: None) -> None:
    gc.enable()
    kept = [{"frozen": True}]
    gc.freeze()
    frozen = gc.get_freeze_count()
    with collections_paused():
        [{"entry": [n]} for n in range(100)]
    assert gc.get_freeze_count() == frozen
    assert kept


def test_the_state_is_restored_when_the_read_fails(collector: None) -> None:
    gc.enable()
    with pytest.raises(OSError, match="disk gone"), collections_paused():
        raise OSError("disk gone")
    assert gc.isenabled()
    assert not gc.get_freeze_count()
