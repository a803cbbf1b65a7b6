"""The media source: the local clips in Home Assistant's media browser.

Clips are browsed by home, doorbell and day (in Home Assistant's time zone,
newest first), as a household looks for "what happened at the front door on
Tuesday". Playing a clip resolves to a short-lived signed URL of the
authenticated clip view, so a media player without a Home Assistant login
can fetch it, but nobody else can, and not for long.

Identifiers:

- ``""``: one folder per loaded entry, or the doorbells directly when there
  is only one;
- ``{entry_id}`` and ``{entry_id}/{doorbell}``: a home and a doorbell;
- ``{entry_id}/{doorbell}/{YYYY-MM-DD}``: one local day of a doorbell;
- ``{entry_id}/clip/{clip_id}``: a playable clip.

Doorbell names are percent-encoded so a name holding a slash stays one
segment; a day segment is always a date, which keeps a doorbell called
"clip" apart from a clip.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Final
from urllib.parse import quote, unquote

from homeassistant.components.http.auth import async_sign_path
from homeassistant.components.media_player.const import MediaClass, MediaType
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .clips import Clip
from .const import DOMAIN
from .data import PorchlightConfigEntry
from .views import clip_url, loaded_entry

# Long enough to watch a clip to the end; short enough that a leaked URL
# soon stops working.
SIGNED_URL_LIFETIME: Final = timedelta(hours=1)
CLIP_SEGMENT: Final = "clip"
_DAY: Final = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MEDIA_CLASSES: Final[dict[str, MediaClass]] = {
    "video/mp4": MediaClass.VIDEO,
    "image/jpeg": MediaClass.IMAGE,
}


async def async_get_media_source(hass: HomeAssistant) -> PorchlightMediaSource:
    """Set up the media source; its URLs point at the view of ``views.py``."""
    return PorchlightMediaSource(hass)


class PorchlightMediaSource(MediaSource):
    """Browse and play the clips of every loaded Porchlight home."""

    name = "Porchlight"

    def __init__(self, hass: HomeAssistant) -> None:
        super().__init__(DOMAIN)
        self.hass = hass

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A signed URL of the clip view, with the clip's own content type."""
        parts = item.identifier.split("/")
        if len(parts) != 3 or parts[1] != CLIP_SEGMENT or _DAY.match(parts[2]):
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="media_not_a_clip",
                translation_placeholders={"identifier": item.identifier},
            )
        entry = self._entry(parts[0], Unresolvable)
        clip = self._clip(entry, parts[2], Unresolvable)
        url = async_sign_path(
            self.hass, clip_url(entry.entry_id, clip.clip_id), SIGNED_URL_LIFETIME
        )
        return PlayMedia(url, clip.content_type)

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """Browse homes, doorbells, days and clips."""
        identifier = item.identifier or ""
        if not identifier:
            return self._browse_root()
        parts = identifier.split("/")
        entry = self._entry(parts[0], BrowseError)
        if len(parts) == 1:
            return self._browse_entry(entry, self._title(entry))
        if len(parts) == 2:
            return self._browse_doorbell(entry, unquote(parts[1]))
        if len(parts) == 3 and _DAY.match(parts[2]):
            try:
                day = date.fromisoformat(parts[2])
            except ValueError:
                raise self._unknown(BrowseError, identifier) from None
            return self._browse_day(entry, unquote(parts[1]), day)
        if len(parts) == 3 and parts[1] == CLIP_SEGMENT:
            return self._clip_item(entry, self._clip(entry, parts[2], BrowseError))
        raise self._unknown(BrowseError, identifier)

    def _browse_root(self) -> BrowseMediaSource:
        entries: list[PorchlightConfigEntry] = (
            self.hass.config_entries.async_loaded_entries(DOMAIN)
        )
        if len(entries) == 1:
            # One home: a level with a single folder in it is just a click more.
            return self._browse_entry(entries[0], self.name, identifier="")
        return _folder(
            "",
            self.name,
            MediaClass.APP,
            [
                _folder(entry.entry_id, self._title(entry), MediaClass.DIRECTORY)
                for entry in sorted(entries, key=self._title)
            ],
        )

    def _browse_entry(
        self,
        entry: PorchlightConfigEntry,
        title: str,
        identifier: str | None = None,
    ) -> BrowseMediaSource:
        doorbells = sorted(
            entry.runtime_data.clips.doorbells(),
            key=lambda doorbell: _doorbell_title(entry, doorbell).casefold(),
        )
        return _folder(
            entry.entry_id if identifier is None else identifier,
            title,
            MediaClass.DIRECTORY,
            [
                _folder(
                    f"{entry.entry_id}/{quote(doorbell, safe='')}",
                    _doorbell_title(entry, doorbell),
                    MediaClass.DIRECTORY,
                )
                for doorbell in doorbells
            ],
        )

    def _browse_doorbell(
        self, entry: PorchlightConfigEntry, doorbell: str
    ) -> BrowseMediaSource:
        clips = entry.runtime_data.clips.clips(doorbell=doorbell)
        if not clips:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="media_unknown_doorbell",
                translation_placeholders={"doorbell": doorbell},
            )
        days = sorted({_local_day(clip) for clip in clips}, reverse=True)
        prefix = f"{entry.entry_id}/{quote(doorbell, safe='')}"
        return _folder(
            prefix,
            _doorbell_title(entry, doorbell),
            MediaClass.DIRECTORY,
            [
                _folder(
                    f"{prefix}/{day.isoformat()}", _day_title(day), MediaClass.DIRECTORY
                )
                for day in days
            ],
        )

    def _browse_day(
        self, entry: PorchlightConfigEntry, doorbell: str, day: date
    ) -> BrowseMediaSource:
        start = dt_util.start_of_local_day(day)
        end = dt_util.start_of_local_day(day + timedelta(days=1))
        # The window also returns clips that began the day before and ran
        # past midnight; they belong to the day they started on.
        clips = [
            clip
            for clip in entry.runtime_data.clips.clips(start, end, doorbell)
            if _local_day(clip) == day
        ]
        clips.reverse()
        folder = _folder(
            f"{entry.entry_id}/{quote(doorbell, safe='')}/{day.isoformat()}",
            f"{_doorbell_title(entry, doorbell)} · {_day_title(day)}",
            MediaClass.DIRECTORY,
            [self._clip_item(entry, clip) for clip in clips],
        )
        folder.thumbnail = next(
            (child.thumbnail for child in folder.children or [] if child.thumbnail),
            None,
        )
        return folder

    def _clip_item(self, entry: PorchlightConfigEntry, clip: Clip) -> BrowseMediaSource:
        media_class = _MEDIA_CLASSES.get(clip.content_type, MediaClass.VIDEO)
        local = dt_util.as_local(clip.start)
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=f"{entry.entry_id}/{CLIP_SEGMENT}/{clip.clip_id}",
            media_class=media_class,
            media_content_type=clip.content_type,
            title=f"{self._clip_source(entry, clip)} · {local:%Y-%m-%d %H:%M:%S}",
            can_play=True,
            can_expand=False,
            # The frontend fetches thumbnails with its own credentials.
            thumbnail=(
                clip_url(entry.entry_id, clip.clip_id)
                if media_class is MediaClass.IMAGE
                else None
            ),
        )

    def _clip_source(self, entry: PorchlightConfigEntry, clip: Clip) -> str:
        """Who recorded the clip: its doorbell, else its camera's name."""
        if (subentry := entry.subentries.get(clip.doorbell)) is not None:
            return subentry.title
        if (state := self.hass.states.get(clip.camera)) is not None:
            return state.name
        return clip.camera

    def _entry[E: HomeAssistantError](
        self, entry_id: str, error: type[E]
    ) -> PorchlightConfigEntry:
        if (entry := loaded_entry(self.hass, entry_id)) is None:
            raise error(
                translation_domain=DOMAIN,
                translation_key="media_unknown_entry",
                translation_placeholders={"entry_id": entry_id},
            )
        return entry

    def _clip[E: HomeAssistantError](
        self, entry: PorchlightConfigEntry, clip_id: str, error: type[E]
    ) -> Clip:
        if (clip := entry.runtime_data.clips.get(clip_id)) is None:
            raise error(
                translation_domain=DOMAIN,
                translation_key="media_unknown_clip",
                translation_placeholders={"clip_id": clip_id},
            )
        return clip

    @staticmethod
    def _unknown[E: HomeAssistantError](error: type[E], identifier: str) -> E:
        return error(
            translation_domain=DOMAIN,
            translation_key="media_unknown",
            translation_placeholders={"identifier": identifier},
        )

    @staticmethod
    def _title(entry: PorchlightConfigEntry) -> str:
        return entry.title or entry.entry_id


def _local_day(clip: Clip) -> date:
    return dt_util.as_local(clip.start).date()


def _day_title(day: date) -> str:
    # ISO dates: titles are not translatable, and these read in any language.
    return day.isoformat()


def _folder(
    identifier: str,
    title: str,
    media_class: MediaClass,
    children: list[BrowseMediaSource] | None = None,
) -> BrowseMediaSource:
    return BrowseMediaSource(
        domain=DOMAIN,
        identifier=identifier or None,
        media_class=media_class,
        media_content_type=MediaType.VIDEO if identifier else MediaType.APPS,
        title=title,
        can_play=False,
        can_expand=True,
        children=children,
        children_media_class=(
            MediaClass.DIRECTORY
            if children and children[0].media_class is MediaClass.DIRECTORY
            else MediaClass.VIDEO
        ),
    )


def _doorbell_title(entry: PorchlightConfigEntry, doorbell: str) -> str:
    """The doorbell's name; clips of a doorbell since removed keep its id."""
    subentry = entry.subentries.get(doorbell)
    return subentry.title if subentry is not None else doorbell
