"""``porchlight-agency``: an agency's own client for a Porchlight hub.

It holds the agency's private keys, so the hub never needs them: ``keygen``
makes them, ``request`` signs and posts a request, ``shares`` lists what homes
shared, and ``fetch`` downloads and opens the sealed clips, refusing any whose
contents do not match what the home announced. The API key comes from
``--key`` or ``PORCHLIGHT_AGENCY_KEY``; it is never printed.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .agency_client import AgencyClientError, Fetched, Hub, fetch, post_request
from .agency_keys import AgencyIdentity, IdentityFileError, load, write_new
from .settings import INCIDENT_TYPES

KEY_ENV = "PORCHLIGHT_AGENCY_KEY"


def _parser() -> argparse.ArgumentParser:
    hub = argparse.ArgumentParser(add_help=False)
    hub.add_argument("--hub", required=True, help="the hub's URL")
    hub.add_argument("--key", help=f"the agency API key (default: ${KEY_ENV})")
    ident = argparse.ArgumentParser(add_help=False)
    ident.add_argument(
        "--identity", required=True, type=Path, help="the private identity file"
    )
    parser = argparse.ArgumentParser(
        prog="porchlight-agency", description="An agency's Porchlight client"
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    keygen = sub.add_parser("keygen", help="make the agency's private keys")
    keygen.add_argument("--out", required=True, type=Path)

    req = sub.add_parser(
        "request", parents=[hub, ident], help="sign and post a video request"
    )
    req.add_argument("--case", required=True, help="case number")
    req.add_argument("--incident", required=True, choices=INCIDENT_TYPES)
    req.add_argument("--description", required=True)
    req.add_argument("--contact", required=True)
    req.add_argument("--start", required=True, help="window start, ISO 8601 with tz")
    req.add_argument("--end", required=True, help="window end, ISO 8601 with tz")
    req.add_argument("--lat", required=True, type=float)
    req.add_argument("--lon", required=True, type=float)
    req.add_argument("--radius", required=True, type=float, help="metres")

    shares = sub.add_parser("shares", parents=[hub], help="list a request's shares")
    shares.add_argument("request_id")

    get = sub.add_parser(
        "fetch", parents=[hub, ident], help="download and open shared clips"
    )
    get.add_argument("request_id")
    get.add_argument("--out", required=True, type=Path)
    return parser


def _utc(text: str, flag: str) -> str:
    """A window end in the one form the hub takes and homes receive: UTC, Z."""
    try:
        when = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise AgencyClientError(f"{flag} is not an ISO 8601 time: {text!r}") from None
    if when.tzinfo is None:
        raise AgencyClientError(f"{flag} needs a timezone, e.g. {text}Z")
    return when.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _hub(args: argparse.Namespace) -> Hub:
    key = args.key or os.environ.get(KEY_ENV)
    if not key:
        raise AgencyClientError(f"Give the agency API key with --key or ${KEY_ENV}.")
    return Hub(args.hub, key)


def _keygen(path: Path) -> None:
    identity = AgencyIdentity.generate()
    write_new(path, identity)
    print(f"Wrote {path} (mode 0600): keep it secret, it opens your clips.")
    print("Give the hub's operator these two public keys:")
    print(f"  --recipient {identity.recipient}")
    print(f"  --signing-key {identity.signing_key}")


def _request(args: argparse.Namespace) -> None:
    terms: dict[str, Any] = {
        "case_number": args.case,
        "incident_type": args.incident,
        "description": args.description,
        "contact": args.contact,
        "window_start": _utc(args.start, "--start"),
        "window_end": _utc(args.end, "--end"),
        "area": {"latitude": args.lat, "longitude": args.lon, "radius_m": args.radius},
    }
    answer = post_request(_hub(args), load(args.identity), terms)
    print(json.dumps(answer, indent=2, ensure_ascii=False))
    print(answer["id"])


def _say(result: Fetched) -> None:
    if result.problem is not None:
        print(
            f"REFUSED {result.neighbour} {result.clip_id}: {result.problem}",
            file=sys.stderr,
        )
    elif not result.sealed:
        print(f"saved {result.path} (NOT SEALED: the hub could read this clip)")
    else:
        print(f"saved {result.path}")


def _run(args: argparse.Namespace) -> int:
    if args.command == "keygen":
        _keygen(args.out)
    elif args.command == "request":
        _request(args)
    elif args.command == "shares":
        listing = _hub(args).json(
            "GET", f"/api/v1/agency/requests/{args.request_id}/shares"
        )
        print(json.dumps(listing, indent=2, ensure_ascii=False))
    else:
        results = fetch(
            _hub(args), load(args.identity), args.request_id, args.out, _say
        )
        if not results:
            print("No clips are available for this request.")
        if any(r.problem for r in results):
            return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``porchlight-agency`` command."""
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except (AgencyClientError, IdentityFileError) as err:
        print(f"porchlight-agency: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
