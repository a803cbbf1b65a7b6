"""Constants for the Porchlight integration."""

import logging
from typing import Final

from homeassistant.const import CONF_TOKEN, CONF_URL

DOMAIN: Final = "porchlight"
LOGGER: Final = logging.getLogger(__package__)

CONF_PAIRING_CODE: Final = "pairing_code"
CONF_HOME_ID: Final = "home_id"
CONF_HUB_ID: Final = "hub_id"

__all__ = [
    "CONF_HOME_ID",
    "CONF_HUB_ID",
    "CONF_PAIRING_CODE",
    "CONF_TOKEN",
    "CONF_URL",
    "DOMAIN",
    "LOGGER",
]
