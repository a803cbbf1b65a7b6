"""Tests for the Porchlight config flow.

Most tests run against a fake hub on 127.0.0.1 (fast, and easy to make
misbehave); the end-to-end tests pair with a real hub and let the entry set up.
Every form and abort a test sees is checked against strings.json, so an
untranslated step, field, error or abort fails the suite.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import (
    SOURCE_IGNORE,
    SOURCE_REAUTH,
    SOURCE_USER,
    SOURCE_ZEROCONF,
    ConfigEntry,
    ConfigEntryState,
)
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.porchlight.const import (
    CONF_ALERT_CATEGORIES,
    CONF_ALERT_MAX_AGE_HOURS,
    CONF_ALERT_RADIUS_M,
    CONF_CLIP_RETENTION_DAYS,
    CONF_HOME_ID,
    CONF_HUB_ID,
    CONF_PAIRING_CODE,
    CONF_SHARE_RETENTION_DAYS,
    DOMAIN,
)
from custom_components.porchlight.models import ALERT_CATEGORIES
from porchlight_hub import admin
from porchlight_hub.clock import ManualClock

from .conftest import FakeHub, serve_real_hub
from .hub.conftest import START, HubHarness

STRINGS = json.loads(
    (Path(__file__).parents[1] / "custom_components/porchlight/strings.json").read_text(
        encoding="utf-8"
    )
)


def _translated(result: Any, section: str = "config") -> Any:
    """Fail when a form or abort would show an untranslated key."""
    strings = STRINGS[section]
    if result["type"] is FlowResultType.FORM:
        step = strings["step"][result["step_id"]]
        assert step["title"]
        assert step["description"]
        for key in result["data_schema"].schema:
            assert step["data"][str(key)], key
            assert step["data_description"][str(key)], key
        for error in (result["errors"] or {}).values():
            assert strings["error"][error], error
    elif result["type"] is FlowResultType.ABORT:
        assert strings["abort"][result["reason"]], result["reason"]
    return result


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Count entry setups instead of running them (reloads show as setups).

    Unloading is stubbed too: a reload unloads an entry that never really set up.
    """
    with (
        patch(
            "custom_components.porchlight.async_setup_entry", return_value=True
        ) as mock,
        patch("custom_components.porchlight.async_unload_entry", return_value=True),
    ):
        yield mock


def _entry(
    url: str,
    *,
    hub_id: str = "hub-1",
    home_id: str = "home-1",
    token: str = "old-token",  # noqa: S107
    source: str = SOURCE_USER,
) -> MockConfigEntry:
    return MockConfigEntry(
        domain=DOMAIN,
        title="Elm Street Hub",
        unique_id=f"{hub_id}:{home_id}",
        source=source,
        data={
            CONF_URL: url,
            CONF_TOKEN: token,
            CONF_HOME_ID: home_id,
            CONF_HUB_ID: hub_id,
        },
    )


async def _loaded(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    return entry


def _discovery(
    host: str = "127.0.0.1",
    port: int | None = 8765,
    properties: dict[str, Any] | None = None,
) -> ZeroconfServiceInfo:
    addr = ip_address(host)
    return ZeroconfServiceInfo(
        ip_address=addr,
        ip_addresses=[addr],
        port=port,
        hostname="porchlight-hub.local.",
        type="_porchlight._tcp.local.",
        name="Elm Street Hub._porchlight._tcp.local.",
        properties=(
            {"hub_id": "hub-1", "version": "0.1.0", "path": "/api/v1"}
            if properties is None
            else properties
        ),
    )


def _fake_discovery(fake_hub: FakeHub, hub_id: str = "hub-1") -> ZeroconfServiceInfo:
    port = int(fake_hub.url.rsplit(":", 1)[1])
    return _discovery(port=port, properties={"hub_id": hub_id, "version": "0.1.0"})


async def _discover(hass: HomeAssistant, info: ZeroconfServiceInfo) -> Any:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_ZEROCONF}, data=info
    )
    return _translated(result)


async def _configure(hass: HomeAssistant, flow_id: str, data: dict[str, Any]) -> Any:
    return _translated(await hass.config_entries.flow.async_configure(flow_id, data))


