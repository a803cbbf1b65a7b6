"""The age v1 file format (age-encryption.org/v1) for X25519 recipients.

Clips leave a home sealed to the requesting agency (DESIGN.md §2.5), and the
hub, a browser and the ``age`` command line must all read the same bytes. This
module implements exactly what that needs, on ``cryptography`` alone: X25519
recipient stanzas, the header MAC, and the ChaCha20-Poly1305 STREAM payload in
64 KiB chunks. It streams between file objects, so memory stays constant
whatever the clip's size.

Why not a package: ``pyrage`` has no musllinux wheels (Home Assistant OS is
Alpine), and the pure-Python ``age`` package is an alpha that holds whole
files in memory and pulls in click, requests and bcrypt. ``cryptography`` is
already carried by Home Assistant everywhere.

This module imports nothing from the hub, so the integration can carry an
identical copy. Passphrase (scrypt), SSH and plugin recipients and the ASCII
armor are deliberately left out: an agency's key is always an X25519 one.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from collections.abc import Sequence
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION_LINE = b"age-encryption.org/v1"
MAGIC = VERSION_LINE + b"\n"
CHUNK_SIZE = 64 * 1024
TAG_SIZE = 16
NONCE_SIZE = 16
FILE_KEY_SIZE = 16
RECIPIENT_HRP = "age"
IDENTITY_HRP = "AGE-SECRET-KEY-"
X25519_LABEL = b"age-encryption.org/v1/X25519"
MAX_LINE = 8192
_ZERO_NONCE = bytes(12)
_B64_ALPHABET = frozenset(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)


class AgeError(ValueError):
    """Anything wrong with an age key or file."""


class AgeKeyError(AgeError):
    """A recipient or identity that is not a valid X25519 age key."""


class AgeHeaderError(AgeError):
    """The file's header is malformed."""


class AgeNoMatchError(AgeError):
    """None of the given identities can open the file."""


class AgeMacError(AgeError):
    """The header was altered after it was written."""


class AgePayloadError(AgeError):
    """The encrypted payload is truncated, reordered or altered."""


# --- Bech32 (BIP 173, without its 90-character limit, as age uses it) --------

_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: Sequence[int]) -> int:
    check = 1
    for value in values:
        top = check >> 25
        check = ((check & 0x1FFFFFF) << 5) ^ value
        for i, gen in enumerate(_GENERATOR):
            if (top >> i) & 1:
                check ^= gen
    return check


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def _convert_bits(data: Sequence[int], src: int, dst: int, pad: bool) -> list[int]:
    acc = bits = 0
    out: list[int] = []
    mask = (1 << dst) - 1
    for value in data:
        acc = (acc << src) | value
        bits += src
        while bits >= dst:
            bits -= dst
            out.append((acc >> bits) & mask)
    if pad:
        if bits:
            out.append((acc << (dst - bits)) & mask)
    elif bits >= src or (acc << (dst - bits)) & mask:
        raise AgeKeyError("The key's Bech32 padding is not canonical.")
    return out


def _bech32_encode(hrp: str, data: bytes) -> str:
    words = _convert_bits(data, 8, 5, pad=True)
    lower = hrp.lower()
    check = _polymod([*_hrp_expand(lower), *words, 0, 0, 0, 0, 0, 0]) ^ 1
    words += [(check >> 5 * (5 - i)) & 31 for i in range(6)]
    text = lower + "1" + "".join(_CHARSET[w] for w in words)
    return text.upper() if hrp.isupper() else text


def _bech32_decode(text: str, hrp: str, what: str) -> bytes:
    """Decode ``text`` as Bech32 with this exact prefix and case."""
    lower = text.lower()
    sep = lower.rfind("1")
    if lower[:sep] != hrp.lower() or len(lower) - sep - 1 < 6:
        raise AgeKeyError(f"An age {what} starts with '{hrp}1'.")
    if text != (text.upper() if hrp.isupper() else lower):
        case = "upper" if hrp.isupper() else "lower"
        raise AgeKeyError(f"An age {what} is written in {case} case.")
    try:
        words = [_CHARSET.index(c) for c in lower[sep + 1 :]]
    except ValueError:
        raise AgeKeyError(
            f"The age {what} has characters Bech32 does not use."
        ) from None
    if _polymod([*_hrp_expand(lower[:sep]), *words]) != 1:
        raise AgeKeyError(f"The age {what} has a wrong checksum (a typo?).")
    data = bytes(_convert_bits(words[:-6], 5, 8, pad=False))
    if len(data) != 32:
        raise AgeKeyError(f"An age {what} holds 32 bytes, not {len(data)}.")
    return data


# --- Keys ---------------------------------------------------------------------


