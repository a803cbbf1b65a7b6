"""Sealing clips to an agency in the age v1 format (age-encryption.org/v1).

The hub is not trusted with footage (DESIGN.md principle 8): every clip
leaves the home encrypted to the requesting agency's X25519 recipient, so the
hub stores bytes that only the agency (its ``age -d``, ``porchlight-agency
fetch`` or browser portal) can open.

Why this module and not a package: ``pyrage`` has no musllinux wheels, so it
does not install on Home Assistant OS (Alpine, aarch64 and x86_64); the
pure-Python ``age`` package is an alpha that reads whole files into memory and
pulls in click, requests and bcrypt. Encrypting to one X25519 recipient is a
small, fully specified job, and ``cryptography`` (pinned by Home Assistant
itself, with musllinux wheels) has every primitive it needs, so the home adds
no requirement. Only encryption is here: a home never opens a sealed clip.

Why sealing is deterministic from a stored seed: the hub must be told each
clip's ciphertext ``sha256`` in the share's manifest, before any upload, but
age's output is random. Rather than keep a sealed copy of every clip on disk
until it is uploaded (a 500 MB share would need 500 MB more), the home draws
one random 32-byte seed per clip, derives the file key, the ephemeral X25519
key and the payload nonce from it, hashes the ciphertext once at decision
time, and seals the very same bytes again while uploading. The seed lives in
the outbox next to the plaintext clip it protects (no new exposure) and goes
when the upload is settled. Both passes stream in 64 KiB chunks, so memory
stays constant whatever the clip's size.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SEALED_CONTENT_TYPE: Final = "application/age"
CHUNK_SIZE: Final = 64 * 1024
TAG_SIZE: Final = 16
SEED_SIZE: Final = 32
_MAGIC: Final = b"age-encryption.org/v1\n"
_X25519_LABEL: Final = b"age-encryption.org/v1/X25519"
_ZERO_NONCE: Final = bytes(12)
_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR: Final = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


class SealingError(ValueError):
    """A recipient that is not a valid age X25519 recipient."""


def _polymod(values: list[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = ((check & 0x1FFFFFF) << 5) ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                check ^= gen
    return check


def parse_recipient(recipient: object) -> X25519PublicKey:
    """An ``age1…`` recipient (Bech32, lower case) as a public key.

    Raises:
        SealingError: Not a well-formed X25519 age recipient.
    """
    if not isinstance(recipient, str) or not recipient.startswith("age1"):
        raise SealingError("An age recipient is a string starting with 'age1'")
    try:
        words = [_CHARSET.index(c) for c in recipient[4:]]
    except ValueError:
        raise SealingError("The age recipient is not Bech32") from None
    hrp = [ord(c) >> 5 for c in "age"] + [0] + [ord(c) & 31 for c in "age"]
    if len(words) < 6 or _polymod(hrp + words) != 1:
        raise SealingError("The age recipient's checksum is wrong")
    acc = bits = 0
    raw = bytearray()
    for word in words[:-6]:
        acc = (acc << 5) | word
        bits += 5
        if bits >= 8:
            bits -= 8
            raw.append((acc >> bits) & 0xFF)
    if len(raw) != 32 or bits >= 5 or acc & ((1 << bits) - 1):
        raise SealingError("An age recipient holds exactly 32 bytes")
    return X25519PublicKey.from_public_bytes(bytes(raw))


def fingerprint(recipient: str) -> str:
    """A short, stable name for a key: the first 16 bytes of its SHA-256, hex.

    The ledger and the repair dialog show this rather than the whole key, so
    a household can compare it with the agency's out of band.
    """
    return hashlib.sha256(recipient.encode()).hexdigest()[:32]


def new_seed() -> str:
    """A fresh per-clip seed, hex (stored in the outbox, never logged)."""
    return os.urandom(SEED_SIZE).hex()


def _hkdf(ikm: bytes, salt: bytes, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(
        ikm
    )


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def sealed_size(plain_size: int) -> int:
    """The ciphertext's size for one X25519 recipient: header, nonce, tags."""
    chunks = max(1, -(-plain_size // CHUNK_SIZE))
    # Header: magic, stanza line (43-char share), 43-char body, MAC line.
    header = len(_MAGIC) + len(b"-> X25519 ") + 43 + 1 + 43 + 1 + 4 + 43 + 1
    return header + 16 + plain_size + chunks * TAG_SIZE


@dataclass(frozen=True, slots=True)
class Seal:
    """Everything one clip's ciphertext is made from: recipient and seed."""

    recipient: str
    seed: str

    def open(self, plain: IO[bytes]) -> SealedReader:
        """A reader that yields this clip's ciphertext from its plaintext."""
        return SealedReader(plain, self)


class SealedReader:
    """File-like ``read()`` of the age ciphertext of ``plain``, chunk by chunk.

    Holds at most one 64 KiB chunk of plaintext plus one ahead (STREAM marks
    the last chunk, so the reader must know whether more follows).
    """

    def __init__(self, plain: IO[bytes], seal: Seal) -> None:
        recipient = parse_recipient(seal.recipient)
        seed = bytes.fromhex(seal.seed)
        file_key = _hkdf(seed, b"", b"porchlight seal file key", 16)
        ephemeral = X25519PrivateKey.from_private_bytes(
            _hkdf(seed, b"", b"porchlight seal ephemeral")
        )
        nonce = _hkdf(seed, b"", b"porchlight seal nonce", 16)
        share = ephemeral.public_key().public_bytes_raw()
        try:
            shared = ephemeral.exchange(recipient)
        except ValueError:
            raise SealingError("The recipient is a low-order point") from None
        wrap = _hkdf(shared, share + recipient.public_bytes_raw(), _X25519_LABEL)
        body = ChaCha20Poly1305(wrap).encrypt(_ZERO_NONCE, file_key, None)
        header = _MAGIC + b"-> X25519 " + _b64(share) + b"\n" + _b64(body) + b"\n---"
        mac = hmac.digest(_hkdf(file_key, b"", b"header"), header, "sha256")
        self._out = bytearray(header + b" " + _b64(mac) + b"\n" + nonce)
        self._aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
        self._plain = plain
        self._counter = 0
        self._pending: bytes | None = self._read_chunk()
        self.plain_sha256 = hashlib.sha256()

    def _read_chunk(self) -> bytes:
        out = bytearray()
        while len(out) < CHUNK_SIZE:
            piece = self._plain.read(CHUNK_SIZE - len(out))
            if not piece:
                break
            out += piece
        return bytes(out)

    def _advance(self, pending: bytes) -> None:
        """Seal the pending chunk (knowing whether it is the last)."""
        ahead = self._read_chunk() if len(pending) == CHUNK_SIZE else b""
        last = not ahead
        nonce = self._counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")
        self._out += self._aead.encrypt(nonce, pending, None)
        self.plain_sha256.update(pending)
        self._counter += 1
        self._pending = None if last else ahead

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of ciphertext; ``b""`` at the end."""
        want = size if size >= 0 else 1 << 62
        while len(self._out) < want and (pending := self._pending) is not None:
            self._advance(pending)
        out = bytes(self._out[:want])
        del self._out[:want]
        return out


def digest_sealed(path: Path, seal: Seal) -> tuple[int, str, str]:
    """Seal a clip into a hash only: ciphertext size and sha256, plaintext sha256.

    Blocking (runs in an executor); nothing is written anywhere.
    """
    sealed = hashlib.sha256()
    size = 0
    with path.open("rb") as plain:
        reader = seal.open(plain)
        while chunk := reader.read(4 * CHUNK_SIZE):
            sealed.update(chunk)
            size += len(chunk)
    return size, sealed.hexdigest(), reader.plain_sha256.hexdigest()