def _pair_requests(fake_hub: FakeHub) -> list[Any]:
    return [body for method, _, body, _ in fake_hub.requests if method == "POST"]


# --- user step ---------------------------------------------------------------


async def _start(hass: HomeAssistant) -> str:
    result = _translated(
        await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": SOURCE_USER}
        )
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return str(result["flow_id"])


async def _finish(hass: HomeAssistant, flow_id: str, fake_hub: FakeHub) -> None:
    """Fix the hub, submit again and check that the entry gets created."""
    fake_hub.health_status = fake_hub.pair_status = 200
    fake_hub.health_body = {"hub_id": "hub-1", "name": "Elm Street Hub", "version": "1"}
    fake_hub.pair_body = {"home_id": "home-1", "token": "tok", "hub_id": "hub-1"}
    result = await _configure(
        hass, flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "GOOD"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_TOKEN] == "tok"


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow(hass: HomeAssistant, fake_hub: FakeHub) -> None:
    flow_id = await _start(hass)
    result = await _configure(
        hass,
        flow_id,
        {CONF_URL: f" {fake_hub.url}/ ", CONF_PAIRING_CODE: " ABCD-1234 "},
    )

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Elm Street Hub"
    assert result["data"] == {
        CONF_URL: fake_hub.url,
        CONF_TOKEN: "secret-home-token",
        CONF_HOME_ID: "home-1",
        CONF_HUB_ID: "hub-1",
    }
    assert result["result"].unique_id == "hub-1:home-1"
    assert _pair_requests(fake_hub) == [
        {
            "code": "ABCD-1234",
            "name": hass.config.location_name,
            "latitude": hass.config.latitude,
            "longitude": hass.config.longitude,
        }
    ]


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("health_status", "pair_status", "pair_body", "errors"),
    [
        (
            200,
            404,
            {"error": "invalid_code"},
            {CONF_PAIRING_CODE: "invalid_pairing_code"},
        ),
        (
            200,
            422,
            {"error": "invalid_code"},
            {CONF_PAIRING_CODE: "invalid_pairing_code"},
        ),
        (
            200,
            400,
            {"error": "invalid_json"},
            {CONF_PAIRING_CODE: "invalid_pairing_code"},
        ),
        (200, 429, {"error": "rate_limited"}, {"base": "rate_limited"}),
        # The operator placed this home far from Home Assistant's location.
        (
            200,
            422,
            {"error": "location_locked", "message": "400 m away"},
            {"base": "location_locked"},
        ),
        (200, 500, {"error": "internal_error"}, {"base": "cannot_connect"}),
        (200, 200, {"home_id": "home-1"}, {"base": "cannot_connect"}),
        (503, 200, None, {"base": "cannot_connect"}),
        (404, 200, None, {"base": "cannot_connect"}),
    ],
)
async def test_user_flow_hub_errors(
    hass: HomeAssistant,
    fake_hub: FakeHub,
    health_status: int,
    pair_status: int,
    pair_body: object,
    errors: dict[str, str],
) -> None:
    fake_hub.health_status = health_status
    fake_hub.pair_status = pair_status
    if pair_body is not None:
        fake_hub.pair_body = pair_body
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "WRONG"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors

    await _finish(hass, flow_id, fake_hub)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_cannot_connect(
    hass: HomeAssistant, fake_hub: FakeHub, closed_port_url: str
) -> None:
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_URL: closed_port_url, CONF_PAIRING_CODE: "CODE"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "cannot_connect"}

    await _finish(hass, flow_id, fake_hub)


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize("url", ["hub.local:8765", "ftp://hub.local", "http://"])
async def test_user_flow_invalid_url(
    hass: HomeAssistant, fake_hub: FakeHub, url: str
) -> None:
    flow_id = await _start(hass)
    result = await _configure(hass, flow_id, {CONF_URL: url, CONF_PAIRING_CODE: "CODE"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_URL: "invalid_url"}
    assert fake_hub.requests == []

    await _finish(hass, flow_id, fake_hub)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_unknown_error(
    hass: HomeAssistant, fake_hub: FakeHub, caplog: pytest.LogCaptureFixture
) -> None:
    flow_id = await _start(hass)
    with patch(
        "custom_components.porchlight.config_flow.PorchlightClient.health",
        side_effect=RuntimeError("boom"),
    ):
        result = await _configure(
            hass, flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "CODE"}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while talking to a Porchlight hub" in caplog.text
    assert "boom" in caplog.text

    await _finish(hass, flow_id, fake_hub)


async def test_user_flow_already_configured_keeps_new_token(
    hass: HomeAssistant, fake_hub: FakeHub, mock_setup_entry: AsyncMock
) -> None:
    """The hub retired the old token when the code was spent: keep the new one."""
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "CODE"}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert len(hass.config_entries.async_entries(DOMAIN)) == 1
    assert entry.data[CONF_TOKEN] == "secret-home-token"
    assert entry.data[CONF_URL] == fake_hub.url
    assert mock_setup_entry.call_count == 2  # reloaded with the new token