def parse_recipient(recipient: str) -> X25519PublicKey:
    """An ``age1…`` recipient as a public key; :class:`AgeKeyError` if malformed."""
    if not isinstance(recipient, str):
        raise AgeKeyError("An age recipient is a string starting with 'age1'.")
    raw = _bech32_decode(recipient.strip(), RECIPIENT_HRP, "recipient")
    return X25519PublicKey.from_public_bytes(raw)


def parse_identity(identity: str) -> X25519PrivateKey:
    """An ``AGE-SECRET-KEY-1…`` identity as a private key."""
    raw = _bech32_decode(identity.strip(), IDENTITY_HRP, "identity")
    return X25519PrivateKey.from_private_bytes(raw)


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes_raw()


def recipient_of(identity: str) -> str:
    """The public ``age1…`` recipient that belongs to an identity."""
    return _bech32_encode(
        RECIPIENT_HRP, _raw_public(parse_identity(identity).public_key())
    )


def generate_identity() -> str:
    """A new ``AGE-SECRET-KEY-1…`` identity."""
    return _bech32_encode(IDENTITY_HRP, X25519PrivateKey.generate().private_bytes_raw())


def read_identities(text: str) -> list[str]:
    """Identities of an identity file, as ``age -i`` reads it (``#`` = comment)."""
    found = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    for line in found:
        parse_identity(line)
    if not found:
        raise AgeKeyError("The identity file holds no AGE-SECRET-KEY-1… line.")
    return found


# --- Primitives ---------------------------------------------------------------


