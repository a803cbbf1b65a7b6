"""Agencies learn only what they need: k-anonymous counts, weekly declines (§2.5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from porchlight_hub.api.transparency import week_index, week_label
from porchlight_hub.views import k_anon

from .conftest import (
    CENTRE,
    START,
    Client,
    HubHarness,
    clip_bytes,
    make_share,
    offset,
    open_request,
)


def test_small_counts_read_below_five() -> None:
    assert [k_anon(n) for n in range(7)] == ["<5", "<5", "<5", "<5", "<5", 5, 6]


def test_iso_weeks() -> None:
    # 2026-06-01 is a Monday: week 23 of 2026; the Sunday before is week 22.
    monday = START.replace(hour=0)
    assert week_label(week_index(monday.timestamp())) == "2026-W23"
    assert week_label(week_index(monday.timestamp() - 1)) == "2026-W22"
    assert week_label(week_index((monday + timedelta(days=7)).timestamp())) == (
        "2026-W24"
    )
    # Around the new year ISO weeks belong to the year of their Thursday.
    assert week_label(week_index(1767225600.0)) == "2026-W01"  # 2026-01-01


async def homes(hub: HubHarness, count: int) -> list[Client]:
    return [
        await hub.add_home(f"Home {i}", *offset(*CENTRE, north_m=10 * i))
        for i in range(count)
    ]


async def agency_view(agency: Client, request_id: str) -> dict[str, Any]:
    status, body = await agency.call("GET", f"/api/v1/agency/requests/{request_id}")
    assert status == 200, body
    return dict(body)


async def decline(home: Client, request_id: str, key: str) -> None:
    status, body = await home.call(
        "POST",
        f"/api/v1/requests/{request_id}/decision",
        {"decision": "decline", "idempotency_key": key},
    )
    assert status == 200, body


async def report(hub: HubHarness) -> dict[str, Any]:
    status, body = await hub.call("GET", "/api/v1/transparency")
    assert status == 200, body
    return {a["agency"]: a for a in body["agencies"]} | {"_totals": body["totals"]}


@pytest.mark.parametrize(("count", "shown"), [(4, "<5"), (5, 5)])
async def test_homes_reached_is_exact_only_from_five(
    hub: HubHarness, count: int, shown: object
) -> None:
    await homes(hub, count)
    agency = await hub.add_agency()
    made = await open_request(hub, agency)
    assert made["homes_reached"] == shown
    assert (await agency_view(agency, made["id"]))["homes_reached"] == shown
    _status, listed = await agency.call("GET", "/api/v1/agency/requests")
    assert listed["requests"][0]["homes_reached"] == shown
    assert (await report(hub))["City Police"]["homes_reached"] == shown


async def test_shares_become_exact_at_five_and_declines_never_show(
    hub: HubHarness,
) -> None:
    neighbours = await homes(hub, 7)
    agency = await hub.add_agency()
    made = await open_request(hub, agency)
    for i, home in enumerate(neighbours[:4]):
        await make_share(hub, home, made["id"], {f"c{i}": clip_bytes(100, i)})
    await decline(neighbours[5], made["id"], "decline-key-1")
    view = await agency_view(agency, made["id"])
    assert (view["homes_reached"], view["shares"]) == (7, "<5")
    assert "declines" not in view
    await make_share(hub, neighbours[4], made["id"], {"c4": clip_bytes(100, 4)})
    view = await agency_view(agency, made["id"])
    assert view["shares"] == 5
    # The decline changed nothing the agency can see about this request.
    await decline(neighbours[6], made["id"], "decline-key-2")
    assert await agency_view(agency, made["id"]) == view
    published = (await report(hub))["City Police"]
    assert (published["shares"], published["homes_reached"]) == (5, 7)
    assert "declines" not in published
    assert "declines" not in (await report(hub))["_totals"]


async def test_declines_are_published_per_agency_and_week_once_it_ends(
    hub: HubHarness,
) -> None:
    neighbours = await homes(hub, 6)
    police = await hub.add_agency("City Police")
    sheriff = await hub.add_agency("County Sheriff", "sheriff")
    hub.clock.set(START + timedelta(days=2))  # Wednesday of 2026-W23
    first = await open_request(hub, police)
    theirs = await open_request(hub, sheriff)
    for i, home in enumerate(neighbours):
        await decline(home, first["id"], f"w23-police-{i}")
    await decline(neighbours[0], theirs["id"], "w23-sheriff-0")
    # Within the week nothing is published: a decline cannot be timed.
    published = await report(hub)
    assert published["City Police"]["declines_by_week"] == []
    assert published["County Sheriff"]["declines_by_week"] == []

    hub.clock.set(START + timedelta(days=8))  # Tuesday of 2026-W24
    second = await open_request(hub, police, case_number="2026-0100")
    await decline(neighbours[1], second["id"], "w24-police-1")
    published = await report(hub)
    assert published["City Police"]["declines_by_week"] == [
        {"week": "2026-W23", "declines": 6}
    ]
    assert published["County Sheriff"]["declines_by_week"] == [
        {"week": "2026-W23", "declines": "<5"}
    ]

    hub.clock.set(START + timedelta(days=21))  # 2026-W26: W24 and W25 have ended
    published = await report(hub)
    assert published["City Police"]["declines_by_week"] == [
        {"week": "2026-W23", "declines": 6},
        {"week": "2026-W24", "declines": "<5"},
        {"week": "2026-W25", "declines": "<5"},  # none: not told apart from a few
    ]
    assert len(published["County Sheriff"]["declines_by_week"]) == 3
    assert (await hub.counts())["City Police"]["requests"] == 2