# --- zeroconf ----------------------------------------------------------------


async def test_zeroconf_new_hub(
    hass: HomeAssistant, fake_hub: FakeHub, mock_setup_entry: AsyncMock
) -> None:
    result = await _discover(hass, _fake_discovery(fake_hub))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    assert result["errors"] == {}
    assert list(result["data_schema"].schema) == [CONF_PAIRING_CODE]
    assert result["description_placeholders"] == {
        "name": "Elm Street Hub",
        "url": fake_hub.url,
        "version": "0.1.0",
    }
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert flows[0]["context"]["title_placeholders"] == {"name": "Elm Street Hub"}
    assert flows[0]["context"]["unique_id"] == "hub-1"

    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "CODE"})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Elm Street Hub"
    assert result["result"].unique_id == "hub-1:home-1"
    assert result["data"] == {
        CONF_URL: fake_hub.url,
        CONF_TOKEN: "secret-home-token",
        CONF_HOME_ID: "home-1",
        CONF_HUB_ID: "hub-1",
    }
    assert _pair_requests(fake_hub)[0]["code"] == "CODE"
    assert mock_setup_entry.call_count == 1


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("192.168.1.9", "http://192.168.1.9:8765"),
        ("2001:db8::10", "http://[2001:db8::10]:8765"),
    ],
)
async def test_zeroconf_known_hub_moved(
    hass: HomeAssistant, mock_setup_entry: AsyncMock, host: str, expected: str
) -> None:
    """A hub that changed address: the entry follows it and reloads."""
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    other = await _loaded(hass, _entry("http://10.0.0.1:8765", hub_id="hub-2"))

    result = await _discover(hass, _discovery(host))
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_URL] == expected
    assert entry.data[CONF_TOKEN] == "old-token"
    assert other.data[CONF_URL] == "http://10.0.0.1:8765"
    assert mock_setup_entry.call_count == 3  # two setups and one reload


async def test_zeroconf_known_hub_moved_reloads_once_through_the_listener(
    hass: HomeAssistant, mock_setup_entry: AsyncMock
) -> None:
    """A loaded entry's own update listener reloads it; the flow does not too."""
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    heard: list[str] = []

    async def listener(_hass: HomeAssistant, updated: ConfigEntry) -> None:
        heard.append(updated.data[CONF_URL])

    entry.add_update_listener(listener)
    result = await _discover(hass, _discovery("192.168.1.9"))
    await hass.async_block_till_done()

    assert result["reason"] == "already_configured"
    assert heard == ["http://192.168.1.9:8765"]
    assert mock_setup_entry.call_count == 1  # no reload on top of the listener's


async def test_zeroconf_known_hub_same_address(
    hass: HomeAssistant, mock_setup_entry: AsyncMock
) -> None:
    await _loaded(hass, _entry("http://192.168.1.5:8765"))
    result = await _discover(hass, _discovery("192.168.1.5"))
    await hass.async_block_till_done()
    assert result["reason"] == "already_configured"
    assert mock_setup_entry.call_count == 1  # nothing changed, no reload


