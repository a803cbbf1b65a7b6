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

# Options (config entry options, set in the options flow). A missing option
# means its default; a missing alert_categories means every category in
# models.ALERT_CATEGORIES.
CONF_ALERT_RADIUS_M: Final = "alert_radius_m"
CONF_ALERT_CATEGORIES: Final = "alert_categories"
CONF_ALERT_MAX_AGE_HOURS: Final = "alert_max_age_hours"
CONF_CLIP_RETENTION_DAYS: Final = "clip_retention_days"
CONF_SHARE_RETENTION_DAYS: Final = "share_retention_days"
DEFAULT_ALERT_RADIUS_M: Final = 1600
DEFAULT_ALERT_MAX_AGE_HOURS: Final = 24
DEFAULT_CLIP_RETENTION_DAYS: Final = 14
DEFAULT_SHARE_RETENTION_DAYS: Final = 30

# Doorbells: config subentries of this type (DESIGN.md §3.1).
SUBENTRY_DOORBELL: Final = "doorbell"
CONF_CAMERA_ENTITY: Final = "camera_entity"
CONF_TRIGGER_ENTITY: Final = "trigger_entity"
CONF_MOTION_ENTITY: Final = "motion_entity"
CONF_RECORD_SECONDS: Final = "record_seconds"
DEFAULT_RECORD_SECONDS: Final = 10
MIN_RECORD_SECONDS: Final = 3
MAX_RECORD_SECONDS: Final = 60
# Entities whose change means a ring: an event fires, a binary sensor turns
# on, a button is pressed (its state becomes the press time).
TRIGGER_DOMAINS: Final = ("event", "binary_sensor", "input_button", "button")
MOTION_DOMAINS: Final = ("binary_sensor", "event")
