"""Shares: upload, download by the agency, pseudonyms, revocation, bad uploads."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from .conftest import (
    CENTRE,
    Client,
    HubHarness,
    HubMaker,
    clip_bytes,
    clip_entry,
    files_under,
    make_share,
    offset,
    open_request,
    shared_clip,
    upload,
)


def nothing_stored(hub: HubHarness) -> None:
    """No clip file and no half-written upload anywhere under the media dir."""
    assert files_under(hub.media / "shares") == []
    assert list((hub.media / "tmp").glob("*.part")) == []


async def listing(agency: Client, request_id: str) -> dict[str, Any]:
    status, body = await agency.call(
        "GET", f"/api/v1/agency/requests/{request_id}/shares"
    )
    assert status == 200, body
    return dict(body)


async def report_for(hub: HubHarness, agency_name: str) -> dict[str, Any]:
    """The agency's exact report figures (the published ones read "<5")."""
    status, report = await hub.call("GET", "/api/v1/transparency")
    assert status == 200
    assert [a for a in report["agencies"] if a["agency"] == agency_name]
    return (await hub.counts())[agency_name]


async def chunks(data: bytes, size: int = 8192) -> AsyncIterator[bytes]:
    """Send ``data`` chunked, without a Content-Length."""
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def test_agency_downloads_identical_bytes_and_home_hears_of_it(
    hub: HubHarness,
) -> None:
    home = await hub.add_home("Near", *offset(*CENTRE, north_m=100))
    agency = await hub.add_agency("City Police")
    stream = await home.stream()
    data = clip_bytes(300_000, seed=7)
    req, share = await shared_clip(hub, home, agency, data, clip_id="front-1")

    (entry,) = (await listing(agency, req["id"]))["shares"]
    (clip,) = entry["clips"]
    assert clip["available"] is True
    assert clip["sha256"] == hashlib.sha256(data).hexdigest()
    status, body = await agency.call("GET", clip["url"])
    assert status == 200
    assert body == data
    assert hashlib.sha256(body).hexdigest() == clip["sha256"]

    accessed = await stream.next("share.accessed")
    assert accessed["data"]["clip_id"] == "front-1"
    assert accessed["data"]["share_id"] == share["share_id"]
    assert accessed["data"]["agency"] == "City Police"
    assert accessed["data"]["accessed_at"] == "2026-06-01T12:00:00Z"
    assert (await report_for(hub, "City Police"))["clip_accesses"] == 1

    status, _ = await agency.call("GET", clip["url"])
    assert status == 200
    await stream.next("share.accessed")
    assert (await report_for(hub, "City Police"))["clip_accesses"] == 2