@pytest.mark.parametrize(
    "url", ["https://192.168.1.5:8765", "http://porchlight.example:8765"]
)
async def test_zeroconf_keeps_deliberate_url(
    hass: HomeAssistant, mock_setup_entry: AsyncMock, url: str
) -> None:
    """Discovery must not downgrade https, nor replace a host name with an IP."""
    entry = await _loaded(hass, _entry(url))
    result = await _discover(hass, _discovery("192.168.1.9"))
    await hass.async_block_till_done()
    assert result["reason"] == "already_configured"
    assert entry.data[CONF_URL] == url
    assert mock_setup_entry.call_count == 1


async def test_zeroconf_retries_entry_waiting_for_hub(
    hass: HomeAssistant, mock_setup_entry: AsyncMock
) -> None:
    """An entry waiting to retry is retried now that the hub is seen."""
    entry = _entry("https://hub.example")
    entry.add_to_hass(hass)
    entry.mock_state(hass, ConfigEntryState.SETUP_RETRY)

    result = await _discover(hass, _discovery("192.168.1.9"))
    await hass.async_block_till_done()

    assert result["reason"] == "already_configured"
    assert entry.data[CONF_URL] == "https://hub.example"
    assert entry.state is ConfigEntryState.LOADED
    assert mock_setup_entry.call_count == 1


@pytest.mark.parametrize(
    "info",
    [
        _discovery(properties={"version": "0.1.0", "path": "/api/v1"}),
        _discovery(properties={"hub_id": "", "version": "0.1.0"}),
        _discovery(properties={"hub_id": b"hub-1"}),
        _discovery(port=None),
        _discovery(port=70000),
    ],
    ids=["no_hub_id", "empty_hub_id", "bytes_hub_id", "no_port", "bad_port"],
)
async def test_zeroconf_invalid_discovery(
    hass: HomeAssistant, info: ZeroconfServiceInfo
) -> None:
    result = await _discover(hass, info)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery"


async def test_zeroconf_other_hub_answers(
    hass: HomeAssistant, fake_hub: FakeHub
) -> None:
    """The advertised hub id must be the one the address answers with."""
    result = await _discover(hass, _fake_discovery(fake_hub, hub_id="hub-9"))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "invalid_discovery"


async def test_zeroconf_hub_unreachable(
    hass: HomeAssistant, closed_port_url: str
) -> None:
    port = int(closed_port_url.rsplit(":", 1)[1])
    result = await _discover(hass, _discovery(port=port))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "cannot_connect"


async def test_zeroconf_already_in_progress(
    hass: HomeAssistant, fake_hub: FakeHub
) -> None:
    first = await _discover(hass, _fake_discovery(fake_hub))
    assert first["type"] is FlowResultType.FORM
    second = await _discover(hass, _fake_discovery(fake_hub))
    assert second["type"] is FlowResultType.ABORT
    assert second["reason"] == "already_in_progress"
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1


async def test_zeroconf_ignored_hub(hass: HomeAssistant, fake_hub: FakeHub) -> None:
    MockConfigEntry(domain=DOMAIN, unique_id="hub-1", source=SOURCE_IGNORE).add_to_hass(
        hass
    )
    result = await _discover(hass, _fake_discovery(fake_hub))
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert fake_hub.requests == []


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("health_status", "pair_status", "errors"),
    [
        (503, 200, {"base": "cannot_connect"}),
        (200, 404, {CONF_PAIRING_CODE: "invalid_pairing_code"}),
        (200, 429, {"base": "rate_limited"}),
    ],
)
async def test_zeroconf_confirm_errors(
    hass: HomeAssistant,
    fake_hub: FakeHub,
    health_status: int,
    pair_status: int,
    errors: dict[str, str],
) -> None:
    result = await _discover(hass, _fake_discovery(fake_hub))
    fake_hub.health_status = health_status
    fake_hub.pair_status = pair_status
    fake_hub.pair_body = {"error": "nope"}

    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "CODE"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "zeroconf_confirm"
    assert result["errors"] == errors

    fake_hub.health_status = fake_hub.pair_status = 200
    fake_hub.pair_body = {"home_id": "home-1", "token": "tok", "hub_id": "hub-1"}
    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "GOOD"})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"][CONF_URL] == fake_hub.url


