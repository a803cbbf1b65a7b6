"""The services' names, fields, limits and schemas.

Kept apart from the handlers because the panel's WebSocket API and the
blueprint tests share the same limits and schemas: one definition, so an
automation, the panel and a test can never disagree on what is valid.
"""

from __future__ import annotations

from typing import Final

import voluptuous as vol
from homeassistant.helpers import config_validation as cv

ATTR_CONFIG_ENTRY_ID: Final = "config_entry_id"
ATTR_REQUEST_ID: Final = "request_id"
ATTR_SHARE_ID: Final = "share_id"
ATTR_ALERT_ID: Final = "alert_id"
ATTR_CATEGORY: Final = "category"
ATTR_TITLE: Final = "title"
ATTR_DESCRIPTION: Final = "description"
ATTR_TEXT: Final = "text"
ATTR_SINCE: Final = "since"
ATTR_CLIP_IDS: Final = "clip_ids"
ATTR_RETENTION_DAYS: Final = "retention_days"
ATTR_START: Final = "start"
ATTR_END: Final = "end"
ATTR_DOORBELL: Final = "doorbell"

SERVICE_SHARE_ALL: Final = "share_all"
SERVICE_SHARE_CLIPS: Final = "share_clips"
SERVICE_LIST_CLIPS: Final = "list_clips"
SERVICE_DECLINE: Final = "decline"
SERVICE_REVOKE_SHARE: Final = "revoke_share"
SERVICE_POST_ALERT: Final = "post_alert"
SERVICE_COMMENT_ALERT: Final = "comment_alert"
SERVICE_GET_REQUEST: Final = "get_request"
SERVICE_EXPORT_LEDGER: Final = "export_ledger"

TITLE_MAX: Final = 120
DESCRIPTION_MAX: Final = 2000
COMMENT_MAX: Final = 1000
RETENTION_MIN: Final = 1
RETENTION_MAX: Final = 90
_ENTRY: dict[vol.Marker, object] = {vol.Optional(ATTR_CONFIG_ENTRY_ID): cv.string}

SCHEMAS: Final[dict[str, vol.Schema]] = {
    SERVICE_SHARE_ALL: vol.Schema(
        {
            vol.Required(ATTR_REQUEST_ID): cv.string,
            vol.Optional(ATTR_RETENTION_DAYS): vol.Coerce(int),
            **_ENTRY,
        }
    ),
    SERVICE_SHARE_CLIPS: vol.Schema(
        {
            vol.Required(ATTR_REQUEST_ID): cv.string,
            vol.Required(ATTR_CLIP_IDS): vol.All(cv.ensure_list, [cv.string]),
            vol.Optional(ATTR_RETENTION_DAYS): vol.Coerce(int),
            **_ENTRY,
        }
    ),
    SERVICE_LIST_CLIPS: vol.Schema(
        {
            vol.Optional(ATTR_START): cv.datetime,
            vol.Optional(ATTR_END): cv.datetime,
            vol.Optional(ATTR_DOORBELL): cv.string,
            **_ENTRY,
        }
    ),
    SERVICE_DECLINE: vol.Schema({vol.Required(ATTR_REQUEST_ID): cv.string, **_ENTRY}),
    SERVICE_REVOKE_SHARE: vol.Schema(
        {vol.Required(ATTR_SHARE_ID): cv.string, **_ENTRY}
    ),
    SERVICE_POST_ALERT: vol.Schema(
        {
            vol.Required(ATTR_CATEGORY): cv.string,
            vol.Required(ATTR_TITLE): cv.string,
            vol.Optional(ATTR_DESCRIPTION): cv.string,
            **_ENTRY,
        }
    ),
    SERVICE_COMMENT_ALERT: vol.Schema(
        {
            vol.Required(ATTR_ALERT_ID): cv.string,
            vol.Required(ATTR_TEXT): cv.string,
            **_ENTRY,
        }
    ),
    SERVICE_GET_REQUEST: vol.Schema(
        {vol.Required(ATTR_REQUEST_ID): cv.string, **_ENTRY}
    ),
    SERVICE_EXPORT_LEDGER: vol.Schema(
        {vol.Optional(ATTR_SINCE): cv.datetime, **_ENTRY}
    ),
}