async def test_share_is_uploading_until_every_clip_arrived(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    first, second = clip_bytes(5000, 1), clip_bytes(7000, 2)
    share = await make_share(hub, home, req["id"], {"a": first, "b": second})
    assert share["status"] == "uploading"
    path = f"/api/v1/shares/{share['share_id']}"

    status, up = await upload(home, share["share_id"], "a", first)
    assert (status, up["share_status"]) == (201, "uploading")
    status, body = await home.call("GET", path)
    assert status == 200
    assert body["status"] == "uploading"
    assert {c["clip_id"]: c["uploaded"] for c in body["clips"]} == {
        "a": True,
        "b": False,
    }

    status, up = await upload(home, share["share_id"], "b", second)
    assert (status, up["share_status"]) == (201, "complete")
    status, body = await home.call("GET", path)
    assert body["status"] == "complete"
    assert all(c["uploaded"] for c in body["clips"])


async def test_reuploading_a_stored_clip_is_ok_and_not_duplicated(
    hub: HubHarness,
) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    data = clip_bytes(4000)
    req, share = await shared_clip(hub, home, agency, data)

    status, body = await upload(home, share["share_id"], "c1", data)
    assert status == 200, body
    assert body["status"] == "stored"
    assert len(files_under(hub.media / "shares" / share["share_id"])) == 1
    assert list((hub.media / "tmp").glob("*.part")) == []
    _, mine = await home.call("GET", f"/api/v1/shares/{share['share_id']}")
    assert [c["clip_id"] for c in mine["clips"]] == ["c1"]
    (entry,) = (await listing(agency, req["id"]))["shares"]
    assert len(entry["clips"]) == 1
    assert (await report_for(hub, "City Police"))["clips_shared"] == 1


async def test_agency_sees_stable_pseudonyms_never_identities(
    hub: HubHarness,
) -> None:
    alice = await hub.add_home("Alice Cottage", *offset(*CENTRE, north_m=50))
    bob = await hub.add_home("Bob Bungalow", *offset(*CENTRE, east_m=-80))
    agency = await hub.add_agency()
    other_agency = await hub.add_agency("County Sheriff", "sheriff")

    req = await open_request(hub, agency)
    await make_share(hub, alice, req["id"], {"a1": clip_bytes(100, 1)})
    await make_share(hub, bob, req["id"], {"b1": clip_bytes(100, 2)})
    body = await listing(agency, req["id"])
    assert len(body["shares"]) == 2
    names = sorted(s["neighbour"] for s in body["shares"])
    assert names == ["Neighbour 1", "Neighbour 2"]
    text = json.dumps(body)
    for secret in ("Alice", "Bob", alice.id, bob.id, alice.secret, bob.secret):
        assert secret not in text
    alice_name = next(
        s["neighbour"]
        for s in body["shares"]
        if s["clips"][0]["sha256"] == hashlib.sha256(clip_bytes(100, 1)).hexdigest()
    )

    # The same home keeps its number on a later request of the same agency.
    again = await listing(agency, req["id"])
    assert again["shares"] == body["shares"]
    later = await open_request(hub, agency, case_number="2026-0099")
    await make_share(hub, alice, later["id"], {"a2": clip_bytes(100, 3)})
    (entry,) = (await listing(agency, later["id"]))["shares"]
    assert entry["neighbour"] == alice_name

    # Numbers are per agency: the first home to share with another is 1 there.
    third = await open_request(hub, other_agency)
    await make_share(hub, bob, third["id"], {"b2": clip_bytes(100, 4)})
    (entry,) = (await listing(other_agency, third["id"]))["shares"]
    assert entry["neighbour"] == "Neighbour 1"
    assert "Bob" not in json.dumps(entry)


async def test_clip_not_uploaded_yet_is_409(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    await make_share(hub, home, req["id"], {"c1": clip_bytes(1000)})
    (entry,) = (await listing(agency, req["id"]))["shares"]
    (clip,) = entry["clips"]
    assert clip["available"] is False
    assert clip["url"] is None
    status, body = await agency.call("GET", f"/api/v1/agency/clips/{clip['id']}")
    assert status == 409
    assert body["error"] == "not_uploaded"


async def test_other_agency_cannot_fetch_a_clip(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    other = await hub.add_agency("Elsewhere PD")
    req, _ = await shared_clip(hub, home, agency, clip_bytes(1000))
    (entry,) = (await listing(agency, req["id"]))["shares"]
    status, body = await other.call("GET", entry["clips"][0]["url"])
    assert status == 404, body
    status, _ = await other.call("GET", f"/api/v1/agency/requests/{req['id']}/shares")
    assert status == 404


async def test_revoke_deletes_files_and_cuts_the_agency_off(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    stream = await home.stream()
    req = await open_request(hub, agency)
    first, second = clip_bytes(2000, 1), clip_bytes(3000, 2)
    share = await make_share(hub, home, req["id"], {"a": first, "b": second})
    share_id = share["share_id"]
    assert (await upload(home, share_id, "a", first))[0] == 201
    folder = hub.media / "shares" / share_id
    assert len(files_under(folder)) == 1
    (entry,) = (await listing(agency, req["id"]))["shares"]
    url = next(c["url"] for c in entry["clips"] if c["url"])
    assert (await agency.call("GET", url))[0] == 200

    status, body = await home.call("DELETE", f"/api/v1/shares/{share_id}")
    assert status == 200, body
    assert body["status"] == "revoked"
    assert body["deleted_reason"] == "revoked"
    assert not folder.exists()
    deleted = await stream.next("share.deleted")
    assert deleted["data"]["share_id"] == share_id
    assert deleted["data"]["reason"] == "revoked"
    assert sorted(deleted["data"]["clip_ids"]) == ["a", "b"]

    status, body = await agency.call("GET", url)
    assert status == 410, body
    (entry,) = (await listing(agency, req["id"]))["shares"]
    assert entry["status"] == "revoked"
    assert all(c["url"] is None for c in entry["clips"])

    status, again = await home.call("DELETE", f"/api/v1/shares/{share_id}")
    assert status == 200
    assert again["status"] == "revoked"
    await stream.nothing("share.deleted")

    status, body = await upload(home, share_id, "b", second)
    assert status == 410, body
    nothing_stored(hub)
    report = await report_for(hub, "City Police")
    assert report["clips_revoked"] == 1
    assert report["clips_deleted_on_schedule"] == 0


async def test_upload_to_another_homes_share_is_404(hub: HubHarness) -> None:
    owner = await hub.add_home("Owner")
    stranger = await hub.add_home("Stranger")
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    data = clip_bytes(1000)
    share = await make_share(hub, owner, req["id"], {"c1": data})
    status, body = await upload(stranger, share["share_id"], "c1", data)
    assert status == 404, body
    status, _ = await stranger.call("DELETE", f"/api/v1/shares/{share['share_id']}")
    assert status == 404
    status, _ = await stranger.call("GET", f"/api/v1/shares/{share['share_id']}")
    assert status == 404
    status, _ = await upload(owner, share["share_id"], "no-such-clip", data)
    assert status == 404
    nothing_stored(hub)


async def test_uploads_that_do_not_match_the_manifest_leave_nothing(
    hub: HubHarness,
) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    data = clip_bytes(50_000, 3)
    share = await make_share(hub, home, req["id"], {"c1": data})
    sid = share["share_id"]
    tampered = bytearray(data)
    tampered[1234] ^= 0xFF
    cases: list[tuple[Any, str]] = [
        (data[:-1], "size_mismatch"),
        (data + b"x", "size_mismatch"),
        (bytes(tampered), "sha256_mismatch"),
        (chunks(data[:-100]), "size_mismatch"),
        (chunks(data + b"more"), "size_mismatch"),
        (chunks(bytes(tampered)), "sha256_mismatch"),
    ]
    for body, error in cases:
        status, answer = await upload(home, sid, "c1", body)
        assert (status, answer["error"]) == (422, error), answer
        nothing_stored(hub)

    _, mine = await home.call("GET", f"/api/v1/shares/{sid}")
    assert mine["clips"][0]["uploaded"] is False
    status, _ = await upload(home, sid, "c1", chunks(data))
    assert status == 201
    assert len(files_under(hub.media / "shares" / sid)) == 1


async def test_wrong_content_type_is_415(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    data = clip_bytes(1000)
    share = await make_share(hub, home, req["id"], {"c1": data})
    status, body = await upload(home, share["share_id"], "c1", data, "image/jpeg")
    assert status == 415, body
    assert body["error"] == "content_type_mismatch"
    status, body = await upload(
        home, share["share_id"], "c1", data, "application/octet-stream"
    )
    assert status == 415, body
    nothing_stored(hub)


async def test_uploads_over_the_size_limit_are_413(tuned_hub: HubMaker) -> None:
    limit = 64 * 1024
    hub = await tuned_hub(max_clip_bytes=limit)
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    small = clip_bytes(32 * 1024, 1)
    exact = clip_bytes(limit, 2)
    share = await make_share(hub, home, req["id"], {"small": small, "exact": exact})
    sid = share["share_id"]

    # Announced by Content-Length: refused before reading the body.
    status, body = await upload(home, sid, "small", clip_bytes(limit + 40_000, 1))
    assert status == 413, body
    assert body["error"] == "payload_too_large"
    nothing_stored(hub)

    # Chunked, no Content-Length: refused as soon as the limit is passed. The
    # manifest promises exactly the limit, so the first byte too many breaks
    # both the limit and the promise; the limit is what the hub reports.
    status, body = await upload(home, sid, "exact", chunks(exact + b"!" * 20_000))
    assert status == 413, body
    assert body["error"] == "payload_too_large"
    nothing_stored(hub)

    # A manifest beyond the limit is refused when sharing.
    big = clip_bytes(limit + 1, 3)
    other = await open_request(hub, agency, case_number="X-2")
    status, body = await home.call(
        "POST",
        f"/api/v1/requests/{other['id']}/decision",
        {
            "decision": "share",
            "idempotency_key": "too-big-0001",
            "clips": [clip_entry("big", big, hub.clock.now() - timedelta(hours=2))],
        },
    )
    assert status == 413, body
    assert body["error"] == "clip_too_large"

    # Within the limit, both still upload fine afterwards.
    assert (await upload(home, sid, "small", small))[0] == 201
    assert (await upload(home, sid, "exact", chunks(exact)))[0] == 201