# --- reauth ------------------------------------------------------------------


async def test_reauth(
    hass: HomeAssistant, fake_hub: FakeHub, mock_setup_entry: AsyncMock
) -> None:
    entry = await _loaded(hass, _entry(fake_hub.url))
    result = _translated(await entry.start_reauth_flow(hass))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"] == {
        "home_id": "home-1",
        "url": fake_hub.url,
        "name": "Elm Street Hub",
    }

    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "NEW"})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert entry.data == {
        CONF_URL: fake_hub.url,
        CONF_TOKEN: "secret-home-token",
        CONF_HOME_ID: "home-1",
        CONF_HUB_ID: "hub-1",
    }
    assert mock_setup_entry.call_count == 2


async def test_reauth_bad_code(
    hass: HomeAssistant, fake_hub: FakeHub, mock_setup_entry: AsyncMock
) -> None:
    entry = await _loaded(hass, _entry(fake_hub.url))
    result = await entry.start_reauth_flow(hass)
    fake_hub.pair_status = 404
    fake_hub.pair_body = {"error": "invalid_code"}

    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "OLD"})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_PAIRING_CODE: "invalid_pairing_code"}
    assert entry.data[CONF_TOKEN] == "old-token"

    fake_hub.pair_status = 200
    fake_hub.pair_body = {"home_id": "home-1", "token": "tok", "hub_id": "hub-1"}
    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "NEW"})
    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_TOKEN] == "tok"


@pytest.mark.parametrize(
    "pair_body",
    [
        {"home_id": "home-2", "token": "tok", "hub_id": "hub-1"},
        {"home_id": "home-1", "token": "tok", "hub_id": "hub-2"},
    ],
)
async def test_reauth_wrong_home(
    hass: HomeAssistant,
    fake_hub: FakeHub,
    mock_setup_entry: AsyncMock,
    pair_body: dict[str, str],
) -> None:
    entry = await _loaded(hass, _entry(fake_hub.url))
    result = await entry.start_reauth_flow(hass)
    fake_hub.pair_body = pair_body

    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "X"})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_home"
    assert result["description_placeholders"] == {"home_id": "home-1"}
    assert entry.data[CONF_TOKEN] == "old-token"
    assert mock_setup_entry.call_count == 1


async def test_reauth_code_of_other_configured_home(
    hass: HomeAssistant, fake_hub: FakeHub, mock_setup_entry: AsyncMock
) -> None:
    """Spending another entry's code retires its token: that entry keeps the new one."""
    entry = await _loaded(hass, _entry(fake_hub.url))
    other = await _loaded(hass, _entry(fake_hub.url, home_id="home-2"))
    result = await entry.start_reauth_flow(hass)
    fake_hub.pair_body = {"home_id": "home-2", "token": "tok-2", "hub_id": "hub-1"}

    result = await _configure(hass, result["flow_id"], {CONF_PAIRING_CODE: "X"})
    await hass.async_block_till_done()

    assert result["reason"] == "wrong_home"
    assert entry.data[CONF_TOKEN] == "old-token"
    assert other.data[CONF_TOKEN] == "tok-2"
    assert mock_setup_entry.call_count == 3  # two setups, the other one reloaded


# --- reconfigure -------------------------------------------------------------


async def test_reconfigure(
    hass: HomeAssistant, fake_hub: FakeHub, mock_setup_entry: AsyncMock
) -> None:
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    result = _translated(await entry.start_reconfigure_flow(hass))
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    assert result["description_placeholders"] == {"url": "http://192.168.1.5:8765"}
    (key,) = result["data_schema"].schema
    assert key.description == {"suggested_value": "http://192.168.1.5:8765"}

    result = await _configure(hass, result["flow_id"], {CONF_URL: f"{fake_hub.url}/"})
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_URL] == fake_hub.url
    assert entry.data[CONF_TOKEN] == "old-token"
    assert mock_setup_entry.call_count == 2
    assert _pair_requests(fake_hub) == []  # the token stays valid


