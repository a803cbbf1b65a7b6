"""A home's decision: once per request, safe to retry, checked before stored."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from .conftest import (
    CENTRE,
    Client,
    HubHarness,
    HubMaker,
    call_raw,
    clip_bytes,
    clip_entry,
    iso,
    offset,
    open_request,
)

DATA = clip_bytes(5000, seed=11)


def decision_path(request_id: str) -> str:
    return f"/api/v1/requests/{request_id}/decision"


def share_body(hub: HubHarness, key: str = "share-key-0001", **extra: Any) -> Any:
    """A share of one clip recorded two hours ago, inside the default window."""
    clip = clip_entry("c1", DATA, hub.clock.now() - timedelta(hours=2))
    return {"decision": "share", "idempotency_key": key, "clips": [clip], **extra}


def decline_body(key: str = "decline-key-0001") -> dict[str, str]:
    return {"decision": "decline", "idempotency_key": key}


async def setup(hub: HubHarness) -> tuple[Client, Client, str]:
    """A home inside the circle, an agency, and its open request."""
    home = await hub.add_home("Near", *offset(*CENTRE, north_m=80))
    agency = await hub.add_agency()
    req = await open_request(hub, agency)
    return home, agency, req["id"]


async def decide_raw(hub: HubHarness, home: Client, request_id: str, body: Any) -> Any:
    return await call_raw(
        hub,
        "POST",
        decision_path(request_id),
        data=json.dumps(body),
        headers={**home.headers, "Content-Type": "application/json"},
    )


async def decide(
    home: Client, request_id: str, body: dict[str, Any]
) -> tuple[int, Any]:
    return await home.call("POST", decision_path(request_id), body)


async def share_count(home: Client) -> int:
    status, body = await home.call("GET", "/api/v1/shares")
    assert status == 200
    return int(body["count"])


def assert_error(status: int, body: Any, expected: int, code: str) -> None:
    assert status == expected, body
    assert body["error"] == code, body
    assert body["message"]


@pytest.mark.parametrize("kind", ["share", "decline"])
async def test_retry_with_the_same_key_gives_the_same_answer(
    hub: HubHarness, kind: str
) -> None:
    home, _agency, request_id = await setup(hub)
    body = share_body(hub) if kind == "share" else decline_body()
    first = await decide_raw(hub, home, request_id, body)
    assert first.status == 200, first.body
    hub.clock.advance(timedelta(minutes=5))  # a retry comes later
    second = await decide_raw(hub, home, request_id, body)
    assert second.status == 200, second.body
    assert second.body == first.body
    # Key order in the body does not make it a different decision.
    reordered = dict(reversed(list(body.items())))
    third = await decide_raw(hub, home, request_id, reordered)
    assert third.body == first.body
    assert await share_count(home) == (1 if kind == "share" else 0)


async def test_retry_survives_a_restart(hub: HubHarness) -> None:
    home, _agency, request_id = await setup(hub)
    body = share_body(hub)
    first = await decide_raw(hub, home, request_id, body)
    assert first.status == 200, first.body
    await hub.restart()
    second = await decide_raw(hub, home, request_id, body)
    assert second.body == first.body
    assert await share_count(home) == 1


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda b: {**b, "retention_days": 7}, id="retention"),
        pytest.param(lambda b: {**b, "decision": "decline"}, id="decision"),
        pytest.param(
            lambda b: {**b, "clips": [{**b["clips"][0], "camera": "Back door"}]},
            id="clip",
        ),
    ],
)
async def test_same_key_different_body_is_a_conflict(
    hub: HubHarness, change: Callable[[dict[str, Any]], dict[str, Any]]
) -> None:
    home, _agency, request_id = await setup(hub)
    body = share_body(hub)
    status, first = await decide(home, request_id, body)
    assert status == 200, first
    status, answer = await decide(home, request_id, change(body))
    assert_error(status, answer, 409, "idempotency_conflict")
    assert await share_count(home) == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param("share", "share", id="share-then-share"),
        pytest.param("share", "decline", id="share-then-decline"),
        pytest.param("decline", "share", id="decline-then-share"),
        pytest.param("decline", "decline", id="decline-then-decline"),
    ],
)
async def test_a_second_decision_is_refused(
    hub: HubHarness, first: str, second: str
) -> None:
    home, agency, request_id = await setup(hub)

    def body(kind: str, key: str) -> Any:
        return share_body(hub, key) if kind == "share" else decline_body(key)

    status, answer = await decide(home, request_id, body(first, "first-key-01"))
    assert status == 200, answer
    status, answer = await decide(home, request_id, body(second, "second-key-01"))
    assert_error(status, answer, 409, "already_decided")
    assert await share_count(home) == (1 if first == "share" else 0)
    counts = await hub.decisions(request_id)
    assert (counts["share"], counts["decline"]) == (
        (1, 0) if first == "share" else (0, 1)
    )
    _, view = await agency.call("GET", f"/api/v1/agency/requests/{request_id}")
    assert view["shares"] == "<5"


async def test_decline_is_visible_to_home_and_agency(hub: HubHarness) -> None:
    home, agency, request_id = await setup(hub)
    status, answer = await decide(home, request_id, decline_body())
    assert status == 200, answer
    assert answer["status"] == "declined"
    assert "share_id" not in answer
    _, listing = await home.call("GET", "/api/v1/requests")
    assert [r["status"] for r in listing["requests"]] == ["declined"]
    _, declined = await home.call(
        "GET", "/api/v1/requests", params={"status": "declined"}
    )
    assert declined["count"] == 1
    _, pending = await home.call(
        "GET", "/api/v1/requests", params={"status": "pending"}
    )
    assert pending["count"] == 0
    assert await hub.decisions(request_id) == {"share": 0, "decline": 1}
    # The agency learns nothing of the decline: not per request, and in the
    # report only once the week is over, as a k-anonymous count.
    _, view = await agency.call("GET", f"/api/v1/agency/requests/{request_id}")
    assert "declines" not in view
    assert view["shares"] == "<5"
    _, report = await hub.call("GET", "/api/v1/transparency")
    assert report["agencies"][0]["declines_by_week"] == []
    assert await share_count(home) == 0


@pytest.mark.parametrize("kind", ["share", "decline"])
async def test_decision_on_a_withdrawn_request(hub: HubHarness, kind: str) -> None:
    home, agency, request_id = await setup(hub)
    stream = await home.stream()
    status, answer = await agency.call(
        "POST", f"/api/v1/agency/requests/{request_id}/withdraw", {}
    )
    assert status == 200, answer
    updated = await stream.next("request.updated")
    assert updated["data"]["status"] == "withdrawn"
    body = share_body(hub) if kind == "share" else decline_body()
    status, answer = await decide(home, request_id, body)
    assert_error(status, answer, 409, "request_closed")
    assert await share_count(home) == 0


async def test_decision_on_an_expired_request(hub: HubHarness) -> None:
    home, _agency, request_id = await setup(hub)
    stream = await home.stream()
    hub.clock.advance(timedelta(days=13, hours=23))
    await stream.nothing("request.updated")
    hub.clock.advance(timedelta(hours=1))
    updated = await stream.next("request.updated")
    assert updated["data"]["id"] == request_id
    assert updated["data"]["status"] == "expired"
    assert updated["data"]["request_status"] == "expired"
    for body in (share_body(hub), decline_body()):
        status, answer = await decide(home, request_id, body)
        assert_error(status, answer, 409, "request_closed")
    _, listing = await home.call(
        "GET", "/api/v1/requests", params={"status": "expired"}
    )
    assert listing["count"] == 1
    assert await share_count(home) == 0


async def test_decision_just_before_expiry_is_taken(hub: HubHarness) -> None:
    home, _agency, request_id = await setup(hub)
    hub.clock.advance(timedelta(days=14) - timedelta(seconds=1))
    status, answer = await decide(home, request_id, decline_body())
    assert status == 200, answer


def clip_at(hub: HubHarness, clip_id: str = "c1", **changes: Any) -> dict[str, Any]:
    clip = clip_entry(clip_id, DATA, hub.clock.now() - timedelta(hours=2))
    return {**clip, **changes}


ManifestCase = Callable[[HubHarness], list[dict[str, Any]]]

BAD_MANIFESTS: list[Any] = [
    pytest.param(lambda h: [], 422, "invalid_field", id="no-clips"),
    pytest.param(
        lambda h: [clip_at(h), clip_at(h)], 422, "invalid_field", id="duplicate-id"
    ),
    pytest.param(
        lambda h: [
            clip_at(
                h,
                start=iso(h.clock.now() - timedelta(hours=5)),
                end=iso(h.clock.now() - timedelta(hours=4)),
            )
        ],
        422,
        "clip_outside_window",
        id="before-window",
    ),
    pytest.param(
        lambda h: [
            clip_at(
                h,
                start=iso(h.clock.now() - timedelta(minutes=30)),
                end=iso(h.clock.now() - timedelta(minutes=29)),
            )
        ],
        422,
        "clip_outside_window",
        id="after-window",
    ),
    pytest.param(
        lambda h: [
            clip_at(h),
            clip_at(
                h,
                "c2",
                start=iso(h.clock.now() - timedelta(minutes=50)),
                end=iso(h.clock.now() - timedelta(minutes=49)),
            ),
        ],
        422,
        "clip_outside_window",
        id="second-clip-outside",
    ),
    pytest.param(
        lambda h: [
            clip_at(
                h,
                start=iso(h.clock.now() - timedelta(hours=2)),
                end=iso(h.clock.now() - timedelta(hours=2, minutes=1)),
            )
        ],
        422,
        "invalid_field",
        id="end-before-start",
    ),
    pytest.param(
        lambda h: [clip_at(h, sha256="abc")], 422, "invalid_field", id="sha-short"
    ),
    pytest.param(
        lambda h: [clip_at(h, sha256="g" * 64)], 422, "invalid_field", id="sha-not-hex"
    ),
    pytest.param(
        lambda h: [clip_at(h, content_type="video/avi")],
        422,
        "invalid_field",
        id="content-type-avi",
    ),
    pytest.param(
        lambda h: [clip_at(h, content_type="text/html")],
        422,
        "invalid_field",
        id="content-type-html",
    ),
    pytest.param(lambda h: [clip_at(h, size=0)], 422, "invalid_field", id="size-0"),
    pytest.param(
        lambda h: [clip_at(h, size=10.5)], 422, "invalid_field", id="size-frac"
    ),
    pytest.param(
        lambda h: [clip_at(h, clip_id="../../etc/passwd")],
        422,
        "invalid_field",
        id="clip-id-path",
    ),
    pytest.param(
        lambda h: [clip_at(h, size=h.settings.max_clip_bytes + 1)],
        413,
        "clip_too_large",
        id="over-hub-limit",
    ),
]


@pytest.mark.parametrize(("clips", "status", "code"), BAD_MANIFESTS)
async def test_bad_manifest_is_refused_and_nothing_is_decided(
    hub: HubHarness, clips: ManifestCase, status: int, code: str
) -> None:
    home, _agency, request_id = await setup(hub)
    body = {
        "decision": "share",
        "idempotency_key": "manifest-0001",
        "clips": clips(hub),
    }
    got, answer = await decide(home, request_id, body)
    assert_error(got, answer, status, code)
    assert await share_count(home) == 0
    # The refusal decided nothing: the request is still pending, and the same
    # key may carry a corrected manifest.
    _, view = await home.call("GET", f"/api/v1/requests/{request_id}")
    assert view["status"] == "pending"
    got, answer = await decide(home, request_id, share_body(hub, "manifest-0001"))
    assert got == 200, answer
    assert (await hub.decisions(request_id))["share"] == 1


async def test_clip_at_the_window_edges_is_accepted(hub: HubHarness) -> None:
    home, _agency, request_id = await setup(hub)
    _, req = await home.call("GET", f"/api/v1/requests/{request_id}")
    start, end = req["window_start"], req["window_end"]
    clips = [
        clip_at(
            hub,
            "edge-start",
            start=iso(hub.clock.now() - timedelta(hours=4)),
            end=start,
        ),
        clip_at(hub, "edge-end", start=end, end=iso(hub.clock.now())),
    ]
    status, answer = await decide(
        home,
        request_id,
        {"decision": "share", "idempotency_key": "edges-0001", "clips": clips},
    )
    assert status == 200, answer
    assert {c["clip_id"] for c in answer["clips"]} == {"edge-start", "edge-end"}


async def test_clip_limit_follows_the_hub_setting(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(max_clip_bytes=4096)
    home, _agency, request_id = await setup(hub)
    status, answer = await decide(home, request_id, share_body(hub))
    assert_error(status, answer, 413, "clip_too_large")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("short", id="too-short"),
        pytest.param("k" * 129, id="too-long"),
        pytest.param("has space 123", id="space"),
        pytest.param("slash/key/123", id="slash"),
        pytest.param("", id="empty"),
    ],
)
async def test_bad_idempotency_key_is_422(hub: HubHarness, key: str) -> None:
    home, _agency, request_id = await setup(hub)
    status, answer = await decide(home, request_id, decline_body(key))
    assert_error(status, answer, 422, "invalid_field")
    assert answer["field"] == "idempotency_key"
    _, view = await home.call("GET", f"/api/v1/requests/{request_id}")
    assert view["status"] == "pending"


@pytest.mark.parametrize("key", ["k" * 8, "k" * 128, "ha-2026:06.01_x"])
async def test_good_idempotency_keys(hub: HubHarness, key: str) -> None:
    home, _agency, request_id = await setup(hub)
    status, answer = await decide(home, request_id, decline_body(key))
    assert status == 200, answer


async def test_unknown_request_is_404(hub: HubHarness) -> None:
    home, _agency, _request_id = await setup(hub)
    status, answer = await decide(home, "req_0000000000000000", decline_body())
    assert_error(status, answer, 404, "not_found")
