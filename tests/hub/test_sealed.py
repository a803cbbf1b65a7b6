"""Ciphertext only: the hub stores and serves sealed clips and cannot open them."""

from __future__ import annotations

import hashlib
import io
import os
from datetime import timedelta
from typing import Any

from porchlight_hub import agecrypt

from .conftest import (
    SEALED,
    Client,
    HubHarness,
    HubMaker,
    call_raw,
    clip_bytes,
    clip_entry,
    files_under,
    open_request,
    upload,
)
from .test_openapi import Checked

WINDOW = 64


def footage(size: int) -> bytes:
    """Plaintext no 64-byte window of which occurs by chance elsewhere."""
    return os.urandom(size)


def windows(data: bytes) -> set[bytes]:
    return {data[i : i + WINDOW] for i in range(0, len(data) - WINDOW + 1)}


def leaks(plain: bytes, stored: bytes) -> bool:
    """Whether any 64-byte window of ``plain`` appears anywhere in ``stored``."""
    seen = windows(plain)
    return any(stored[i : i + WINDOW] in seen for i in range(len(stored) - WINDOW + 1))


async def decide_share(
    hub: HubHarness, home: Client, request_id: str, entries: list[dict[str, Any]]
) -> tuple[int, Any]:
    return await home.call(
        "POST",
        f"/api/v1/requests/{request_id}/decision",
        {"decision": "share", "idempotency_key": "sealed-key-01", "clips": entries},
    )


async def test_a_sealed_clip_is_stored_and_served_exactly_and_never_as_plaintext(
    hub: HubHarness,
) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    assert agency.identity is not None
    req = await open_request(hub, agency)
    _, delivered = await home.call("GET", f"/api/v1/requests/{req['id']}")
    plain = footage(200_000)
    out = io.BytesIO()
    agecrypt.encrypt(io.BytesIO(plain), out, [delivered["agency_recipient"]])
    sealed = out.getvalue()
    entry = clip_entry("c1", sealed, hub.clock.now() - timedelta(hours=2))
    entry["plaintext_sha256"] = hashlib.sha256(plain).hexdigest()
    status, share = await decide_share(hub, home, req["id"], [entry])
    assert status == 200, share
    status, body = await upload(home, share["share_id"], "c1", sealed)
    assert status == 201, body

    stored = [p.read_bytes() for p in files_under(hub.media)]
    assert stored == [sealed]  # exactly the ciphertext, once
    assert not any(leaks(plain, data) for data in stored)

    status, listing = await agency.call(
        "GET", f"/api/v1/agency/requests/{req['id']}/shares"
    )
    (clip,) = listing["shares"][0]["clips"]
    assert (clip["content_type"], clip["inner_content_type"]) == (SEALED, "video/mp4")
    assert clip["plaintext_sha256"] == hashlib.sha256(plain).hexdigest()
    assert clip["sha256"] == hashlib.sha256(sealed).hexdigest()
    assert clip["size"] == len(sealed)
    got = await call_raw(hub, "GET", clip["url"], headers=agency.headers)
    assert (got.status, got.content_type, got.body) == (200, SEALED, sealed)
    opened = io.BytesIO()
    agecrypt.decrypt(io.BytesIO(got.body), opened, [agency.identity.age_identity])
    assert opened.getvalue() == plain
    _, mine = await home.call("GET", f"/api/v1/shares/{share['share_id']}")
    assert mine["clips"][0]["plaintext_sha256"] == clip["plaintext_sha256"]


async def test_plaintext_clips_are_refused(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    api = Checked(hub)
    when = hub.clock.now() - timedelta(hours=2)
    for content_type in ("video/mp4", "image/jpeg"):
        entry = clip_entry("c1", b"plain footage", when, content_type)
        answer = await api(
            home,
            "POST",
            "/api/v1/requests/{request_id}/decision",
            422,
            {"decision": "share", "idempotency_key": "plain-key-1", "clips": [entry]},
            request_id=req["id"],
        )
        assert (answer["error"], answer["field"]) == (
            "unsealed_clip",
            "clips[0].content_type",
        )
    sealed = clip_entry("c1", clip_bytes(500), when)
    for missing in ("inner_content_type", "plaintext_sha256"):
        status, answer = await decide_share(
            hub, home, req["id"], [{k: v for k, v in sealed.items() if k != missing}]
        )
        assert status == 422, answer
        assert (answer["error"], answer["field"]) == (
            "missing_field",
            f"clips[0].{missing}",
        )
    status, answer = await decide_share(
        hub, home, req["id"], [{**sealed, "inner_content_type": "text/html"}]
    )
    assert (status, answer["error"]) == (422, "invalid_field")
    _, view = await home.call("GET", f"/api/v1/requests/{req['id']}")
    assert view["status"] == "pending"


async def test_bytes_that_are_not_an_age_file_are_not_stored(hub: HubHarness) -> None:
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    api = Checked(hub)
    plain = footage(5000)
    short = b"age-encryption"
    when = hub.clock.now() - timedelta(hours=2)
    entries = [
        clip_entry("plain", plain, when),
        clip_entry("short", short, when),
    ]
    status, share = await decide_share(hub, home, req["id"], entries)
    assert status == 200, share
    for clip_id, data in (("plain", plain), ("short", short)):
        answer = await api(
            home,
            "PUT",
            "/api/v1/shares/{share_id}/clips/{clip_id}",
            422,
            data=data,
            headers={"Content-Type": SEALED},
            share_id=share["share_id"],
            clip_id=clip_id,
        )
        assert answer["error"] == "unsealed_clip"
    assert files_under(hub.media) == []


async def test_an_operator_may_allow_unsealed_clips(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(allow_unsealed=True)
    home = await hub.add_home()
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    data = b"plain footage " * 50
    entry = clip_entry("c1", data, hub.clock.now() - timedelta(hours=2), "video/mp4")
    status, share = await decide_share(hub, home, req["id"], [entry])
    assert status == 200, share
    status, body = await upload(home, share["share_id"], "c1", data, "video/mp4")
    assert status == 201, body
    _, listing = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}/shares")
    (clip,) = listing["shares"][0]["clips"]
    assert (clip["content_type"], clip["inner_content_type"]) == ("video/mp4", None)
    assert clip["plaintext_sha256"] is None
    got = await call_raw(hub, "GET", clip["url"], headers=agency.headers)
    assert (got.status, got.body) == (200, data)


def test_the_leak_check_itself_finds_a_leak() -> None:
    plain = footage(1000)
    assert leaks(plain, b"x" * 100 + plain[300:400] + b"y")
    assert not leaks(plain, plain[300:363])
