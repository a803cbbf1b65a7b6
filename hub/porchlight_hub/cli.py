"""``porchlight-hub``: serve, and manage homes and agencies.

``home add`` and ``agency add`` print the code or key alone on their last
line so scripts can read it with ``tail -n1``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from . import __version__, admin, demo
from .agency_keys import IdentityFileError
from .app import open_database, serve
from .proxy import parse_networks
from .settings import AGENCY_KINDS, Settings, default_db_url
from .web.headers import tile_origin


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        default=None,
        help="database URL (default: $PORCHLIGHT_HUB_DB or sqlite in the cwd)",
    )
    parser = argparse.ArgumentParser(
        prog="porchlight-hub", description="Porchlight neighbourhood hub"
    )
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    srv = sub.add_parser("serve", parents=[common], help="run the hub")
    srv.add_argument("--media", default="porchlight-media", help="clip directory")
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8765)
    srv.add_argument("--name", default="Porchlight hub", help="name shown to homes")
    srv.add_argument(
        "--demo",
        action="store_true",
        help="seed a demo neighbourhood and keep it lively",
    )
    srv.add_argument(
        "--seed",
        type=int,
        default=None,
        help="with --demo: the same seed gives the same neighbourhood and activity",
    )
    srv.add_argument("--no-zeroconf", action="store_true", help="do not advertise")
    srv.add_argument(
        "--allow-federal", action="store_true", help="accept federal agencies"
    )
    srv.add_argument("--max-retention-days", type=int, default=30)
    srv.add_argument("--request-expiry-days", type=int, default=14)
    srv.add_argument("--max-clip-mb", type=int, default=512)
    srv.add_argument(
        "--allow-unsealed",
        action="store_true",
        help="also accept clips that are not sealed to the agency (not for production)",
    )
    srv.add_argument(
        "--trusted-proxy",
        action="append",
        default=[],
        metavar="CIDR",
        help="a reverse proxy (IP or CIDR, repeatable) whose X-Forwarded-Proto/-For"
        "/-Host are believed: the portal's cookie is Secure behind it",
    )
    srv.add_argument(
        "--tiles",
        metavar="URL_TEMPLATE",
        help="map tiles for the portal, e.g. https://{s}.tile.example.org/{z}/{x}/{y}.png"
        " (default: none, a plain grid)",
    )
    srv.add_argument("--tiles-attribution", metavar="TEXT", help="the tiles' credit")
    srv.add_argument(
        "--session-hours",
        type=float,
        default=8.0,
        help="how long an agency's portal session lasts from sign-in",
    )
    srv.add_argument("--log-level", default="INFO")

    home = sub.add_parser("home", help="manage homes").add_subparsers(
        dest="action", required=True
    )
    h_add = home.add_parser("add", parents=[common], help="add a home")
    h_add.add_argument("--name", required=True)
    h_add.add_argument("--lat", type=float, required=True)
    h_add.add_argument("--lon", type=float, required=True)
    h_code = home.add_parser("code", parents=[common], help="new pairing code")
    h_code.add_argument("home_id")
    h_move = home.add_parser(
        "move", parents=[common], help="move a home further than pairing may"
    )
    h_move.add_argument("--home", required=True, dest="home_id")
    h_move.add_argument("--lat", type=float, required=True)
    h_move.add_argument("--lon", type=float, required=True)
    h_rev = home.add_parser("revoke", parents=[common], help="revoke a home's token")
    h_rev.add_argument("home_id")
    home.add_parser("list", parents=[common], help="list homes")

    agency = sub.add_parser("agency", help="manage agencies").add_subparsers(
        dest="action", required=True
    )
    a_add = agency.add_parser("add", parents=[common], help="add an agency")
    a_add.add_argument("--name", required=True)
    a_add.add_argument("--kind", required=True, choices=AGENCY_KINDS)
    _key_arguments(a_add)
    a_rot = agency.add_parser(
        "rotate-keys", parents=[common], help="replace an agency's public keys"
    )
    a_rot.add_argument("--agency", required=True, help="the agency's id or name")
    _key_arguments(a_rot)
    a_rev = agency.add_parser("revoke", parents=[common], help="revoke an agency key")
    a_rev.add_argument("agency_id")
    agency.add_parser("list", parents=[common], help="list agencies")
    return parser


def _key_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--recipient", help="the agency's age X25519 recipient (age1…), for clips"
    )
    parser.add_argument(
        "--signing-key",
        help="the agency's Ed25519 public key (base64 of 32 bytes), for requests",
    )


async def _with_engine(
    url: str, action: Callable[[AsyncEngine], Awaitable[Any]]
) -> Any:
    engine = await open_database(url)
    try:
        return await action(engine)
    finally:
        await engine.dispose()


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings(
        db_url=args.db or default_db_url(),
        media_dir=Path(args.media),
        host=args.host,
        port=args.port,
        name=args.name,
        zeroconf=not args.no_zeroconf,
        max_clip_bytes=args.max_clip_mb * 1024 * 1024,
    )
    settings.allow_unsealed = args.allow_unsealed
    settings.trusted_proxies = tuple(args.trusted_proxy)
    settings.tiles_url = args.tiles
    settings.tiles_attribution = args.tiles_attribution
    settings.session_hours = args.session_hours
    settings.policy.allow_federal = args.allow_federal
    settings.policy.max_retention_days = args.max_retention_days
    settings.policy.request_expiry_days = args.request_expiry_days
    return settings


def _admin(args: argparse.Namespace) -> int:
    url = args.db or default_db_url()
    key = (args.command, args.action)
    if key == ("home", "add"):
        home = asyncio.run(
            _with_engine(
                url, lambda e: admin.add_home(e, args.name, args.lat, args.lon)
            )
        )
        print(f"Home {home.home_id} added. One-time pairing code:")
        print(home.pairing_code)
    elif key == ("home", "code"):
        code = asyncio.run(
            _with_engine(url, lambda e: admin.new_home_code(e, args.home_id))
        )
        print(f"New one-time pairing code for {args.home_id}:")
        print(code)
    elif key == ("home", "revoke"):
        asyncio.run(_with_engine(url, lambda e: admin.revoke_home(e, args.home_id)))
        print(f"Home {args.home_id} revoked; it must pair again.")
    elif key == ("home", "move"):
        asyncio.run(
            _with_engine(
                url, lambda e: admin.move_home(e, args.home_id, args.lat, args.lon)
            )
        )
        print(f"Home {args.home_id} now at {args.lat}, {args.lon}.")
    elif key == ("agency", "add"):
        agency = asyncio.run(
            _with_engine(
                url,
                lambda e: admin.add_agency(
                    e,
                    args.name,
                    args.kind,
                    recipient=args.recipient,
                    signing_key=args.signing_key,
                ),
            )
        )
        if args.recipient is None:
            print(
                "Warning: no --recipient and --signing-key: this agency cannot post"
                " requests until `porchlight-hub agency rotate-keys --agency"
                f" {agency.agency_id} --recipient age1… --signing-key …` sets them.",
                file=sys.stderr,
            )
        print(f"Agency {agency.agency_id} added. API key (shown once):")
        print(agency.api_key)
    elif key == ("agency", "rotate-keys"):
        row = asyncio.run(
            _with_engine(
                url,
                lambda e: admin.rotate_keys(
                    e,
                    args.agency,
                    recipient=args.recipient,
                    signing_key=args.signing_key,
                ),
            )
        )
        print(
            f"Agency {row['id']} keys set: recipient {row['recipient']},"
            f" signing key {row['signing_key']}. Homes ask their household to"
            " accept the new keys."
        )
    elif key == ("agency", "revoke"):
        asyncio.run(_with_engine(url, lambda e: admin.revoke_agency(e, args.agency_id)))
        print(f"Agency {args.agency_id} revoked.")
    else:
        listing = admin.list_homes if args.command == "home" else admin.list_agencies
        rows = asyncio.run(_with_engine(url, listing))
        print(json.dumps(rows, indent=2))
    return 0


def _check_serve_args(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> None:
    """Refuse options that would only fail later, in a browser."""
    try:
        parse_networks(args.trusted_proxy)
        if args.tiles is not None:
            tile_origin(args.tiles)
    except ValueError as err:
        parser.error(str(err))
    if args.tiles_attribution is not None and args.tiles is None:
        parser.error("--tiles-attribution only applies with --tiles")
    if not 0 < args.session_hours <= 24 * 7:
        parser.error("--session-hours must be more than 0 and at most a week")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``porchlight-hub`` command."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            if args.seed is not None and not args.demo:
                parser.error("--seed only applies to --demo")
            _check_serve_args(parser, args)
            logging.basicConfig(
                level=args.log_level.upper(),
                format="%(asctime)s %(levelname)s %(name)s: %(message)s",
            )
            if args.demo:
                asyncio.run(demo.serve_demo(_settings(args), args.seed))
            else:
                asyncio.run(serve(_settings(args)))
            return 0
        return _admin(args)
    except (admin.AdminError, IdentityFileError) as err:
        print(f"porchlight-hub: {err}", file=sys.stderr)
        return 2