def _hkdf(ikm: bytes, salt: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def _b64(data: bytes) -> bytes:
    return base64.b64encode(data).rstrip(b"=")


def _unb64(text: bytes) -> bytes:
    """Canonical, unpadded standard base64, as the age header requires."""
    if not set(text) <= _B64_ALPHABET or len(text) % 4 == 1:
        raise AgeHeaderError("The header holds malformed base64.")
    try:
        data = base64.b64decode(text + b"=" * (-len(text) % 4), validate=True)
    except binascii.Error:
        raise AgeHeaderError("The header holds malformed base64.") from None
    if _b64(data) != text:
        raise AgeHeaderError("The header's base64 is not canonical.")
    return data


def _stream_nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


def _read_full(src: BinaryIO, size: int) -> bytes:
    """Exactly ``size`` bytes, or fewer only at the end of the file."""
    out = bytearray()
    while len(out) < size:
        piece = src.read(size - len(out))
        if not piece:
            break
        out += piece
    return bytes(out)


# --- Encryption ---------------------------------------------------------------


def _x25519_stanza(recipient: X25519PublicKey, file_key: bytes) -> bytes:
    ephemeral = X25519PrivateKey.generate()
    share = _raw_public(ephemeral.public_key())
    try:
        shared = ephemeral.exchange(recipient)
    except ValueError:
        raise AgeKeyError(
            "The recipient is a low-order point, not a real key."
        ) from None
    wrap_key = _hkdf(shared, share + _raw_public(recipient), X25519_LABEL)
    body = ChaCha20Poly1305(wrap_key).encrypt(_ZERO_NONCE, file_key, None)
    encoded = _b64(body)
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append(b"")
    return b"-> X25519 " + _b64(share) + b"\n" + b"".join(x + b"\n" for x in lines)


def encrypt(src: BinaryIO, dst: BinaryIO, recipients: Sequence[str]) -> int:
    """Seal everything ``src`` holds to ``recipients``; returns the plaintext size."""
    if not recipients:
        raise AgeKeyError("Encrypting needs at least one recipient.")
    keys = [parse_recipient(r) for r in recipients]
    file_key = os.urandom(FILE_KEY_SIZE)
    header = MAGIC + b"".join(_x25519_stanza(k, file_key) for k in keys) + b"---"
    mac = hmac.digest(_hkdf(file_key, b"", b"header"), header, "sha256")
    nonce = os.urandom(NONCE_SIZE)
    dst.write(header + b" " + _b64(mac) + b"\n" + nonce)
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    counter = total = 0
    pending = _read_full(src, CHUNK_SIZE)
    while True:
        ahead = _read_full(src, CHUNK_SIZE) if len(pending) == CHUNK_SIZE else b""
        last = not ahead
        dst.write(aead.encrypt(_stream_nonce(counter, last), pending, None))
        total += len(pending)
        if last:
            return total
        counter += 1
        pending = ahead


# --- Decryption ---------------------------------------------------------------


def _read_line(src: BinaryIO) -> bytes:
    line = src.readline(MAX_LINE)
    if not line.endswith(b"\n"):
        raise AgeHeaderError("The header ends early or has an overlong line.")
    return line[:-1]


def _stanza_args(line: bytes) -> list[bytes]:
    args = line[3:].split(b" ")
    for arg in args:
        if not arg or any(c < 0x21 or c > 0x7E for c in arg):
            raise AgeHeaderError("A header stanza has an empty or invalid argument.")
    return args


def _read_header(src: BinaryIO) -> tuple[list[tuple[list[bytes], bytes]], bytes, bytes]:
    """The stanzas, the bytes the MAC covers, and the MAC."""
    if _read_line(src) != VERSION_LINE:
        raise AgeHeaderError("This is not an age-encryption.org/v1 file.")
    covered = bytearray(MAGIC)
    stanzas: list[tuple[list[bytes], bytes]] = []
    while True:
        line = _read_line(src)
        if line.startswith(b"---"):
            if line[3:4] != b" ":
                raise AgeHeaderError("The header's MAC line is malformed.")
            covered += b"---"
            mac = _unb64(line[4:])
            if len(mac) != 32:
                raise AgeHeaderError("The header's MAC has the wrong length.")
            break
        if not line.startswith(b"-> "):
            raise AgeHeaderError("A header stanza does not start with '-> '.")
        covered += line + b"\n"
        args = _stanza_args(line)
        body = bytearray()
        while True:
            chunk = _read_line(src)
            covered += chunk + b"\n"
            if len(chunk) > 64:
                raise AgeHeaderError("A stanza body line is longer than 64 columns.")
            body += _unb64(chunk)
            if len(chunk) < 64:
                break
        stanzas.append((args, bytes(body)))
    if not stanzas:
        raise AgeHeaderError("The header names no recipient.")
    return stanzas, bytes(covered), mac


def _unwrap(
    stanzas: list[tuple[list[bytes], bytes]], identities: Sequence[X25519PrivateKey]
) -> bytes:
    for args, body in stanzas:
        if args[0] != b"X25519":
            continue
        if len(args) != 2:
            raise AgeHeaderError("An X25519 stanza takes exactly one argument.")
        share = _unb64(args[1])
        if len(share) != 32 or len(body) != FILE_KEY_SIZE + TAG_SIZE:
            raise AgeHeaderError("An X25519 stanza has the wrong share or body size.")
        for identity in identities:
            try:
                shared = identity.exchange(X25519PublicKey.from_public_bytes(share))
            except ValueError:
                raise AgeHeaderError("An X25519 stanza's share is low order.") from None
            own = _raw_public(identity.public_key())
            wrap_key = _hkdf(shared, share + own, X25519_LABEL)
            try:
                return ChaCha20Poly1305(wrap_key).decrypt(_ZERO_NONCE, body, None)
            except InvalidTag:
                continue
    raise AgeNoMatchError("The file is not sealed to this identity.")


def decrypt(src: BinaryIO, dst: BinaryIO, identities: Sequence[str]) -> int:
    """Open an age file from ``src`` into ``dst``; returns the plaintext size.

    Plaintext is written chunk by chunk as each one authenticates, so on an
    :class:`AgePayloadError` ``dst`` holds only the authentic prefix: callers
    that need all or nothing write to a temporary file and discard it.
    """
    keys = [parse_identity(i) for i in identities]
    if not keys:
        raise AgeKeyError("Decrypting needs at least one identity.")
    stanzas, covered, mac = _read_header(src)
    file_key = _unwrap(stanzas, keys)
    expected = hmac.digest(_hkdf(file_key, b"", b"header"), covered, "sha256")
    if not hmac.compare_digest(expected, mac):
        raise AgeMacError("The header's MAC does not match: the file was altered.")
    nonce = _read_full(src, NONCE_SIZE)
    if len(nonce) != NONCE_SIZE:
        raise AgeHeaderError("The file ends before its payload nonce.")
    aead = ChaCha20Poly1305(_hkdf(file_key, nonce, b"payload"))
    sealed = CHUNK_SIZE + TAG_SIZE
    counter = total = 0
    pending = _read_full(src, sealed)
    while True:
        if len(pending) < TAG_SIZE:
            raise AgePayloadError("The payload is truncated.")
        full = len(pending) == sealed
        ahead = _read_full(src, sealed) if full else b""
        plain, last = _open_chunk(aead, counter, pending, full)
        if last and not plain and counter:
            raise AgePayloadError("The payload ends with an empty chunk.")
        dst.write(plain)
        total += len(plain)
        if last and ahead:
            raise AgePayloadError("The payload has data after its final chunk.")
        if last:
            return total
        if not ahead:
            raise AgePayloadError(
                "The payload is truncated: its final chunk is missing."
            )
        counter += 1
        pending = ahead


def _open_chunk(
    aead: ChaCha20Poly1305, counter: int, sealed: bytes, full: bool
) -> tuple[bytes, bool]:
    """Decrypt one chunk; a full one may be the last (flag tried second)."""
    for last in (False, True) if full else (True,):
        try:
            return aead.decrypt(_stream_nonce(counter, last), sealed, None), last
        except InvalidTag:
            continue
    raise AgePayloadError("A payload chunk does not authenticate: it was altered.")
