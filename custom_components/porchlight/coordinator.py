"""The home's view of its hub: one state, fed by REST resyncs and the stream.

A full REST resync runs at setup, on every stream (re)connect and every ten
minutes; stream messages update the same state in between. Both paths go
through the same diffing so a request delivered while Home Assistant or the
hub was offline still fires ``received`` exactly once: the consent ledger
remembers which requests were recorded.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Final, cast

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ConfigEntryAuthFailed
from homeassistant.helpers.dispatcher import async_dispatcher_send
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator, UpdateFailed
from homeassistant.util import dt as dt_util

from .api import (
    PorchlightAuthError,
    PorchlightClient,
    PorchlightError,
)
from .availability import Availability
from .const import (
    DOMAIN,
    LOGGER,
)
from .coordinator_state import (
    ClipProvider,
    PorchlightState,
    request_summary,
    signal_alert,
    signal_request,
)
from .coordinator_views import HouseholdViews
from .ledger import ConsentLedger
from .ledger_chain import (
    KIND_OPT_IN,
    KIND_OPT_OUT,
    KIND_REQUEST_OUT_OF_POLICY,
    KIND_REQUEST_RECEIVED,
    KIND_REQUEST_UPDATED,
    KIND_SHARE_ACCESSED,
    KIND_SHARE_DELETED,
)
from .models import (
    OUT_OF_POLICY,
    Alert,
    Home,
    InvalidPayload,
    ShareAccess,
    ShareDeletion,
    StreamMessage,
    VideoRequest,
)
from .trust import RequestTrust

RESYNC_INTERVAL: Final = timedelta(minutes=10)
# REST data this old still shows: one missed resync is no reason to blank the
# household's dashboard; two are.
FRESH_FOR: Final = RESYNC_INTERVAL + timedelta(minutes=2)
MAX_GEO_ALERTS: Final = 100
EVENT_SHARE_ACCESSED: Final = f"{DOMAIN}_share_accessed"
EVENT_SHARE_DELETED: Final = f"{DOMAIN}_share_deleted"


class PorchlightCoordinator(HouseholdViews, DataUpdateCoordinator[PorchlightState]):
    """Holds the state and turns hub news into entity updates and events."""

    # Typed without its runtime data: data.py holds this coordinator, and
    # the two must not import each other.
    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        client: PorchlightClient,
        ledger: ConsentLedger,
    ) -> None:
        super().__init__(
            hass,
            LOGGER,
            config_entry=entry,
            name=f"Porchlight {entry.title}",
            update_interval=RESYNC_INTERVAL,
            always_update=False,
        )
        self.client = client
        self.ledger = ledger
        # Every request is vetted at home before it is offered (§2.5).
        self.trust = RequestTrust(
            hass,
            entry.entry_id,
            ledger,
            lambda: (hass.config.latitude, hass.config.longitude),
        )
        self._recorded: set[str] = ledger.recorded_request_ids()
        self._logged_invalid: set[str] = set()
        # Local decisions not yet acknowledged by the hub, request id -> status.
        self._local_status: dict[str, str] = {}
        self.clip_provider: ClipProvider | None = None
        # News found before the entities exist (the first refresh at setup
        # finds requests that arrived while Home Assistant was down) waits
        # here until they are added, so no automation misses a "received".
        self._held: list[tuple[str, tuple[Any, ...]]] | None = []
        self.availability = Availability(
            hass, self.name, FRESH_FOR, self.async_update_listeners
        )

    # ------------------------------------------------------------ availability
    @property
    def fresh(self) -> bool:
        """Whether the last good resync is recent enough to show its data."""
        known = cast(PorchlightState | None, self.data)
        return known is not None and self.availability.fresh

    @callback
    def async_hub_lost(self, err: Exception) -> None:
        """The stream or a resync failed: say so once, keep fresh data shown."""
        self.availability.lost(err)

    async def async_shutdown(self) -> None:
        """Stop the staleness timer with the coordinator."""
        self.availability.stop()
        await super().async_shutdown()

    # ------------------------------------------------------------------ events
    def _dispatch(self, signal: str, *args: Any) -> None:
        if self._held is not None:
            self._held.append((signal, args))
        else:
            async_dispatcher_send(self.hass, signal, *args)

    @callback
    def async_release_events(self) -> None:
        """The entities are in place: send what waited for them, in order."""
        held, self._held = self._held or [], None
        for signal, args in held:
            async_dispatcher_send(self.hass, signal, *args)

    # ------------------------------------------------------------------ resync
    async def _async_update_data(self) -> PorchlightState:
        """Resync everything from the hub's REST API."""
        since = dt_util.utcnow() - self.alert_max_age
        try:
            home, requests, alerts, shares = await asyncio.gather(
                self.client.get_home(),
                self.client.list_requests(),
                self.client.list_alerts(self.alert_radius_m, since=since),
                self.client.list_shares(),
            )
        except PorchlightAuthError as err:
            raise ConfigEntryAuthFailed(
                translation_domain=DOMAIN, translation_key="auth_failed"
            ) from err
        except PorchlightError as err:
            known = cast(PorchlightState | None, self.data)
            if known is None:
                raise UpdateFailed(
                    translation_domain=DOMAIN,
                    translation_key="hub_unreachable",
                    translation_placeholders={"error": str(err)},
                ) from err
            # Known data stays until it is stale; the entities' availability
            # follows its age, and this is the one line saying the hub left.
            self.async_hub_lost(err)
            return known
        # None before the first refresh, whatever the base class's annotation.
        previous = cast(PorchlightState | None, self.data)
        overlaid = sorted((self._overlay(r) for r in requests), key=_created)
        state = PorchlightState(
            home=home,
            requests={r.id: await self.trust.async_vet(r, overlaid) for r in overlaid},
            alerts={a.id: a for a in alerts},
            shares={s.share_id: s for s in shares},
        )
        self.data = state
        await self._record_requests(
            state.requests.values(),
            previous.requests if previous is not None else {},
        )
        if previous is not None and previous.home.opted_out != home.opted_out:
            await self._record_opt(home.opted_out)
        self.availability.resynced()
        return state

    async def _record_requests(
        self, requests: Iterable[VideoRequest], before: dict[str, VideoRequest]
    ) -> None:
        """Ledger and fire what is new since the last look."""
        for request in sorted(requests, key=lambda r: r.created_at):
            old = before.get(request.id)
            if request.id not in self._recorded:
                await self._received(request)
            elif old is not None and old.status != request.status:
                await self._updated(request)

    def _overlay(self, request: VideoRequest) -> VideoRequest:
        """Show a queued local decision until the hub acknowledges it."""
        local = self._local_status.get(request.id)
        if local is None:
            return request
        if request.status != "pending":
            # The hub has an answer now; it is the truth.
            self._local_status.pop(request.id, None)
            return request
        return dataclasses.replace(request, status=local)

    async def _received(self, request: VideoRequest) -> None:
        self._recorded.add(request.id)
        await self.ledger.async_append(
            KIND_REQUEST_RECEIVED, request_summary(request, with_contact=True)
        )
        if request.status == OUT_OF_POLICY:
            # Never offered: no "received" that an automation could share on.
            await self._updated(request)
            return
        self._dispatch(signal_request(self.config_entry.entry_id), "received", request)

    async def _updated(self, request: VideoRequest) -> None:
        if request.status == OUT_OF_POLICY:
            await self.ledger.async_append(
                KIND_REQUEST_OUT_OF_POLICY,
                {
                    "request_id": request.id,
                    "agency": request.agency,
                    "policy_violation": request.policy_violation,
                },
                durable=True,
            )
        else:
            await self.ledger.async_append(
                KIND_REQUEST_UPDATED,
                {"request_id": request.id, "status": request.status},
            )
        self._dispatch(signal_request(self.config_entry.entry_id), "updated", request)

    async def _record_opt(self, opted_out: bool) -> None:
        await self.ledger.async_append(
            KIND_OPT_OUT if opted_out else KIND_OPT_IN, {"source": "hub"}, durable=True
        )

    # ------------------------------------------------------------------ stream
    async def async_handle_message(self, message: StreamMessage) -> None:
        """Apply one stream message; a malformed one is logged once and skipped."""
        try:
            await self._apply(message)
        except InvalidPayload as err:
            self.log_invalid(err)

    def log_invalid(self, err: Exception) -> None:
        """Warn once per distinct problem, so a broken hub cannot flood the log."""
        text = str(err)
        if text in self._logged_invalid:
            LOGGER.debug("Skipped invalid hub payload again: %s", text)
            return
        if len(self._logged_invalid) < 256:
            self._logged_invalid.add(text)
        LOGGER.warning("Skipped an invalid message from the hub: %s", text)

    async def _apply(self, message: StreamMessage) -> None:
        state = self.data
        kind = message.type
        if kind in ("request.received", "request.updated"):
            request = await self.trust.async_vet(
                self._overlay(VideoRequest.from_hub(message.data)),
                state.requests.values(),
            )
            old = state.requests.get(request.id)
            state.requests[request.id] = request
            if request.id not in self._recorded:
                await self._received(request)
            elif old is None or old.status != request.status:
                await self._updated(request)
        elif kind == "alert.created":
            alert = Alert.from_hub(message.data)
            state.alerts[alert.id] = alert
            if self.is_nearby(alert):
                self._dispatch(signal_alert(self.config_entry.entry_id), alert)
        elif kind == "share.accessed":
            access = ShareAccess.from_hub(message.data)
            await self.ledger.async_append(
                KIND_SHARE_ACCESSED,
                {
                    "share_id": access.share_id,
                    "request_id": access.request_id,
                    "clip_id": access.clip_id,
                    "agency": access.agency,
                    "accessed_at": access.accessed_at.isoformat(),
                },
            )
            self.hass.bus.async_fire(
                EVENT_SHARE_ACCESSED,
                {
                    "config_entry_id": self.config_entry.entry_id,
                    "share_id": access.share_id,
                    "request_id": access.request_id,
                    "clip_id": access.clip_id,
                    "agency": access.agency,
                },
            )
        elif kind == "share.deleted":
            deletion = ShareDeletion.from_hub(message.data)
            await self.async_share_deleted(deletion)
        elif kind == "home.updated":
            home = Home.from_hub(message.data)
            if home.opted_out != state.home.opted_out:
                await self._record_opt(home.opted_out)
            state.home = home
        else:
            return
        self.async_update_listeners()

    async def async_share_deleted(self, deletion: ShareDeletion) -> None:
        """Ledger a deletion and forget the share (from the stream or a revoke)."""
        share = self.data.shares.get(deletion.share_id)
        if share is not None:
            if not share.active:
                # Already recorded: a revoke from here is announced on the
                # stream too, and must not be ledgered (or fired) twice.
                return
            self.data.shares[deletion.share_id] = dataclasses.replace(
                share, status=deletion.reason, deleted_at=deletion.deleted_at
            )
        await self.ledger.async_append(
            KIND_SHARE_DELETED,
            {
                "share_id": deletion.share_id,
                "request_id": deletion.request_id,
                "reason": deletion.reason,
                "clip_ids": list(deletion.clip_ids),
            },
        )
        self.hass.bus.async_fire(
            EVENT_SHARE_DELETED,
            {
                "config_entry_id": self.config_entry.entry_id,
                "share_id": deletion.share_id,
                "request_id": deletion.request_id,
                "reason": deletion.reason,
            },
        )

    # --------------------------------------------------------------- decisions
    @callback
    def async_restore_decision(self, request_id: str, decision: str) -> None:
        """After a restart, show decisions still waiting in the outbox."""
        self._local_status[request_id] = "shared" if decision == "share" else "declined"

    @callback
    def async_mark_decided(self, request_id: str, status: str) -> VideoRequest | None:
        """Reflect a queued decision at once and fire the matching event."""
        self._local_status[request_id] = status
        request = self.data.requests.get(request_id)
        if request is None:
            return None
        request = dataclasses.replace(request, status=status)
        self.data.requests[request_id] = request
        self._dispatch(signal_request(self.config_entry.entry_id), status, request)
        self.async_update_listeners()
        return request

    async def async_decision_settled(self, request_id: str) -> None:
        """The hub took (or refused for good) a queued decision: show its view."""
        self._local_status.pop(request_id, None)
        try:
            request = await self.client.get_request(request_id)
        except PorchlightError as err:
            LOGGER.debug("Could not refresh request %s: %s", request_id, err)
            return
        request = await self.trust.async_vet(request, self.data.requests.values())
        old = self.data.requests.get(request_id)
        self.data.requests[request_id] = request
        if request.status == "shared":
            # A share now exists at the hub: count it at once rather than at
            # the next resync.
            try:
                shares = await self.client.list_shares()
            except PorchlightError as err:
                LOGGER.debug("Could not refresh the shares: %s", err)
            else:
                self.data.shares = {s.share_id: s for s in shares}
        if old is not None and old.status != request.status:
            await self._updated(request)
        self.async_update_listeners()


def _created(request: VideoRequest) -> tuple[datetime, str]:
    return request.created_at, request.id
