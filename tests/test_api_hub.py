"""The API client against the REAL hub on 127.0.0.1, every method end to end.

The hub is the reference implementation of DESIGN.md §2.2: if the client and
the hub disagree about a path, a payload or an error code, these tests fail.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from custom_components.porchlight.api import (
    HubStream,
    PorchlightAuthError,
    PorchlightClient,
    PorchlightConflict,
    PorchlightConnectionError,
    PorchlightGone,
    PorchlightNotFound,
    PorchlightPairingError,
    PorchlightRequestError,
)
from custom_components.porchlight.models import (
    ShareAccess,
    ShareDeletion,
    StreamMessage,
    VideoRequest,
)
from custom_components.porchlight.sealing import Seal, digest_sealed, new_seed
from porchlight_hub import admin
from porchlight_hub.clock import ManualClock
from tests.conftest import serve_real_hub
from tests.e2e import unseal
from tests.hub.conftest import (
    CENTRE,
    START,
    Client,
    HubHarness,
    clip_bytes,
    offset,
    open_request,
)


@pytest.fixture
async def live_hub(tmp_path: Path, socket_enabled: None) -> AsyncIterator[HubHarness]:
    """A started reference hub on loopback with a manual clock."""
    async with serve_real_hub(tmp_path, ManualClock(START)) as hub:
        yield hub


async def _paired(hub: HubHarness, name: str = "Near") -> PorchlightClient:
    """Register a home as the operator would and pair it with the client."""
    lat, lon = offset(*CENTRE, north_m=100)
    new = await admin.add_home(hub.engine, name, lat, lon, clock=hub.clock)
    pairing = await PorchlightClient(hub.session, hub.url).pair(
        new.pairing_code, "Renamed at pairing", lat, lon
    )
    assert pairing.token not in repr(pairing)
    return PorchlightClient(hub.session, hub.url, pairing.token)


async def _next(stream: HubStream, type_: str) -> StreamMessage:
    """The next message of one type; heartbeats and others are passed over."""
    while True:
        message = await stream.receive()
        if message.type == type_:
            return message


@pytest.fixture
async def home(live_hub: HubHarness) -> PorchlightClient:
    return await _paired(live_hub)


@pytest.fixture
async def agency(live_hub: HubHarness) -> Client:
    return await live_hub.add_agency()


async def test_pair_twice_is_refused(live_hub: HubHarness) -> None:
    new = await admin.add_home(live_hub.engine, "H", *CENTRE, clock=live_hub.clock)
    client = PorchlightClient(live_hub.session, live_hub.url)
    await client.pair(new.pairing_code)
    with pytest.raises(PorchlightPairingError):
        await client.pair(new.pairing_code)


async def test_home_and_opt_out(home: PorchlightClient, live_hub: HubHarness) -> None:
    profile = await home.get_home()
    assert profile.name == "Renamed at pairing"
    assert profile.opted_out is False
    health = await home.health()
    assert profile.hub_id == health.hub_id
    async with home.stream() as stream:
        assert (await home.set_opted_out(True)).opted_out is True
        updated = await _next(stream, "home.updated")
        assert updated.data["opted_out"] is True
    assert (await home.get_home()).opted_out is True
    assert (await home.set_opted_out(False)).opted_out is False


async def test_requests_and_decline(
    home: PorchlightClient, agency: Client, live_hub: HubHarness
) -> None:
    async with home.stream() as stream:
        req = await open_request(live_hub, agency)
        received = await _next(stream, "request.received")
    delivered = VideoRequest.from_hub(received.data)
    assert delivered.id == req["id"]
    assert delivered.pending

    listed = await home.list_requests()
    assert [r.id for r in listed] == [req["id"]]
    assert [r.id for r in await home.list_requests("pending")] == [req["id"]]
    assert await home.list_requests("declined") == []
    with pytest.raises(PorchlightRequestError) as exc_info:
        await home.list_requests("bogus")
    assert (exc_info.value.status, exc_info.value.code) == (422, "invalid_field")

    one = await home.get_request(req["id"])
    assert one.case_number == "2026-0042"
    assert one.agency == "City Police"

    body = {"decision": "decline", "idempotency_key": "decline-0001"}
    answer = await home.decide(req["id"], body)
    assert answer == {
        "request_id": req["id"],
        "decision": "decline",
        "status": "declined",
    }
    # The outbox resends after an outage: the same key gives the same answer.
    assert await home.decide(req["id"], body) == answer
    with pytest.raises(PorchlightConflict) as exc_info:
        await home.decide(req["id"], {**body, "decision": "share"})
    assert exc_info.value.code == "idempotency_conflict"
    with pytest.raises(PorchlightConflict) as exc_info:
        await home.decide(
            req["id"], {"decision": "decline", "idempotency_key": "decline-0002"}
        )
    assert exc_info.value.code == "already_decided"
    assert (await home.get_request(req["id"])).status == "declined"
    assert [r.id for r in await home.list_requests("declined")] == [req["id"]]


async def test_unknown_ids_are_not_found(home: PorchlightClient) -> None:
    for call in (
        home.get_request("nope"),
        home.get_request("../../home"),
        home.decide("a/b", {"decision": "decline", "idempotency_key": "k-000001"}),
        home.get_alert("../requests"),
        home.comment_alert("nope", "hello"),
        home.revoke_share("shr/../x"),
    ):
        with pytest.raises(PorchlightNotFound):
            await call


def _sealed_entry(
    clip_id: str, path: Path, when: Any, agency: Client
) -> tuple[dict[str, Any], Seal]:
    """The manifest entry of ``path`` sealed to ``agency``, and its seal."""
    assert agency.identity is not None
    seal = Seal(agency.identity.recipient, new_seed())
    size, sha256, plain = digest_sealed(path, seal)
    entry = {
        "clip_id": clip_id,
        "camera": "Front door",
        "start": when.isoformat(),
        "end": (when + timedelta(seconds=10)).isoformat(),
        "content_type": "application/age",
        "inner_content_type": "video/mp4",
        "size": size,
        "sha256": sha256,
        "plaintext_sha256": plain,
    }
    return entry, seal


async def test_share_upload_access_revoke(
    home: PorchlightClient, agency: Client, live_hub: HubHarness, tmp_path: Path
) -> None:
    data = clip_bytes(600_000)  # more than two 256 KiB chunks
    clip = tmp_path / "front-door.mp4"
    clip.write_bytes(data)
    req = await open_request(live_hub, agency)
    when = live_hub.clock.now() - timedelta(hours=2)
    entry, seal = _sealed_entry("c1", clip, when, agency)
    body = {
        "decision": "share",
        "idempotency_key": "share-0001",
        "retention_days": 7,
        "clips": [entry],
    }
    async with home.stream() as stream:
        answer = await home.decide(req["id"], body)
        share_id = answer["share_id"]
        assert answer["status"] == "uploading"
        assert answer["retention_days"] == 7

        # A wrong content type is refused before a byte is stored.
        with pytest.raises(PorchlightRequestError) as exc_info:
            await home.upload_clip(
                share_id, "c1", clip, "video/mp4", len(data), seal=seal
            )
        assert exc_info.value.status == 415

        stored = await home.upload_clip(
            share_id, "c1", clip, "application/age", len(data), seal=seal
        )
        assert stored == {
            "clip_id": "c1",
            "status": "stored",
            "share_status": "complete",
        }

        shares = await home.list_shares()
        assert [s.share_id for s in shares] == [share_id]
        assert shares[0].active
        assert shares[0].clips[0].uploaded
        assert shares[0].clips[0].sha256 == entry["sha256"]
        assert shares[0].clips[0].plaintext_sha256 == hashlib.sha256(data).hexdigest()
        assert shares[0].clips[0].shown_content_type == "video/mp4"

        status, listing = await agency.call(
            "GET", f"/api/v1/agency/requests/{req['id']}/shares"
        )
        assert status == 200, listing
        url = listing["shares"][0]["clips"][0]["url"]
        status, download = await agency.call("GET", url)
        assert status == 200
        assert hashlib.sha256(download).hexdigest() == entry["sha256"]
        assert unseal(agency, download) == data
        accessed = ShareAccess.from_hub((await _next(stream, "share.accessed")).data)
        assert (accessed.share_id, accessed.clip_id) == (share_id, "c1")

        revoked = await home.revoke_share(share_id)
        assert revoked.status == "revoked"
        assert not revoked.active
        assert revoked.deleted_at is not None
        deleted = ShareDeletion.from_hub((await _next(stream, "share.deleted")).data)
        assert (deleted.share_id, deleted.reason, deleted.clip_ids) == (
            share_id,
            "revoked",
            ("c1",),
        )

    status, _ = await agency.call("GET", url)
    assert status == 410
    with pytest.raises(PorchlightGone):
        await home.upload_clip(
            share_id, "c1", clip, "application/age", len(data), seal=seal
        )
    # Revoking again is harmless and answers with the ended share.
    assert (await home.revoke_share(share_id)).status == "revoked"
    assert [s.status for s in await home.list_shares()] == ["revoked"]


async def test_upload_checksum_mismatch_is_refused(
    home: PorchlightClient, agency: Client, live_hub: HubHarness, tmp_path: Path
) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(clip_bytes(1000))
    req = await open_request(live_hub, agency)
    when = live_hub.clock.now() - timedelta(hours=2)
    entry, seal = _sealed_entry("c1", clip, when, agency)
    answer = await home.decide(
        req["id"],
        {"decision": "share", "idempotency_key": "share-0002", "clips": [entry]},
    )
    # The file changed after the manifest was sent: its ciphertext differs.
    clip.write_bytes(clip_bytes(1000, seed=1))
    sealed = "application/age"
    with pytest.raises(PorchlightRequestError) as exc_info:
        await home.upload_clip(answer["share_id"], "c1", clip, sealed, 1000, seal=seal)
    assert 400 <= exc_info.value.status < 500
    assert exc_info.value.code is not None
    with pytest.raises(PorchlightNotFound):
        await home.upload_clip(answer["share_id"], "c2", clip, sealed, 1000, seal=seal)


async def test_alerts(home: PorchlightClient, live_hub: HubHarness) -> None:
    neighbour = await _paired(live_hub, "Neighbour")
    async with neighbour.stream() as stream:
        alert = await home.post_alert("suspicious", "White van", "Slow, twice")
        created = await _next(stream, "alert.created")
    assert created.data["id"] == alert.id
    assert alert.mine
    assert alert.category == "suspicious"
    assert alert.description == "Slow, twice"
    assert alert.distance_m is not None
    assert alert.distance_m < 100  # coarsened to a ~100 m grid

    listed = await neighbour.list_alerts(1600)
    assert [a.id for a in listed] == [alert.id]
    assert not listed[0].mine
    assert await neighbour.list_alerts(1600, since=START + timedelta(hours=1)) == []
    assert [a.id for a in await neighbour.list_alerts(1600, since=START)] == [alert.id]
    assert len(await neighbour.list_alerts(1600, limit=1)) == 1

    with pytest.raises(PorchlightRequestError) as exc_info:
        await home.post_alert("police", "Only agencies may")
    assert exc_info.value.status == 422

    comment = await neighbour.comment_alert(alert.id, "Seen it too")
    assert comment.mine
    assert comment.alert_id == alert.id
    got, comments = await home.get_alert(alert.id)
    assert got.id == alert.id
    assert [(c.text, c.mine) for c in comments] == [("Seen it too", False)]

    plain = await home.post_alert("lost_pet", "Grey cat")
    assert plain.description == ""


async def test_wrong_token(live_hub: HubHarness) -> None:
    client = PorchlightClient(live_hub.session, live_hub.url, "not-a-token")
    with pytest.raises(PorchlightAuthError) as exc_info:
        await client.get_home()
    assert exc_info.value.code == "invalid_token"
    with pytest.raises(PorchlightAuthError) as exc_info:
        async with client.stream():
            pytest.fail("the stream must not open")
    assert exc_info.value.status == 401
    anonymous = PorchlightClient(live_hub.session, live_hub.url)
    with pytest.raises(PorchlightAuthError):
        async with anonymous.stream():
            pytest.fail("the stream must not open")


async def test_stream_silence_and_shutdown(
    home: PorchlightClient, live_hub: HubHarness
) -> None:
    # The hub's heartbeat is 30 s; 0.2 s of silence must count as a dead line.
    async with home.stream(receive_timeout=0.2) as stream:
        with pytest.raises(PorchlightConnectionError, match="Nothing from the hub"):
            await stream.receive()
    async with home.stream() as stream:
        await live_hub.stop()
        with pytest.raises(PorchlightConnectionError, match="closed the stream"):
            await stream.receive()
    with pytest.raises(PorchlightConnectionError):
        await home.get_home()
    with pytest.raises(PorchlightConnectionError):
        async with home.stream():
            pytest.fail("the stream must not open")