@pytest.mark.usefixtures("mock_setup_entry")
async def test_reconfigure_errors(
    hass: HomeAssistant, fake_hub: FakeHub, closed_port_url: str
) -> None:
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    result = await entry.start_reconfigure_flow(hass)
    flow_id = result["flow_id"]

    result = await _configure(hass, flow_id, {CONF_URL: "hub.local"})
    assert result["errors"] == {CONF_URL: "invalid_url"}
    (key,) = result["data_schema"].schema
    assert key.description == {"suggested_value": "hub.local"}

    result = await _configure(hass, flow_id, {CONF_URL: closed_port_url})
    assert result["errors"] == {"base": "cannot_connect"}

    fake_hub.health_body = {"hub_id": "hub-2", "name": "Other", "version": "1"}
    result = await _configure(hass, flow_id, {CONF_URL: fake_hub.url})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "wrong_hub"}
    assert entry.data[CONF_URL] == "http://192.168.1.5:8765"

    fake_hub.health_body = {"hub_id": "hub-1", "name": "Elm", "version": "1"}
    result = await _configure(hass, flow_id, {CONF_URL: fake_hub.url})
    assert result["reason"] == "reconfigure_successful"
    assert entry.data[CONF_URL] == fake_hub.url


# --- options -----------------------------------------------------------------


def _schema_values(result: Any) -> dict[str, Any]:
    """What the form would show: suggested values, else defaults."""
    values: dict[str, Any] = {}
    for key in result["data_schema"].schema:
        suggested = (key.description or {}).get("suggested_value")
        values[str(key)] = suggested if suggested is not None else key.default()
    return values


async def _options(hass: HomeAssistant, entry: MockConfigEntry) -> Any:
    result = _translated(
        await hass.config_entries.options.async_init(entry.entry_id), "options"
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "init"
    return result


@pytest.mark.usefixtures("mock_setup_entry")
async def test_options(hass: HomeAssistant) -> None:
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    result = await _options(hass, entry)
    assert _schema_values(result) == {
        CONF_ALERT_RADIUS_M: 1600,
        CONF_ALERT_CATEGORIES: list(ALERT_CATEGORIES),
        CONF_ALERT_MAX_AGE_HOURS: 24,
        CONF_CLIP_RETENTION_DAYS: 14,
        CONF_SHARE_RETENTION_DAYS: 30,
    }

    result = _translated(
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                CONF_ALERT_RADIUS_M: 850.0,
                CONF_ALERT_CATEGORIES: ["police", "lost_pet", "crime", "crime"],
                CONF_ALERT_MAX_AGE_HOURS: 48.0,
                CONF_CLIP_RETENTION_DAYS: 7.0,
                CONF_SHARE_RETENTION_DAYS: 90.0,
            },
        ),
        "options",
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    expected = {
        CONF_ALERT_RADIUS_M: 850,
        CONF_ALERT_CATEGORIES: ["crime", "lost_pet", "police"],
        CONF_ALERT_MAX_AGE_HOURS: 48,
        CONF_CLIP_RETENTION_DAYS: 7,
        CONF_SHARE_RETENTION_DAYS: 90,
    }
    assert entry.options == expected
    assert all(
        type(entry.options[key]) is int
        for key in expected
        if key != CONF_ALERT_CATEGORIES
    )

    # Opening the options again shows what was saved.
    result = await _options(hass, entry)
    assert _schema_values(result) == expected


@pytest.mark.usefixtures("mock_setup_entry")
@pytest.mark.parametrize(
    ("key", "value"),
    [
        (CONF_ALERT_RADIUS_M, 50),
        (CONF_ALERT_RADIUS_M, 10050),
        (CONF_ALERT_MAX_AGE_HOURS, 169),
        (CONF_CLIP_RETENTION_DAYS, 0),
        (CONF_SHARE_RETENTION_DAYS, 91),
        (CONF_ALERT_CATEGORIES, ["meteor"]),
    ],
)
async def test_options_out_of_range(hass: HomeAssistant, key: str, value: Any) -> None:
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    result = await _options(hass, entry)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**_schema_values(result), key: value}
        )
    assert entry.options == {}


