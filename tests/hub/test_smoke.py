"""The basic journey: pair, request, stream, seal, share, upload, download, open."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta

from porchlight_hub import agecrypt

from .conftest import CENTRE, SEALED, HubHarness, clip_bytes, iso, offset


async def test_share_journey(hub: HubHarness) -> None:
    home = await hub.add_home("Near", *offset(*CENTRE, north_m=100))
    agency = await hub.add_agency()
    stream = await home.stream()
    status, req = await agency.call(
        "POST", "/api/v1/agency/requests", hub.request_body()
    )
    assert status == 201, req
    assert await hub.reached(req["id"]) == 1
    received = await stream.next("request.received")
    assert received["data"]["id"] == req["id"]
    footage = clip_bytes(100_000)[len(agecrypt.MAGIC) :]
    sealed = io.BytesIO()
    recipient = received["data"]["agency_recipient"]
    agecrypt.encrypt(io.BytesIO(footage), sealed, [recipient])
    data = sealed.getvalue()
    now = hub.clock.now()
    clip = {
        "clip_id": "c1",
        "camera": "Front door",
        "start": iso(now - timedelta(hours=2)),
        "end": iso(now - timedelta(hours=2) + timedelta(seconds=10)),
        "content_type": SEALED,
        "inner_content_type": "video/mp4",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "plaintext_sha256": hashlib.sha256(footage).hexdigest(),
    }
    status, share = await home.call(
        "POST",
        f"/api/v1/requests/{req['id']}/decision",
        {"decision": "share", "idempotency_key": "key-00001", "clips": [clip]},
    )
    assert status == 200, share
    status, up = await home.call(
        "PUT",
        f"/api/v1/shares/{share['share_id']}/clips/c1",
        data=data,
        headers={"Content-Type": SEALED},
    )
    assert status == 201, up
    status, listing = await agency.call(
        "GET", f"/api/v1/agency/requests/{req['id']}/shares"
    )
    assert status == 200
    url = listing["shares"][0]["clips"][0]["url"]
    status, body = await agency.call("GET", url)
    assert status == 200
    assert body == data
    assert agency.identity is not None
    opened = io.BytesIO()
    agecrypt.decrypt(io.BytesIO(body), opened, [agency.identity.age_identity])
    assert opened.getvalue() == footage
    accessed = await stream.next("share.accessed")
    assert accessed["data"]["clip_id"] == "c1"
