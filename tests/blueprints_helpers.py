"""A test Home Assistant in which Porchlight's blueprints run as automations.

The blueprints only read the states of Porchlight's entities and call
services, so most tests give them exactly that: registry entries of the
``porchlight`` platform whose states are written the way the real entities
write them (attributes built by the integration's own ``request_summary``),
and recording stand-ins for the services they call. Decisions are checked
against the integration's real service schemas, so a blueprint that sends a
field the integration would refuse fails here too. The end-to-end module runs
them against the real integration and hub instead.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import ATTR_FRIENDLY_NAME, STATE_UNKNOWN
from homeassistant.core import HomeAssistant, ServiceCall, callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util import slugify
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from custom_components.porchlight.const import DOMAIN
from custom_components.porchlight.coordinator_state import request_summary
from custom_components.porchlight.event import REQUEST_EVENT_TYPES
from custom_components.porchlight.models import ALERT_CATEGORIES, VideoRequest
from custom_components.porchlight.service_schemas import SCHEMAS

BLUEPRINTS = Path(__file__).parents[1] / "blueprints" / "automation" / "porchlight"
NAMES = (
    "ask_before_sharing",
    "decline_by_rule",
    "share_with_trusted_agencies",
    "opt_out_when",
    "notify_nearby_alerts",
)
REPOSITORY = "https://github.com/porchlight-home/porchlight"


def install_blueprints(hass: HomeAssistant, config_dir: Path) -> None:
    """Copy the blueprints into a private config directory, as a user would.

    The harness's config directory is shared by every test (and worker), so
    each test gets its own.
    """
    hass.config.config_dir = str(config_dir)
    target = Path(hass.config.path("blueprints", "automation", "porchlight"))
    target.mkdir(parents=True)
    for name in NAMES:
        shutil.copy(BLUEPRINTS / f"{name}.yaml", target / f"{name}.yaml")


async def setup_automations(
    hass: HomeAssistant, *automations: tuple[str, dict[str, Any]]
) -> list[str]:
    """Instantiate blueprints with ``use_blueprint``; returns the automations."""
    config = [
        {
            "id": f"test_{index}",
            "alias": f"{blueprint} {index}",
            "use_blueprint": {
                "path": f"porchlight/{blueprint}.yaml",
                "input": inputs,
            },
        }
        for index, (blueprint, inputs) in enumerate(automations)
    ]
    assert await async_setup_component(hass, "automation", {"automation": config})
    await hass.async_block_till_done()
    entity_ids = [
        f"automation.{slugify(f'{blueprint} {index}')}"
        for index, (blueprint, _) in enumerate(automations)
    ]
    for automation in entity_ids:
        state = hass.states.get(automation)
        assert state is not None, automation
        assert state.state == "on", (automation, state.attributes)
    return entity_ids


async def settle(hass: HomeAssistant) -> None:
    """Run everything that can run now, leaving waiting automations waiting.

    ``hass.async_block_till_done`` waits for every automation run to end, and
    a run that waits for an answer or a timeout only ends when the test acts;
    so this waits until the event loop has nothing ready to run instead.
    """
    loop = asyncio.get_running_loop()
    ready = loop._ready  # type: ignore[attr-defined]
    idle = 0
    for _ in range(100_000):
        await asyncio.sleep(0)
        idle = 0 if ready else idle + 1
        if idle >= 3:
            return
    raise AssertionError("Home Assistant never became idle")


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let ``seconds`` of (frozen) time pass: delays, waits and timeouts fire."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await settle(hass)


# --------------------------------------------------------------------------
# Porchlight's home entities


def hub_request(request_id: str = "req_1", **overrides: Any) -> dict[str, Any]:
    """A request as the hub sends it to a home (a valid one by default)."""
    now = dt_util.utcnow().replace(microsecond=0)
    body: dict[str, Any] = {
        "id": request_id,
        "agency": "Elm City Police",
        "agency_kind": "police",
        "case_number": "2026-0042",
        "incident_type": "burglary",
        "description": "Break-in on Elm Street",
        "contact": "detective@example.org",
        "window_start": (now - timedelta(hours=3)).isoformat(),
        "window_end": (now - timedelta(hours=1)).isoformat(),
        "area": {"latitude": 52.37, "longitude": 4.89, "radius_m": 400},
        "distance_m": 120.0,
        "status": "pending",
        "request_status": "open",
        "decision": None,
        "share_id": None,
        "created_at": now.isoformat(),
        "updated_at": now.isoformat(),
        "expires_at": (now + timedelta(days=14)).isoformat(),
    }
    body.update(overrides)
    return body


def request_attributes(
    request_id: str = "req_1", matching_clips: int = 3, **overrides: Any
) -> dict[str, Any]:
    """The event attributes the real video-requests entity fires with."""
    attributes = request_summary(
        VideoRequest.from_hub(hub_request(request_id, **overrides))
    )
    attributes["matching_clips"] = matching_clips
    return attributes


@dataclass
class Home:
    """Porchlight's entities of one paired home, as registry entries."""

    hass: HomeAssistant
    entry: MockConfigEntry
    requests: str
    alerts: str
    switch: str
    fired: dict[str, dict[str, Any]] = field(default_factory=dict)

    @callback
    def fire(
        self,
        entity_id: str,
        event_type: str,
        attributes: dict[str, Any],
        when: datetime | None = None,
    ) -> None:
        """Write an event the way ``EventEntity`` does: time as state."""
        old = self.hass.states.get(entity_id)
        assert old is not None
        moment = when or dt_util.utcnow()
        self.hass.states.async_set(
            entity_id,
            moment.isoformat(timespec="milliseconds"),
            {
                "event_types": old.attributes["event_types"],
                "event_type": event_type,
                **attributes,
                ATTR_FRIENDLY_NAME: old.attributes[ATTR_FRIENDLY_NAME],
            },
        )

    async def request(
        self,
        event_type: str = "received",
        attributes: dict[str, Any] | None = None,
        when: datetime | None = None,
    ) -> dict[str, Any]:
        """Fire a video-request event; returns its attributes."""
        attributes = request_attributes() if attributes is None else attributes
        if "request_id" in attributes:
            self.fired[str(attributes["request_id"])] = attributes
        self.fire(self.requests, event_type, attributes, when)
        await settle(self.hass)
        return attributes

    @callback
    def fire_decided(self, request_id: str, status: str) -> None:
        """What the integration fires once a request is decided or ends."""
        attributes = {**self.fired[request_id], "status": status}
        event_type = status if status in ("shared", "declined") else "updated"
        self.fire(self.requests, event_type, attributes)

    async def decided(self, request_id: str, status: str) -> None:
        """Fire a decision (or end) and let the automations react."""
        self.fire_decided(request_id, status)
        await settle(self.hass)

    async def alert(
        self, category: str, alert_id: str = "alr_1", **overrides: Any
    ) -> None:
        """Fire a neighbourhood-alert event with the real entity's attributes."""
        attributes: dict[str, Any] = {
            "alert_id": alert_id,
            "title": "Car window smashed on Elm Street",
            "description": "",
            "distance_m": 240.0,
            "source": "home",
            "agency": None,
            "mine": False,
            "latitude": 52.371,
            "longitude": 4.891,
        }
        attributes.update(overrides)
        self.fire(self.alerts, category, attributes)
        await settle(self.hass)