@pytest.mark.usefixtures("mock_setup_entry")
async def test_options_no_categories(hass: HomeAssistant) -> None:
    entry = await _loaded(hass, _entry("http://192.168.1.5:8765"))
    result = await _options(hass, entry)
    user_input = {**_schema_values(result), CONF_ALERT_CATEGORIES: []}
    result = _translated(
        await hass.config_entries.options.async_configure(
            result["flow_id"], {**user_input, CONF_ALERT_RADIUS_M: 500}
        ),
        "options",
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ALERT_CATEGORIES: "no_categories"}
    assert _schema_values(result)[CONF_ALERT_RADIUS_M] == 500  # input kept
    assert entry.options == {}


def test_category_labels_translated() -> None:
    """Every category the hub can send has a label in the options form."""
    labels = STRINGS["selector"]["alert_categories"]["options"]
    assert set(labels) == set(ALERT_CATEGORIES)
    assert all(labels.values())


# --- against a real hub, with the real entry setup ----------------------------


@pytest.fixture
async def real_hub(socket_enabled: None, tmp_path: Path) -> AsyncIterator[HubHarness]:
    """A real hub on 127.0.0.1 (no mDNS), driven by its operator functions."""
    async with serve_real_hub(
        tmp_path, ManualClock(START), name="Elm Street Hub"
    ) as hub:
        yield hub


async def _reauth_flow_id(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """Start reauth the way the integration does (joining one it started)."""
    entry.async_start_reauth(hass)
    await hass.async_block_till_done()
    (flow,) = entry.async_get_active_flows(hass, {SOURCE_REAUTH})
    assert flow["step_id"] == "reauth_confirm"
    return str(flow["flow_id"])


async def test_pair_and_reauth_with_real_hub(
    hass: HomeAssistant, real_hub: HubHarness
) -> None:
    """Pair, set up for real, then recover from a revoked token with reauth."""
    # Where Home Assistant is: pairing sends its location, which may move the
    # home only 250 m from where the operator put it (DESIGN.md §2.5).
    here = (hass.config.latitude, hass.config.longitude)
    new = await admin.add_home(real_hub.engine, "Home", *here, clock=real_hub.clock)
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_URL: real_hub.url, CONF_PAIRING_CODE: new.pairing_code}
    )
    await hass.async_block_till_done()

    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Elm Street Hub"
    entry = result["result"]
    assert entry.data[CONF_HOME_ID] == new.home_id
    assert entry.unique_id == f"{entry.data[CONF_HUB_ID]}:{new.home_id}"
    assert entry.state is ConfigEntryState.LOADED

    # The code was spent; pairing with it again is refused.
    flow_id = await _start(hass)
    result = await _configure(
        hass, flow_id, {CONF_URL: real_hub.url, CONF_PAIRING_CODE: new.pairing_code}
    )
    assert result["errors"] == {CONF_PAIRING_CODE: "invalid_pairing_code"}
    hass.config_entries.flow.async_abort(flow_id)

    # The operator revokes the token and issues a new code.
    await admin.revoke_home(real_hub.engine, new.home_id)
    old_token = entry.data[CONF_TOKEN]
    code = await admin.new_home_code(real_hub.engine, new.home_id, clock=real_hub.clock)
    flow_id = await _reauth_flow_id(hass, entry)
    result = await _configure(hass, flow_id, {CONF_PAIRING_CODE: code})
    await hass.async_block_till_done()

    assert result["reason"] == "reauth_successful"
    assert entry.data[CONF_TOKEN] != old_token
    assert entry.state is ConfigEntryState.LOADED
    status, _ = await real_hub.call(
        "GET",
        "/api/v1/home",
        headers={"Authorization": f"Bearer {entry.data[CONF_TOKEN]}"},
    )
    assert status == 200

    # A code for another home does not touch this entry.
    other = await admin.add_home(real_hub.engine, "Other", *here, clock=real_hub.clock)
    token = entry.data[CONF_TOKEN]
    flow_id = await _reauth_flow_id(hass, entry)
    result = await _configure(hass, flow_id, {CONF_PAIRING_CODE: other.pairing_code})
    assert result["reason"] == "wrong_home"
    assert entry.data[CONF_TOKEN] == token

    assert await hass.config_entries.async_unload(entry.entry_id)
