"""An agency's new request: authenticated by its signature, then fanned out.

The hub is not trusted with authority (DESIGN.md principle 8): a request is
delivered only if the agency's Ed25519 key signed exactly these terms, and
each nonce works once, so neither the hub's operator nor anyone on the wire
can invent or replay a request. Homes get the signature and check it again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from .. import db, signing
from ..auth import require_agency
from ..clock import to_ts
from ..context import hub_of
from ..errors import ApiError, json_response
from ..homes_nearby import homes_within
from ..rules import (
    RequestDraft,
    check_agency_kind,
    check_case_limit,
    parse_request,
)
from ..security import new_id
from ..settings import Policy
from ..validation import read_json
from ..views import request_for_agency, request_for_home

routes = web.RouteTableDef()


def check_keys(agency: dict[str, Any]) -> None:
    """An agency registered before keys existed must get them first."""
    if agency["recipient"] is None or agency["signing_key"] is None:
        raise ApiError(
            422,
            "agency_keys_missing",
            "This agency has no public keys registered, so it cannot sign requests"
            " and homes could not seal clips to it. The hub's operator runs"
            f" `porchlight-hub agency rotate-keys --agency {agency['id']}"
            " --recipient age1… --signing-key …` with the keys from"
            " `porchlight-agency keygen`.",
        )


def check_signature(body: dict[str, Any], agency: dict[str, Any]) -> str:
    """The request's nonce, once its signature verifies; 422 otherwise."""
    nonce, signature = body.get("nonce"), body.get("signature")
    if nonce is None or signature is None:
        missing = "nonce" if nonce is None else "signature"
        raise ApiError(
            422,
            "unsigned_request",
            "Requests must be signed by the agency: send 'nonce' and 'signature'"
            " (see `porchlight-agency request`).",
            field=missing,
        )
    if not isinstance(nonce, str) or not signing.NONCE.fullmatch(nonce):
        raise ApiError(
            422,
            "invalid_field",
            "The field 'nonce' must be 16-64 characters of base64url or hex.",
            field="nonce",
        )
    signed = signing.signed_object(body, agency["id"])
    if not signing.verify(agency["signing_key"], signature, signed):
        raise ApiError(
            422,
            "bad_signature",
            "The signature does not match this request and the agency's registered"
            " signing key.",
            field="signature",
        )
    return nonce


def check_draft(
    body: dict[str, Any], agency: dict[str, Any], now: datetime, policy: Policy
) -> RequestDraft:
    """Everything about a request but its signature and the case count.

    ``POST /agency/requests/check`` runs exactly this, so the portal's
    messages as the agency types are the hub's own, in the same order.
    """
    check_keys(agency)
    draft = parse_request(body, now, policy)
    check_agency_kind(agency["kind"], policy)
    return draft


async def case_count(conn: AsyncConnection, agency_id: str, case_number: str) -> int:
    """How many requests the agency already made for this case."""
    r = db.requests
    found = await conn.execute(
        select(func.count()).where(
            r.c.agency_id == agency_id, r.c.case_number == case_number
        )
    )
    return int(found.scalar_one())


def _replayed() -> ApiError:
    return ApiError(
        422,
        "replayed_request",
        "This nonce was already used by this agency; every request needs a new one.",
        field="nonce",
    )


@routes.post("/api/v1/agency/requests")
async def create_request(request: web.Request) -> web.Response:
    """Check fields, rules and signature, then deliver to the circle."""
    agency = await require_agency(request)
    hub = hub_of(request)
    policy = hub.settings.policy
    now_dt = hub.clock.now()
    body = await read_json(request)
    draft = check_draft(body, agency, now_dt, policy)
    nonce = check_signature(body, agency)
    now = to_ts(now_dt)
    r = db.requests
    request_id = new_id("req")
    try:
        async with hub.engine.begin() as conn:
            used = await conn.execute(
                select(r.c.id).where(r.c.agency_id == agency["id"], r.c.nonce == nonce)
            )
            if used.first() is not None:
                raise _replayed()
            check_case_limit(
                await case_count(conn, agency["id"], draft.case_number), policy
            )
            targets = await homes_within(
                conn,
                draft.latitude,
                draft.longitude,
                draft.radius_m,
                include_opted_out=False,
            )
            await conn.execute(
                insert(r).values(
                    id=request_id,
                    agency_id=agency["id"],
                    case_number=draft.case_number,
                    incident_type=draft.incident_type,
                    description=draft.description,
                    contact=draft.contact,
                    window_start=to_ts(draft.window_start),
                    window_end=to_ts(draft.window_end),
                    window_start_text=draft.window_start_text,
                    window_end_text=draft.window_end_text,
                    latitude=draft.latitude,
                    longitude=draft.longitude,
                    radius_m=draft.radius_m,
                    status="open",
                    homes_reached=len(targets),
                    created_at=now,
                    expires_at=to_ts(
                        now_dt + timedelta(days=policy.request_expiry_days)
                    ),
                    updated_at=now,
                    nonce=nonce,
                    signature=body["signature"],
                    signing_key=agency["signing_key"],
                )
            )
            if targets:
                await conn.execute(
                    insert(db.deliveries),
                    [
                        {
                            "request_id": request_id,
                            "home_id": home_id,
                            "distance_m": dist,
                            "delivered_at": now,
                        }
                        for home_id, dist in targets
                    ],
                )
            row = (
                (await conn.execute(select(r).where(r.c.id == request_id)))
                .mappings()
                .one()
            )
    except IntegrityError:
        # The same nonce raced in twice: the unique index let one through.
        raise _replayed() from None
    hub.requests_changed()
    base = {
        **row,
        "agency_name": agency["name"],
        "agency_kind": agency["kind"],
        "agency_recipient": agency["recipient"],
        "decision": None,
        "decided_at": None,
        "share_id": None,
        "delivered_at": now,
    }
    for home_id, dist in targets:
        if hub.broker.connected(home_id):
            hub.broker.publish(
                home_id,
                "request.received",
                request_for_home({**base, "home_id": home_id, "distance_m": dist}),
            )
    return json_response(request_for_agency(row), status=201)
