"""Tests for the Porchlight config flow, against a fake hub on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from unittest.mock import AsyncMock, patch

import pytest
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.porchlight.const import (
    CONF_HOME_ID,
    CONF_HUB_ID,
    CONF_PAIRING_CODE,
    DOMAIN,
)

from .conftest import FakeHub


@pytest.fixture
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Keep the created entry from being set up."""
    with patch(
        "custom_components.porchlight.async_setup_entry", return_value=True
    ) as mock:
        yield mock


async def _start(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


async def _finish(hass: HomeAssistant, flow_id: str, fake_hub: FakeHub) -> None:
    """Fix the hub, submit again and check that the entry gets created."""
    fake_hub.health_status = fake_hub.pair_status = 200
    fake_hub.health_body = {"hub_id": "hub-1", "name": "Elm Street Hub", "version": "1"}
    fake_hub.pair_body = {"home_id": "home-1", "token": "tok", "hub_id": "hub-1"}
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "GOOD"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow(hass: HomeAssistant, fake_hub: FakeHub) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: f" {fake_hub.url}/ ", CONF_PAIRING_CODE: " ABCD-1234 "}
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
    pair = [body for method, _, body, _ in fake_hub.requests if method == "POST"]
    assert pair == [
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
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "WRONG"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors

    await _finish(hass, flow_id, fake_hub)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_cannot_connect(
    hass: HomeAssistant, fake_hub: FakeHub, closed_port_url: str
) -> None:
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: closed_port_url, CONF_PAIRING_CODE: "CODE"}
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
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: url, CONF_PAIRING_CODE: "CODE"}
    )
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
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "CODE"}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "unknown"}
    assert "Unexpected error while pairing" in caplog.text

    await _finish(hass, flow_id, fake_hub)


@pytest.mark.usefixtures("mock_setup_entry")
async def test_user_flow_already_configured(
    hass: HomeAssistant, fake_hub: FakeHub
) -> None:
    MockConfigEntry(domain=DOMAIN, unique_id="hub-1:home-1").add_to_hass(hass)
    flow_id = await _start(hass)
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: fake_hub.url, CONF_PAIRING_CODE: "CODE"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
