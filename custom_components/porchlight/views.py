"""The HTTP view that serves local clips to the media browser and players.

Footage is the household's most private data, so the view requires Home
Assistant authentication; media players that cannot authenticate get a
short-lived signed URL from the media source instead. Files are streamed with
``FileResponse`` (sendfile, range requests) rather than read into memory,
because a clip can be far larger than anything worth holding in the loop.
"""

from __future__ import annotations

from typing import Final

from aiohttp import hdrs, web
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView

from .const import DOMAIN
from .data import PorchlightConfigEntry

CLIP_URL: Final = "/api/porchlight/clips/{entry_id}/{clip_id}"


def clip_url(entry_id: str, clip_id: str) -> str:
    """The (unsigned) path of a clip, for the authenticated frontend."""
    return CLIP_URL.format(entry_id=entry_id, clip_id=clip_id)


@callback
def async_register_clip_view(hass: HomeAssistant) -> None:
    """Register the view at integration setup, while the router takes routes.

    Not from the media source platform: newer releases load that platform
    lazily, on the first browse, when the router is long frozen.
    """
    hass.http.register_view(PorchlightClipView())


def loaded_entry(hass: HomeAssistant, entry_id: str) -> PorchlightConfigEntry | None:
    """The loaded Porchlight entry with this id; only it has a clip library."""
    entry: PorchlightConfigEntry | None = hass.config_entries.async_get_entry(entry_id)
    if (
        entry is None
        or entry.domain != DOMAIN
        or entry.state is not ConfigEntryState.LOADED
    ):
        return None
    return entry


class PorchlightClipView(HomeAssistantView):
    """Serve one clip's file to an authenticated user or a signed URL."""

    url = CLIP_URL
    name = "api:porchlight:clip"
    requires_auth = True

    async def get(
        self, request: web.Request, entry_id: str, clip_id: str
    ) -> web.StreamResponse:
        """Stream the clip; 404 whatever is unknown, so ids are not probed."""
        hass = request.app[KEY_HASS]
        if (entry := loaded_entry(hass, entry_id)) is None:
            raise web.HTTPNotFound
        library = entry.runtime_data.clips
        if (clip := library.get(clip_id)) is None:
            raise web.HTTPNotFound
        path = library.file_path(clip)
        # The file may have been deleted by hand since it was indexed.
        if not await hass.async_add_executor_job(path.is_file):
            raise web.HTTPNotFound
        return web.FileResponse(
            path,
            headers={
                hdrs.CONTENT_TYPE: clip.content_type,
                hdrs.CACHE_CONTROL: "private, max-age=3600",
            },
        )
