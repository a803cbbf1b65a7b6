"""Tell open consent panels when what they show has changed.

A panel subscribes per home (config entry) and is sent ``{"kind": ...}``
whenever its requests, shares or ledger change, at most one message per kind
every ``DEBOUNCE`` seconds. Many things can change them: hub news (the
coordinator), a ring that records a clip matching a pending request (the clip
library), a decision leaving the outbox, a ledger entry. Each of those only
*asks* for a check; the check compares what the panel would fetch now with
what it fetched last (``panel_data`` without signed URLs) and names the
collections that differ, so an alert or a heartbeat never makes a panel
reload its requests.

A subscription outlives a reload of its entry: the entry's feed detaches at
unload and attaches again at setup, and each time the subscribers are told to
fetch everything (they then see the entry is gone, or back).

The ledger and the outbox have no listener hook of their own, so the feed
wraps the ledger instance's ``async_append`` and the outbox's ``on_delivered``
and ``on_failed`` callbacks while the entry is loaded, and puts them back at
unload.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from homeassistant.core import CALLBACK_TYPE, HassJob, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .data import PorchlightConfigEntry
from .ledger_chain import KIND_SHARE_ACCESSED, LedgerEntry
from .outbox_item import OutboxItem
from .panel_data import Access, requests_payload, shares_payload

DATA_FEEDS: HassKey[PanelFeeds] = HassKey(f"{DOMAIN}_panel_feeds")
DEBOUNCE: Final = 0.2
KIND_REQUESTS: Final = "requests"
KIND_SHARES: Final = "shares"
KIND_LEDGER: Final = "ledger"
KINDS: Final = (KIND_REQUESTS, KIND_SHARES, KIND_LEDGER)

type Subscriber = Callable[[str], None]


class EntryFeed:
    """The change hooks of one loaded entry, and what only the ledger knows."""

    def __init__(self, entry: PorchlightConfigEntry, changed: CALLBACK_TYPE) -> None:
        self.entry = entry
        self._changed = changed
        # Ledger entries appended since the entry loaded: the ledger's mark.
        self.ledger_changes = 0
        # Agency accesses by share id, read from the ledger once loaded and
        # kept up to date from its appends since.
        self._accesses: dict[str, dict[tuple[str, ...], Access]] = {}
        self._undo: list[CALLBACK_TYPE] = []

    @callback
    def async_attach(self) -> None:
        """Hook into the entry's coordinator, clips, ledger and outbox."""
        data = self.entry.runtime_data
        self._undo.append(data.coordinator.async_add_listener(self._changed))
        self._undo.append(data.clips.async_add_listener(self._changed))
        self._undo.append(data.ledger.async_add_listener(self._on_ledger_entry))
        self._wrap_outbox()
        self.entry.async_create_background_task(
            self.entry.runtime_data.coordinator.hass,
            self._async_read_accesses(),
            f"{DOMAIN} panel accesses {self.entry.entry_id}",
        )

    @callback
    def async_detach(self) -> None:
        """Remove every hook; the entry is unloading."""
        while self._undo:
            self._undo.pop()()

    def accesses(self) -> dict[str, list[Access]]:
        """Every agency access to this home's shares known so far, by share id.

        Read from the ledger in the background once the entry loads (the
        panel is told when that is done) and kept up to date from its appends.
        """
        return {
            share_id: list(found.values()) for share_id, found in self._accesses.items()
        }

    async def _async_read_accesses(self) -> None:
        export = await self.entry.runtime_data.ledger.async_export()
        for entry in export["entries"]:
            if isinstance(entry, dict) and entry.get("kind") == KIND_SHARE_ACCESSED:
                self._record_access(entry.get("data"))
        self._changed()

    def _record_access(self, data: Any) -> None:
        if not isinstance(data, Mapping):
            return
        access = {
            key: str(data.get(key) or "")
            for key in ("clip_id", "agency", "accessed_at")
        }
        key = (str(data.get("share_id")), *access.values())
        # Keyed by content: the same access read from the ledger and seen
        # being appended counts once.
        self._accesses.setdefault(key[0], {})[key] = access

    @callback
    def _on_ledger_entry(self, entry: LedgerEntry) -> None:
        self.ledger_changes += 1
        if entry.kind == KIND_SHARE_ACCESSED:
            self._record_access(entry.data)
        self._changed()

    def _wrap_outbox(self) -> None:
        outbox = self.entry.runtime_data.outbox.delivery
        for name in ("on_delivered", "on_failed", "on_revoked"):
            original = getattr(outbox, name)

            def chained(
                item: OutboxItem, outcome: Any, original: Any = original
            ) -> Any:
                # The item has left the outbox (or moved on to its uploads).
                self._changed()
                return original(item, outcome) if original is not None else None

            setattr(outbox, name, chained)

            @callback
            def unwrap(name: str = name, original: Any = original) -> None:
                setattr(outbox, name, original)

            self._undo.append(unwrap)


