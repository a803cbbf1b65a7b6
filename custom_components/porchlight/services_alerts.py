"""The neighbourhood's alerts: post one, comment on one.

The hub's refusal of a text (too long, a category it does not take) is the
household's input error, so it is a validation error with the hub's words;
anything else from the hub is a hub failure.
"""

from __future__ import annotations

from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse

from .api import PorchlightError, PorchlightNotFound, PorchlightRequestError
from .models import HOME_ALERT_CATEGORIES
from .service_common import check_length, hub_error, invalid, resolve_entry
from .service_schemas import (
    ATTR_ALERT_ID,
    ATTR_CATEGORY,
    ATTR_DESCRIPTION,
    ATTR_TEXT,
    ATTR_TITLE,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    TITLE_MAX,
)


async def post_alert(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Post the household's alert; the hub coarsens where it is shown."""
    entry = resolve_entry(hass, call)
    category: str = call.data[ATTR_CATEGORY]
    if category not in HOME_ALERT_CATEGORIES:
        raise invalid(
            "invalid_category",
            category=category,
            categories=", ".join(HOME_ALERT_CATEGORIES),
        )
    title = check_length(ATTR_TITLE, call.data[ATTR_TITLE], TITLE_MAX)
    description = call.data.get(ATTR_DESCRIPTION)
    if description is not None:
        description = description.strip()
        if len(description) > DESCRIPTION_MAX:
            raise invalid(
                "text_too_long", field=ATTR_DESCRIPTION, maximum=str(DESCRIPTION_MAX)
            )
    try:
        alert = await entry.runtime_data.client.post_alert(
            category, title, description or None
        )
    except PorchlightRequestError as err:
        raise invalid("hub_refused", error=err.message or str(err)) from err
    except PorchlightError as err:
        raise hub_error(err) from err
    return {
        "alert_id": alert.id,
        "category": alert.category,
        "title": alert.title,
        "latitude": alert.latitude,
        "longitude": alert.longitude,
        "created_at": alert.created_at.isoformat(),
    }


async def comment_alert(hass: HomeAssistant, call: ServiceCall) -> ServiceResponse:
    """Comment on a neighbour's alert."""
    entry = resolve_entry(hass, call)
    text = check_length(ATTR_TEXT, call.data[ATTR_TEXT], COMMENT_MAX)
    alert_id: str = call.data[ATTR_ALERT_ID]
    try:
        comment = await entry.runtime_data.client.comment_alert(alert_id, text)
    except PorchlightNotFound as err:
        raise invalid("unknown_alert", alert_id=alert_id) from err
    except PorchlightRequestError as err:
        raise invalid("hub_refused", error=err.message or str(err)) from err
    except PorchlightError as err:
        raise hub_error(err) from err
    return {
        "comment_id": comment.id,
        "alert_id": comment.alert_id,
        "created_at": comment.created_at.isoformat(),
    }