def add_home(hass: HomeAssistant) -> Home:
    """Register the home's event entities and switch for a Porchlight entry."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id="hub-1:home-1",
        title="Home",
        data={"hub_id": "hub-1", "home_id": "home-1"},
    )
    entry.add_to_hass(hass)
    registry = er.async_get(hass)

    def register(domain: str, key: str, name: str) -> str:
        return registry.async_get_or_create(
            domain,
            DOMAIN,
            f"hub-1:home-1_{key}",
            config_entry=entry,
            suggested_object_id=f"home_{name}",
            translation_key=key,
            has_entity_name=True,
        ).entity_id

    requests = register("event", "video_requests", "video_requests")
    alerts = register("event", "neighbourhood_alerts", "neighbourhood_alerts")
    switch = register("switch", "video_requests", "video_requests")
    hass.states.async_set(
        requests,
        STATE_UNKNOWN,
        {
            "event_types": list(REQUEST_EVENT_TYPES),
            "event_type": None,
            ATTR_FRIENDLY_NAME: "Home Video requests",
        },
    )
    hass.states.async_set(
        alerts,
        STATE_UNKNOWN,
        {
            "event_types": list(ALERT_CATEGORIES),
            "event_type": None,
            ATTR_FRIENDLY_NAME: "Home Neighbourhood alerts",
        },
    )
    hass.states.async_set(switch, "on", {ATTR_FRIENDLY_NAME: "Home Video requests"})
    return Home(hass, entry, requests, alerts, switch)


# --------------------------------------------------------------------------
# Services the blueprints call


@dataclass
class Decisions:
    """Recorded ``porchlight.share_all`` and ``porchlight.decline`` calls."""

    share_all: list[ServiceCall]
    decline: list[ServiceCall]

    def shared(self) -> list[dict[str, Any]]:
        return [dict(call.data) for call in self.share_all]

    def declined(self) -> list[dict[str, Any]]:
        return [dict(call.data) for call in self.decline]


def mock_decisions(hass: HomeAssistant, home: Home | None = None) -> Decisions:
    """Record decisions, validated by the integration's own schemas.

    With ``home``, each decision is followed by the event the integration
    fires for it, so automations see each other's decisions as they would.
    """
    if home is None:
        return Decisions(
            async_mock_service(hass, DOMAIN, "share_all", SCHEMAS["share_all"]),
            async_mock_service(hass, DOMAIN, "decline", SCHEMAS["decline"]),
        )
    decisions = Decisions([], [])

    def register(service: str, calls: list[ServiceCall], status: str) -> None:
        @callback
        def handle(call: ServiceCall) -> None:
            calls.append(call)
            home.fire_decided(call.data["request_id"], status)

        hass.services.async_register(DOMAIN, service, handle, SCHEMAS[service])

    register("share_all", decisions.share_all, "shared")
    register("decline", decisions.decline, "declined")
    return decisions


@dataclass
class Phone:
    """A Companion app device and its recorded notify service."""

    device_id: str
    service: str
    calls: list[ServiceCall]

    def messages(self) -> list[dict[str, Any]]:
        return [dict(call.data) for call in self.calls]


def add_phone(hass: HomeAssistant, name: str) -> Phone:
    """A mobile_app device; its notify service is named as mobile_app names it."""
    entry = MockConfigEntry(domain="mobile_app", title=name, data={"device_name": name})
    entry.add_to_hass(hass)
    device = dr.async_get(hass).async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={("mobile_app", slugify(name))},
        name=name,
        manufacturer="Google",
        model="Pixel 7",
    )
    # homeassistant.components.notify.legacy: slugify(f"{prefix}_{name}").
    service = slugify(f"mobile_app_{name}")
    return Phone(device.id, service, async_mock_service(hass, "notify", service))


def fake_switch(hass: HomeAssistant, entity_id: str) -> list[tuple[str, str]]:
    """``switch.turn_on``/``turn_off`` that record and change the state."""
    calls: list[tuple[str, str]] = []

    def register(service: str, new_state: str) -> None:
        @callback
        def handle(call: ServiceCall) -> None:
            targets: Iterable[str] = call.data.get("entity_id", [])
            for target in targets:
                calls.append((service, target))
                old = hass.states.get(target)
                hass.states.async_set(
                    target, new_state, old.attributes if old else None
                )

        hass.services.async_register("switch", service, handle)

    register("turn_on", "on")
    register("turn_off", "off")
    return calls
