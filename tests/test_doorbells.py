"""Doorbells at run time: what counts as a ring, motion, devices, lookups."""

from __future__ import annotations

from datetime import timedelta
from types import MappingProxyType
from typing import Any

import pytest
from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, State
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr

from custom_components.porchlight import async_remove_config_entry_device
from custom_components.porchlight import recorder as recorder_mod
from custom_components.porchlight.compat import device_by_identifier
from custom_components.porchlight.const import (
    CONF_CAMERA_ENTITY,
    CONF_MOTION_ENTITY,
    CONF_RECORD_SECONDS,
    CONF_TRIGGER_ENTITY,
    DOMAIN,
    SUBENTRY_DOORBELL,
)
from custom_components.porchlight.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.porchlight.doorbell import DoorbellConfig, is_activation
from custom_components.porchlight.entity import doorbell_device_id, entry_home_id
from custom_components.porchlight.image import _read

from .cameras import JPEG, FakeCamera, async_setup_camera
from .e2e import entity_id, pair_entry, wait_for
from .hub.conftest import HubHarness

BELL = "binary_sensor.bell"
MOTION = "event.porch_motion"


SNAPSHOTS = 2  # per ring: 3 seconds at one snapshot every 1.5 s


@pytest.fixture(autouse=True)
def fast_snapshots(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three seconds of recording in two frames."""
    monkeypatch.setattr(recorder_mod, "SNAPSHOT_INTERVAL", 1.5)


async def _add_doorbell(
    hass: HomeAssistant, entry: ConfigEntry, title: str = "Front door", **data: Any
) -> str:
    subentry = ConfigSubentry(
        data=MappingProxyType(
            {CONF_TRIGGER_ENTITY: BELL, CONF_RECORD_SECONDS: 3, **data}
        ),
        subentry_type=SUBENTRY_DOORBELL,
        title=title,
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, subentry)
    await hass.async_block_till_done()
    await wait_for(lambda: subentry.subentry_id in entry.runtime_data.doorbells)
    return subentry.subentry_id


async def _home(
    hass: HomeAssistant, hub: HubHarness, **data: Any
) -> tuple[ConfigEntry, FakeCamera, str]:
    camera = await async_setup_camera(hass, "Front door")
    hass.states.async_set(BELL, "off")
    hass.states.async_set(MOTION, "unknown")
    entry = await pair_entry(hass, hub)
    sub = await _add_doorbell(
        hass, entry, **{CONF_CAMERA_ENTITY: camera.entity_id, **data}
    )
    return entry, camera, sub


async def _settle(entry: ConfigEntry, sub: str) -> None:
    recorder = entry.runtime_data.doorbells[sub].recorder
    await wait_for(lambda: not recorder.recording)


@pytest.mark.parametrize(
    ("entity_id", "old", "new", "fires"),
    [
        ("binary_sensor.b", "off", "on", True),
        ("binary_sensor.b", "on", "on", False),
        ("binary_sensor.b", "on", "off", False),
        ("binary_sensor.b", "unavailable", "on", False),
        ("input_button.b", "unknown", "2026-11-26T10:00:00+00:00", True),
        ("event.b", "2026-11-26T10:00:00+00:00", "2026-11-26T10:01:00+00:00", True),
        ("event.b", "2026-11-26T10:00:00+00:00", "2026-11-26T10:00:00+00:00", False),
        ("event.b", "unavailable", "2026-11-26T10:00:00+00:00", False),
        ("event.b", "2026-11-26T10:00:00+00:00", "unavailable", False),
        ("button.b", "2026-11-26T10:00:00+00:00", "unknown", False),
    ],
)
def test_what_counts_as_a_ring(entity_id: str, old: str, new: str, fires: bool) -> None:
    assert is_activation(State(entity_id, old), State(entity_id, new)) is fires


def test_first_state_and_removal_are_not_rings() -> None:
    assert not is_activation(None, State("event.b", "2026-11-26T10:00:00+00:00"))
    assert not is_activation(State("event.b", "2026-11-26T10:00:00+00:00"), None)


@pytest.mark.parametrize(("stored", "used"), [(1, 3), (600, 60), ("x", 10), (20, 20)])
def test_hand_edited_length_is_clamped(stored: Any, used: int) -> None:
    subentry = ConfigSubentry(
        data=MappingProxyType(
            {
                CONF_CAMERA_ENTITY: "camera.a",
                CONF_TRIGGER_ENTITY: BELL,
                CONF_RECORD_SECONDS: stored,
                CONF_MOTION_ENTITY: "",
            }
        ),
        subentry_type=SUBENTRY_DOORBELL,
        title="A",
        unique_id=None,
    )
    config = DoorbellConfig.from_subentry(subentry)
    assert config.record_seconds == used
    assert config.motion_entity is None


async def test_motion_fires_and_records_but_is_no_visitor(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, camera, sub = await _home(hass, real_hub, **{CONF_MOTION_ENTITY: MOTION})
    motion = entity_id(hass, "event", "motion")
    assert hass.states.get(motion).attributes["device_class"] == "motion"

    hass.states.async_set(MOTION, "2026-11-26T10:00:00+00:00")
    await hass.async_block_till_done()
    await _settle(entry, sub)
    assert hass.states.get(motion).attributes["event_type"] == "motion"
    assert entry.runtime_data.clips.count_for(sub) == SNAPSHOTS
    # Motion records, but only a ring makes a "last visitor".
    assert entry.runtime_data.doorbells[sub].last_visitor is None

    hass.states.async_set(BELL, "on")
    await hass.async_block_till_done()
    await _settle(entry, sub)
    assert entry.runtime_data.doorbells[sub].last_visitor is not None
    assert camera.snapshots == 2 * SNAPSHOTS


async def test_ring_during_a_recording_does_not_record_twice(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, _camera, sub = await _home(hass, real_hub)
    ring = entity_id(hass, "event", "doorbell")
    hass.states.async_set(BELL, "on")
    await hass.async_block_till_done()
    first = hass.states.get(ring).state
    hass.states.async_set(BELL, "off")
    hass.states.async_set(BELL, "on")
    await hass.async_block_till_done()
    # Both rings fire the event; one recording runs.
    assert hass.states.get(ring).state != first
    await _settle(entry, sub)
    assert entry.runtime_data.clips.count_for(sub) == SNAPSHOTS


async def test_last_visitor_survives_a_reload_through_its_clip(
    hass: HomeAssistant, real_hub: HubHarness, hass_client: Any
) -> None:
    entry, _camera, sub = await _home(hass, real_hub)
    hass.states.async_set(BELL, "on")
    await hass.async_block_till_done()
    await _settle(entry, sub)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.doorbells[sub].last_visitor is None
    image = entity_id(hass, "image", "last_visitor")
    assert hass.states.get(image).state not in ("unknown", "unavailable")
    client = await hass_client()
    response = await client.get(f"/api/image_proxy/{image}")
    assert response.status == 200
    assert await response.read() == JPEG


async def test_no_clip_no_visitor(hass: HomeAssistant, real_hub: HubHarness) -> None:
    _entry, _camera, _sub = await _home(hass, real_hub)
    image = entity_id(hass, "image", "last_visitor")
    entity = hass.data["image"].get_entity(image)
    assert await entity.async_image() is None


def test_reading_a_vanished_clip(tmp_path: Any) -> None:
    assert _read(tmp_path / "gone.jpg") is None


async def test_reconfigure_takes_effect(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, _camera, sub = await _home(hass, real_hub)
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[sub],
        title="Porch",
        data={**entry.subentries[sub].data, CONF_RECORD_SECONDS: 5},
    )
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.doorbells[sub].config.record_seconds == 5)
    device = device_by_identifier(
        dr.async_get(hass),
        (DOMAIN, doorbell_device_id(entry_home_id(entry), sub)),
        entry.entry_id,
    )
    assert device is not None
    assert device.name == "Porch"


async def test_devices_of_doorbells_cannot_be_deleted_while_adopted(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, _camera, sub = await _home(hass, real_hub)
    registry = dr.async_get(hass)
    home = entry_home_id(entry)
    doorbell = device_by_identifier(
        registry, (DOMAIN, doorbell_device_id(home, sub)), entry.entry_id
    )
    assert doorbell is not None
    assert not await async_remove_config_entry_device(hass, entry, doorbell)
    stale = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, doorbell_device_id(home, "gone"))},
    )
    assert await async_remove_config_entry_device(hass, entry, stale)


async def test_stale_doorbell_devices_are_removed_at_setup(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, _camera, sub = await _home(hass, real_hub)
    registry = dr.async_get(hass)
    home = entry_home_id(entry)
    stale = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, doorbell_device_id(home, "01OLDDOORBELL"))},
        name="Old doorbell",
    )
    other = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, "something-else")},
        name="Not a doorbell",
    )
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert registry.async_get(stale.id) is None
    assert registry.async_get(other.id) is not None
    assert device_by_identifier(
        registry, (DOMAIN, doorbell_device_id(home, sub)), entry.entry_id
    )


async def _list(hass: HomeAssistant, **data: Any) -> list[dict[str, Any]]:
    answer: Any = await hass.services.async_call(
        DOMAIN, "list_clips", data, blocking=True, return_response=True
    )
    return list(answer["clips"])


async def test_list_clips_finds_a_doorbell_by_id_name_or_device(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, _camera, sub = await _home(hass, real_hub)
    library = entry.runtime_data.clips
    now = real_hub.clock.now()
    mine = await library.async_add(
        sub, "camera.front_door", now, now + timedelta(seconds=5), "image/jpeg", JPEG
    )
    gone = await library.async_add(
        "01REMOVED", "camera.old", now, now, "image/jpeg", JPEG
    )
    device = device_by_identifier(
        dr.async_get(hass),
        (DOMAIN, doorbell_device_id(entry_home_id(entry), sub)),
        entry.entry_id,
    )
    assert device is not None
    for given in (sub, "front DOOR", device.id):
        assert [c["clip_id"] for c in await _list(hass, doorbell=given)] == [
            mine.clip_id
        ]
    assert [c["clip_id"] for c in await _list(hass, doorbell="01REMOVED")] == [
        gone.clip_id
    ]
    home_device = device_by_identifier(
        dr.async_get(hass), (DOMAIN, entry_home_id(entry)), entry.entry_id
    )
    assert home_device is not None
    for given in ("Back door", home_device.id):
        with pytest.raises(ServiceValidationError) as err:
            await _list(hass, doorbell=given)
        assert err.value.translation_key == "unknown_doorbell"


async def test_diagnostics_list_doorbells_without_names(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, camera, sub = await _home(hass, real_hub)
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    (doorbell,) = diagnostics["doorbells"]
    assert doorbell["subentry_id"] == sub
    assert doorbell["name"] == "**REDACTED**"
    assert doorbell["camera_entity"] == camera.entity_id
    assert doorbell["record_seconds"] == 3
    assert doorbell["clips"] == 0
    assert diagnostics["clips"] == 0


async def test_a_damaged_doorbell_is_left_out_not_the_home(
    hass: HomeAssistant, real_hub: HubHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """A hand-edited subentry without its camera: the rest still loads."""
    entry, _camera, good = await _home(hass, real_hub)
    broken = ConfigSubentry(
        data=MappingProxyType({CONF_TRIGGER_ENTITY: BELL}),
        subentry_type=SUBENTRY_DOORBELL,
        title="Broken",
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, broken)
    await hass.async_block_till_done()
    await wait_for(lambda: entry.runtime_data.listener.connected, within=10)
    assert set(entry.runtime_data.doorbells) == {good}
    assert "Doorbell Broken is not usable (camera_entity" in caplog.text


async def test_recorded_clips_follow_only_their_doorbell(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, _camera, sub = await _home(hass, real_hub)
    sensor = entity_id(hass, "sensor", "recorded_clips")
    hass.states.async_set(BELL, "on")
    await hass.async_block_till_done()
    await _settle(entry, sub)
    state = hass.states.get(sensor)
    assert state.state == str(SNAPSHOTS)
    assert state.attributes["last_recorded"] is not None

    library = entry.runtime_data.clips
    now = real_hub.clock.now()
    await library.async_add("01OTHER", "camera.other", now, now, "image/jpeg", JPEG)
    await hass.async_block_till_done()
    assert hass.states.get(sensor).last_updated == state.last_updated

    await library.async_purge(0, now=now + timedelta(days=1))
    await hass.async_block_till_done()
    state = hass.states.get(sensor)
    assert state.state == "0"
    assert state.attributes["last_recorded"] is None


async def test_a_ring_during_a_motion_recording_gets_its_own_visitor(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    entry, camera, sub = await _home(hass, real_hub, **{CONF_MOTION_ENTITY: MOTION})
    doorbell = entry.runtime_data.doorbells[sub]
    hass.states.async_set(MOTION, "2026-11-26T10:00:00+00:00")
    await hass.async_block_till_done()
    await wait_for(lambda: camera.snapshots >= 1)
    assert doorbell.recorder.recording
    assert doorbell.last_visitor is None

    hass.states.async_set(BELL, "on")
    await wait_for(lambda: doorbell.last_visitor is not None)
    assert doorbell.recorder.recording  # still the motion recording
    await _settle(entry, sub)
    # The ring recorded nothing of its own: the motion recording covered it.
    assert entry.runtime_data.clips.count_for(sub) == SNAPSHOTS


async def test_unload_unwatches_before_it_stops_recorders(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    """A ring while the recorders stop must not start a recording."""
    entry, _camera, sub = await _home(hass, real_hub)
    recorder = entry.runtime_data.doorbells[sub].recorder
    clips = entry.runtime_data.clips
    real_stop = recorder.async_stop
    started: list[bool] = []

    async def ring_while_stopping() -> None:
        hass.states.async_set(BELL, "on")
        await hass.async_block_till_done()
        started.append(recorder.recording)
        await real_stop()
        hass.states.async_set(BELL, "off")
        hass.states.async_set(BELL, "on")
        await hass.async_block_till_done()
        started.append(recorder.recording)

    recorder.async_stop = ring_while_stopping  # type: ignore[method-assign]
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert started == [False, False]
    assert not recorder.async_trigger()
    assert clips.count_for(sub) == 0