class _Channel:
    """The subscribers of one entry id, its feed while loaded, and the debounce."""

    def __init__(self) -> None:
        self.subscribers: dict[int, Subscriber] = {}
        self.feed: EntryFeed | None = None
        self.forced: set[str] = set()
        self.last: dict[str, Any] | None = None
        self.unsub_timer: CALLBACK_TYPE | None = None

    @property
    def idle(self) -> bool:
        return not self.subscribers and self.feed is None

    def cancel(self) -> None:
        if self.unsub_timer is not None:
            self.unsub_timer()
            self.unsub_timer = None


def snapshot(feed: EntryFeed) -> dict[str, Any]:
    """What a panel would fetch now, in the form compared between checks."""
    entry = feed.entry
    return {
        KIND_REQUESTS: requests_payload(entry, None),
        KIND_SHARES: shares_payload(entry, feed.accesses()),
        KIND_LEDGER: feed.ledger_changes,
    }


class PanelFeeds:
    """Every panel subscription and every loaded entry's feed."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.hass = hass
        self._channels: dict[str, _Channel] = {}
        self._next_id = 0

    def feed(self, entry_id: str) -> EntryFeed | None:
        """The feed of a loaded entry."""
        channel = self._channels.get(entry_id)
        return channel.feed if channel is not None else None

    @callback
    def async_attach(self, entry: PorchlightConfigEntry) -> CALLBACK_TYPE:
        """Start following a loaded entry; returns the way to stop at unload."""
        channel = self._channels.setdefault(entry.entry_id, _Channel())
        feed = EntryFeed(entry, lambda: self._schedule(entry.entry_id))
        feed.async_attach()
        channel.feed = feed
        channel.last = None
        self._force(entry.entry_id)

        @callback
        def detach() -> None:
            feed.async_detach()
            if channel.feed is feed:
                channel.feed = None
                channel.last = None
                self._force(entry.entry_id)
                self._drop_if_idle(entry.entry_id)

        return detach

    @callback
    def async_subscribe(self, entry_id: str, subscriber: Subscriber) -> CALLBACK_TYPE:
        """Send ``subscriber`` the kinds that change; returns the way to stop."""
        channel = self._channels.setdefault(entry_id, _Channel())
        self._next_id += 1
        key = self._next_id
        channel.subscribers[key] = subscriber
        if channel.last is None and channel.feed is not None:
            channel.last = snapshot(channel.feed)

        @callback
        def unsubscribe() -> None:
            channel.subscribers.pop(key, None)
            if not channel.subscribers:
                channel.last = None
                channel.forced.clear()
                channel.cancel()
            self._drop_if_idle(entry_id)

        return unsubscribe

    def _force(self, entry_id: str) -> None:
        """Everything may have changed: subscribers fetch all of it."""
        channel = self._channels[entry_id]
        if channel.subscribers:
            channel.forced.update(KINDS)
            self._schedule(entry_id)

    def _drop_if_idle(self, entry_id: str) -> None:
        channel = self._channels.get(entry_id)
        if channel is not None and channel.idle:
            channel.cancel()
            del self._channels[entry_id]

    @callback
    def _schedule(self, entry_id: str) -> None:
        channel = self._channels.get(entry_id)
        if channel is None or not channel.subscribers or channel.unsub_timer:
            return

        @callback
        def fire(_now: Any) -> None:
            channel.unsub_timer = None
            self._send(channel)

        channel.unsub_timer = async_call_later(
            self.hass,
            DEBOUNCE,
            HassJob(fire, f"{DOMAIN} panel feed {entry_id}", cancel_on_shutdown=True),
        )

    def _send(self, channel: _Channel) -> None:
        kinds = set(channel.forced)
        channel.forced.clear()
        if channel.feed is not None:
            now = snapshot(channel.feed)
            if channel.last is not None:
                kinds.update(k for k in KINDS if now[k] != channel.last[k])
            channel.last = now
        for kind in KINDS:
            if kind in kinds:
                for subscriber in list(channel.subscribers.values()):
                    subscriber(kind)


@callback
def async_get_feeds(hass: HomeAssistant) -> PanelFeeds:
    """The feeds of this Home Assistant, created on first use."""
    if (feeds := hass.data.get(DATA_FEEDS)) is None:
        feeds = hass.data[DATA_FEEDS] = PanelFeeds(hass)
    return feeds
