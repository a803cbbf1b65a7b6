"""What survives a restart, and what the start-up sweep cleans up."""

from __future__ import annotations

from datetime import timedelta

from .conftest import (
    HubHarness,
    HubMaker,
    clip_bytes,
    files_under,
    make_share,
    open_request,
    shared_clip,
    upload,
)

# Long enough that only the start-up sweep can have acted during a test.
NO_PERIODIC_SWEEP = 3600.0


async def test_restart_keeps_everything(hub: HubHarness) -> None:
    home = await hub.add_home("Keeper")
    agency = await hub.add_agency("City Police")
    data = clip_bytes(150_000, 11)
    req, share = await shared_clip(hub, home, agency, data, retention_days=10)
    _, health = await hub.call("GET", "/api/v1/health")
    old_url = hub.url

    await hub.restart()

    assert hub.url == old_url
    _, after = await hub.call("GET", "/api/v1/health")
    assert after["hub_id"] == health["hub_id"]
    status, me = await home.call("GET", "/api/v1/home")
    assert (status, me["name"]) == (200, "Keeper")
    status, mine = await home.call("GET", "/api/v1/requests")
    assert status == 200
    assert [(r["id"], r["status"]) for r in mine["requests"]] == [(req["id"], "shared")]
    status, shares = await home.call("GET", "/api/v1/shares")
    assert [(s["share_id"], s["status"]) for s in shares["shares"]] == [
        (share["share_id"], "complete")
    ]
    status, theirs = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}")
    assert status == 200, theirs
    assert await hub.decisions(req["id"]) == {"share": 1, "decline": 0}
    assert await hub.reached(req["id"]) == 1
    _, listing = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}/shares")
    stream = await home.stream()
    status, body = await agency.call("GET", listing["shares"][0]["clips"][0]["url"])
    assert (status, body) == (200, data)
    accessed = await stream.next("share.accessed")
    assert accessed["data"]["share_id"] == share["share_id"]

    # A share whose upload was interrupted by the restart can be finished.
    other = await open_request(hub, agency, case_number="2026-0200")
    pending = clip_bytes(500, 12)
    second = await make_share(hub, home, other["id"], {"late": pending})
    await hub.restart()
    status, up = await upload(home, second["share_id"], "late", pending)
    assert (status, up["share_status"]) == (201, "complete")


async def test_start_up_sweep_catches_up_on_retention(tuned_hub: HubMaker) -> None:
    hub = await tuned_hub(sweep_interval_s=NO_PERIODIC_SWEEP)
    home = await hub.add_home()
    agency = await hub.add_agency("City Police")
    data = clip_bytes(10_000)
    req, share = await shared_clip(hub, home, agency, data, retention_days=3)
    _, listing = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}/shares")
    url = listing["shares"][0]["clips"][0]["url"]
    folder = hub.media / "shares" / share["share_id"]

    # Time passing while the hub runs does nothing until the next sweep...
    hub.clock.advance(timedelta(days=3, hours=1))
    assert len(files_under(folder)) == 1
    await hub.stop()
    hub.clock.advance(timedelta(days=12))
    await hub.start()

    # ...but start-up applies every deadline that passed, right away.
    assert not folder.exists()
    status, body = await agency.call("GET", url)
    assert status == 410, body
    assert (await hub.totals())["clips_deleted_on_schedule"] == 1
    (counts,) = (await hub.counts()).values()
    assert counts["clips_deleted_on_schedule"] == 1
    status, theirs = await agency.call("GET", f"/api/v1/agency/requests/{req['id']}")
    assert theirs["status"] == "expired"


async def test_stale_partial_upload_is_removed_at_start_up(
    tuned_hub: HubMaker,
) -> None:
    hub = await tuned_hub(sweep_interval_s=NO_PERIODIC_SWEEP)
    tmp = hub.media / "tmp"
    stale = tmp / "0123456789abcdef.part"
    stale.write_bytes(b"half a clip")
    keep = tmp / "README"
    keep.write_text("not an upload")

    await hub.restart()

    assert not stale.exists()
    assert keep.exists()


async def test_orphan_share_folders_are_removed_by_the_sweep(
    tuned_hub: HubMaker,
) -> None:
    hub = await tuned_hub(sweep_interval_s=NO_PERIODIC_SWEEP)
    home = await hub.add_home()
    agency = await hub.add_agency()
    gone_data, live_data = clip_bytes(900, 1), clip_bytes(900, 2)
    _, revoked = await shared_clip(hub, home, agency, gone_data)
    _, live = await shared_clip(hub, home, agency, live_data, case_number="2026-0300")
    status, _ = await home.call("DELETE", f"/api/v1/shares/{revoked['share_id']}")
    assert status == 200
    shares_dir = hub.media / "shares"
    assert not (shares_dir / revoked["share_id"]).exists()

    # Files of a revoked share that survived (say, a disk fault) and a folder
    # no share knows about.
    orphan = shares_dir / revoked["share_id"]
    orphan.mkdir()
    (orphan / "clp_leftover").write_bytes(gone_data)
    stray = shares_dir / "shr_unknown"
    stray.mkdir()
    (stray / "x").write_bytes(b"x")

    await hub.restart()

    assert not orphan.exists()
    assert not stray.exists()
    assert len(files_under(shares_dir / live["share_id"])) == 1
    _, listing = await agency.call("GET", "/api/v1/agency/requests")
    urls = []
    for item in listing["requests"]:
        _, shares = await agency.call(
            "GET", f"/api/v1/agency/requests/{item['id']}/shares"
        )
        urls += [c["url"] for s in shares["shares"] for c in s["clips"] if c["url"]]
    assert len(urls) == 1
    status, body = await agency.call("GET", urls[0])
    assert (status, body) == (200, live_data)
