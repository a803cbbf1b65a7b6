"""What ``porchlight-agency`` does over HTTP: sign and post, list, fetch and open.

The agency's side of DESIGN.md §2.5: the hub is not trusted, so the client
checks the hub holds the agency's own public keys before signing, checks the
sealed bytes it downloads against the listed digest, decrypts locally, and
refuses a clip whose plaintext does not match the home's ``plaintext_sha256``.

Blocking ``urllib`` on purpose: this is a command-line tool, run by hand or
from an evidence system's scripts, and needs nothing the hub does not have.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from . import agecrypt, signing
from .agency_keys import AgencyIdentity

TIMEOUT_S = 60.0
COPY_BYTES = 1024 * 1024
EXTENSIONS = {"video/mp4": ".mp4", "image/jpeg": ".jpg"}


class AgencyClientError(Exception):
    """Something the agency must fix or know about; the message says what."""


@dataclass(frozen=True, slots=True)
class Hub:
    """Where the hub is and the agency's API key."""

    url: str
    key: str

    def _request(
        self, method: str, path: str, body: Any = None
    ) -> urllib.request.Request:
        headers = {"Authorization": f"Bearer {self.key}", "Accept": "*/*"}
        data = None
        if body is not None:
            data = json.dumps(body, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        return urllib.request.Request(  # noqa: S310 - the agency's own hub URL
            self.url.rstrip("/") + path, data=data, method=method, headers=headers
        )

    def _open(self, req: urllib.request.Request) -> Any:
        if not req.full_url.startswith(("http://", "https://")):
            raise AgencyClientError(f"The hub URL must be http(s)://: {self.url}")
        try:
            return urllib.request.urlopen(req, timeout=TIMEOUT_S)  # noqa: S310
        except urllib.error.HTTPError as err:
            raise AgencyClientError(_describe(err)) from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise AgencyClientError(
                f"Cannot reach the hub at {self.url}: {reason}"
            ) from None

    def json(self, method: str, path: str, body: Any = None) -> Any:
        """One JSON call; hub errors become :class:`AgencyClientError`."""
        with self._open(self._request(method, path, body)) as resp:
            return json.loads(resp.read())

    def download(self, path: str, sink: BinaryIO) -> tuple[str, str | None]:
        """Stream a clip into ``sink``; returns (sha256 of it, X-Content-SHA256)."""
        digest = hashlib.sha256()
        with self._open(self._request("GET", path)) as resp:
            announced = resp.headers.get("X-Content-SHA256")
            while chunk := resp.read(COPY_BYTES):
                digest.update(chunk)
                sink.write(chunk)
        return digest.hexdigest(), announced


def _describe(err: urllib.error.HTTPError) -> str:
    try:
        body = json.loads(err.read())
        return f"The hub answered {err.code} {body['error']}: {body['message']}"
    except (ValueError, KeyError, TypeError):
        return f"The hub answered {err.code} {err.reason}."


def check_registration(hub: Hub, identity: AgencyIdentity) -> str:
    """The agency's id, once the hub is seen to hold this identity's keys."""
    profile = hub.json("GET", "/api/v1/agency")
    if (
        profile.get("agency_signing_key") != identity.signing_key
        or profile.get("agency_recipient") != identity.recipient
    ):
        raise AgencyClientError(
            "The hub holds other public keys for this agency than this identity"
            f" file's (hub: recipient {profile.get('agency_recipient')}, signing key"
            f" {profile.get('agency_signing_key')}). Ask the operator to run"
            f" `porchlight-hub agency rotate-keys --agency {profile.get('agency_id')}"
            f" --recipient {identity.recipient} --signing-key {identity.signing_key}`."
        )
    return str(profile["agency_id"])


def post_request(
    hub: Hub, identity: AgencyIdentity, terms: dict[str, Any]
) -> dict[str, Any]:
    """Sign ``terms`` with a fresh nonce and post them; returns the hub's answer."""
    agency_id = check_registration(hub, identity)
    body = {**terms, "nonce": signing.new_nonce()}
    body["signature"] = identity.sign(signing.signed_object(body, agency_id))
    answer = hub.json("POST", "/api/v1/agency/requests", body)
    return dict(answer)


@dataclass(slots=True)
class Fetched:
    """One clip's outcome: written to ``path``, or refused with ``problem``."""

    clip_id: str
    neighbour: str
    sealed: bool
    path: Path | None = None
    problem: str | None = None


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(COPY_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def _open_clip(
    hub: Hub, identity: AgencyIdentity, clip: dict[str, Any], out: Path, stem: str
) -> Path:
    """Download, check, decrypt and verify one clip; returns the written file."""
    sealed = clip["content_type"] == "application/age"
    inner = clip["inner_content_type"] if sealed else clip["content_type"]
    target = out / f"{stem}{EXTENSIONS.get(inner, '.bin')}"
    if target.exists():
        raise AgencyClientError(f"{target} already exists; not overwriting it.")
    with tempfile.TemporaryDirectory(dir=out, prefix=".fetch-") as tmp:
        cipher = Path(tmp) / "clip.age"
        with cipher.open("wb") as sink:
            got, announced = hub.download(clip["url"], sink)
        if got != clip["sha256"] or (announced and announced != got):
            raise AgencyClientError(
                "the downloaded bytes do not match the listed sha256"
            )
        if not sealed:
            cipher.replace(target)
            return target
        plain = Path(tmp) / "clip.plain"
        with cipher.open("rb") as source, plain.open("wb") as sink:
            try:
                agecrypt.decrypt(source, sink, [identity.age_identity])
            except agecrypt.AgeError as err:
                raise AgencyClientError(f"it does not decrypt: {err}") from None
        actual = _sha256_of(plain)
        if actual != clip["plaintext_sha256"]:
            raise AgencyClientError(
                f"its plaintext has sha256 {actual}, but the home announced"
                f" {clip['plaintext_sha256']}: altered or mislabelled, not saved"
            )
        plain.replace(target)
    return target


def fetch(
    hub: Hub,
    identity: AgencyIdentity,
    request_id: str,
    out: Path,
    report: Callable[[Fetched], None] = lambda _f: None,
) -> list[Fetched]:
    """Every available clip of a request, opened into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    listing = hub.json("GET", f"/api/v1/agency/requests/{request_id}/shares")
    results: list[Fetched] = []
    for share in listing["shares"]:
        for clip in share["clips"]:
            if not clip["available"]:
                continue
            number = share["neighbour"].removeprefix("Neighbour ").strip()
            sealed = clip["content_type"] == "application/age"
            result = Fetched(clip["id"], share["neighbour"], sealed)
            stem = f"neighbour-{number}-{clip['id']}"
            try:
                result.path = _open_clip(hub, identity, clip, out, stem)
            except AgencyClientError as err:
                result.problem = str(err)
            results.append(result)
            report(result)
    return results
