"""An agency's private identity file: its age identity and its signing key.

One file, so an agency keeps one secret. It is an age identity file as
``age -d -i FILE`` reads it (comment lines start with ``#``), so evidence
systems open sealed clips with the standard tool; the Ed25519 signing key
rides in a comment line that age ignores. The file is created with mode 0600
and never overwritten.

Like :mod:`agecrypt` and :mod:`signing`, this imports nothing from the hub.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import agecrypt, signing

SIGNING_PREFIX = "# porchlight-signing-secret-key: "


class IdentityFileError(ValueError):
    """The identity file is missing, unreadable, malformed, or would be overwritten."""


@dataclass(frozen=True, slots=True)
class AgencyIdentity:
    """The agency's two private keys."""

    age_identity: str
    signing_seed: bytes

    @classmethod
    def generate(cls) -> AgencyIdentity:
        """Fresh keys."""
        seed = Ed25519PrivateKey.generate().private_bytes_raw()
        return cls(agecrypt.generate_identity(), seed)

    @property
    def signer(self) -> Ed25519PrivateKey:
        """The Ed25519 private key."""
        return Ed25519PrivateKey.from_private_bytes(self.signing_seed)

    @property
    def recipient(self) -> str:
        """The public age recipient (``age1…``) to register with the hub."""
        return agecrypt.recipient_of(self.age_identity)

    @property
    def signing_key(self) -> str:
        """The public signing key (base64) to register with the hub."""
        return signing.public_key_of(self.signer)

    def sign(self, obj: dict[str, Any]) -> str:
        """Sign a request's signed object (see :mod:`signing`)."""
        return signing.sign(self.signer, obj)

    def to_text(self) -> str:
        """The identity file's contents."""
        created = datetime.now(UTC).replace(microsecond=0).isoformat()
        return (
            "# Porchlight agency identity. Keep this file secret.\n"
            f"# created: {created}\n"
            f"# public key: {self.recipient}\n"
            f"# signing key: {self.signing_key}\n"
            f"{SIGNING_PREFIX}{signing.encode(self.signing_seed)}\n"
            f"{self.age_identity}\n"
        )

    @classmethod
    def from_text(cls, text: str) -> AgencyIdentity:
        """Parse an identity file; :class:`IdentityFileError` if it is not one."""
        seeds = [
            line[len(SIGNING_PREFIX) :].strip()
            for line in text.splitlines()
            if line.startswith(SIGNING_PREFIX)
        ]
        try:
            identities = agecrypt.read_identities(text)
        except agecrypt.AgeKeyError as err:
            raise IdentityFileError(str(err)) from None
        if len(identities) != 1 or len(seeds) != 1:
            raise IdentityFileError(
                "An agency identity file holds exactly one age identity and one"
                " signing key (made by `porchlight-agency keygen`)."
            )
        try:
            seed = signing.decode(seeds[0], 32, "signing secret key")
        except signing.SigningError as err:
            raise IdentityFileError(str(err)) from None
        return cls(identities[0], seed)


def write_new(path: Path, identity: AgencyIdentity) -> None:
    """Create ``path`` with mode 0600; refuse if anything is already there."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise IdentityFileError(
            f"{path} already exists; refusing to overwrite a private key."
        ) from None
    except OSError as err:
        raise IdentityFileError(f"Cannot create {path}: {err.strerror}.") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(identity.to_text())


def load(path: Path) -> AgencyIdentity:
    """Read an identity file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise IdentityFileError(
            f"Cannot read the identity file {path}: {err}"
        ) from None
    return AgencyIdentity.from_text(text)
