"""porchlight_hub.agecrypt: the age v1 format, against the CLI and hand-made faults.

Clips are sealed to agencies in the age format, and evidence systems open them
with the standard ``age`` command, so the implementation is checked against
the CLI in both directions. The age test kit's vectors are not in the
repository (fetched data stays out of it); the faults they cover are made
here from our own output.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from porchlight_hub import agecrypt
from porchlight_hub.agecrypt import (
    CHUNK_SIZE,
    AgeHeaderError,
    AgeKeyError,
    AgeMacError,
    AgeNoMatchError,
    AgePayloadError,
)

needs_cli = pytest.mark.skipif(
    shutil.which("age") is None or shutil.which("age-keygen") is None,
    reason="the age CLI is not installed (apt-get install age)",
)


def _seal(data: bytes, *recipients: str) -> bytes:
    out = io.BytesIO()
    assert agecrypt.encrypt(io.BytesIO(data), out, recipients) == len(data)
    return out.getvalue()


def _open(sealed: bytes, *identities: str) -> bytes:
    out = io.BytesIO()
    agecrypt.decrypt(io.BytesIO(sealed), out, identities)
    return out.getvalue()


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 3 * CHUNK_SIZE]
)
def test_round_trip_at_chunk_boundaries(size: int) -> None:
    identity = agecrypt.generate_identity()
    data = bytes(i % 251 for i in range(size))
    sealed = _seal(data, agecrypt.recipient_of(identity))
    assert sealed.startswith(agecrypt.MAGIC)
    assert _open(sealed, identity) == data
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(sealed) - sealed.index(b"\n---") > size + 16 * chunks


def test_several_recipients_each_open_it_and_others_do_not() -> None:
    first, second = agecrypt.generate_identity(), agecrypt.generate_identity()
    sealed = _seal(
        b"evidence", agecrypt.recipient_of(first), agecrypt.recipient_of(second)
    )
    assert _open(sealed, first) == _open(sealed, second) == b"evidence"
    with pytest.raises(AgeNoMatchError):
        _open(sealed, agecrypt.generate_identity())


def test_altered_payload_or_header_is_refused() -> None:
    identity = agecrypt.generate_identity()
    sealed = bytearray(_seal(b"x" * 1000, agecrypt.recipient_of(identity)))
    sealed[-5] ^= 1
    with pytest.raises(AgePayloadError):
        _open(bytes(sealed), identity)
    sealed[-5] ^= 1
    mac_at = sealed.index(b"\n--- ") + 6
    sealed[mac_at] = ord("A") if sealed[mac_at] != ord("A") else ord("B")
    with pytest.raises(AgeMacError):
        _open(bytes(sealed), identity)


class _Zeros(io.RawIOBase):
    """A long plaintext that is never held in memory."""

    def __init__(self, size: int) -> None:
        self.left = size

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        n = min(len(buffer), self.left)
        buffer[:n] = bytes(n)
        self.left -= n
        return n


class _Digest(io.RawIOBase):
    """A sink that keeps only a hash."""

    def __init__(self) -> None:
        self.hash = hashlib.sha256()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self.hash.update(data)
        return len(data)


def test_memory_stays_constant_for_a_large_clip(tmp_path: Path) -> None:
    identity = agecrypt.generate_identity()
    size = 24 * 1024 * 1024
    sealed_path = tmp_path / "big.age"
    tracemalloc.start()
    try:
        with sealed_path.open("wb") as sink:
            agecrypt.encrypt(_Zeros(size), sink, [agecrypt.recipient_of(identity)])  # type: ignore[arg-type]
        digest = _Digest()
        with sealed_path.open("rb") as source:
            assert agecrypt.decrypt(source, digest, [identity]) == size  # type: ignore[arg-type]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert digest.hash.hexdigest() == hashlib.sha256(bytes(size)).hexdigest()
    assert peak < 1024 * 1024, f"peak {peak} bytes for a {size}-byte clip"


def _swap_last(text: str) -> str:
    return text[:-1] + ("q" if text[-1] != "q" else "p")


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda r: "", "starts with"),
        (lambda r: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5", "starts with"),
        (lambda r: r.upper(), "lower case"),
        (_swap_last, "checksum"),
        (lambda r: r[:10] + r[11:], "checksum"),
        (lambda r: r[:8] + "b" + r[9:], "characters Bech32"),
        (lambda r: agecrypt._bech32_encode("age", bytes(31)), "32 bytes"),
        (lambda r: agecrypt._bech32_encode("age", bytes(33)), "32 bytes"),
    ],
)
def test_malformed_recipients_are_refused(make: Any, why: str) -> None:
    good = agecrypt.recipient_of(agecrypt.generate_identity())
    agecrypt.parse_recipient(good)  # the unmodified one is fine
    with pytest.raises(AgeKeyError, match=why):
        agecrypt.parse_recipient(make(good))


def test_an_identity_is_not_a_recipient() -> None:
    identity = agecrypt.generate_identity()
    with pytest.raises(AgeKeyError):
        agecrypt.parse_recipient(identity)
    with pytest.raises(AgeKeyError):
        agecrypt.parse_identity(agecrypt.recipient_of(identity))


def test_identity_file_reading_skips_comments() -> None:
    identity = agecrypt.generate_identity()
    text = f"# created: now\n# public key: x\n\n{identity}\n"
    assert agecrypt.read_identities(text) == [identity]
    with pytest.raises(AgeKeyError, match="no AGE-SECRET-KEY"):
        agecrypt.read_identities("# nothing here\n")
    with pytest.raises(AgeKeyError):
        agecrypt.read_identities("AGE-SECRET-KEY-1NOTAKEY\n")


# --- the age command line ------------------------------------------------------


def _run(tool: str, *args: str) -> bytes:
    """Run the age CLI by its resolved path; fails the test on a non-zero exit."""
    exe = shutil.which(tool)
    assert exe is not None
    done = subprocess.run(  # noqa: S603 - fixed tool, arguments made by the test
        [exe, *args], check=True, capture_output=True, timeout=30
    )
    return done.stdout


def _keygen(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "cli-identity.txt"
    _run("age-keygen", "-o", str(path))
    recipient = _run("age-keygen", "-y", str(path)).decode().strip()
    return path, recipient


@needs_cli
def test_cli_keys_and_ours_agree(tmp_path: Path) -> None:
    path, recipient = _keygen(tmp_path)
    (identity,) = agecrypt.read_identities(path.read_text())
    assert agecrypt.recipient_of(identity) == recipient
    ours = tmp_path / "ours.txt"
    mine = agecrypt.generate_identity()
    ours.write_text(mine + "\n")
    derived = _run("age-keygen", "-y", str(ours)).decode().strip()
    assert derived == agecrypt.recipient_of(mine)


@needs_cli
@pytest.mark.parametrize("size", [0, CHUNK_SIZE, 3 * CHUNK_SIZE + 5])
def test_cli_opens_what_we_seal(tmp_path: Path, size: int) -> None:
    path, recipient = _keygen(tmp_path)
    data = hashlib.sha256(b"seed").digest() * (size // 32 + 1)
    data = data[:size]
    sealed = tmp_path / "clip.age"
    sealed.write_bytes(_seal(data, recipient))
    opened = _run("age", "-d", "-i", str(path), str(sealed))
    assert opened == data


@needs_cli
@pytest.mark.parametrize("size", [0, CHUNK_SIZE, 3 * CHUNK_SIZE + 5])
def test_we_open_what_the_cli_seals(tmp_path: Path, size: int) -> None:
    path, recipient = _keygen(tmp_path)
    plain = tmp_path / "clip.mp4"
    plain.write_bytes(bytes(i % 7 for i in range(size)))
    sealed = tmp_path / "clip.age"
    _run("age", "-r", recipient, "-o", str(sealed), str(plain))
    (identity,) = agecrypt.read_identities(path.read_text())
    assert _open(sealed.read_bytes(), identity) == plain.read_bytes()


def test_calls_without_keys_and_headers_without_recipients_are_refused() -> None:
    with pytest.raises(AgeKeyError, match="at least one recipient"):
        agecrypt.encrypt(io.BytesIO(b"x"), io.BytesIO(), [])
    with pytest.raises(AgeKeyError, match="at least one identity"):
        agecrypt.decrypt(io.BytesIO(b"x"), io.BytesIO(), [])
    with pytest.raises(AgeKeyError, match="starting with 'age1'"):
        agecrypt.parse_recipient(None)  # type: ignore[arg-type]
    no_stanza = agecrypt.MAGIC + b"--- " + b"A" * 43 + b"\n"
    with pytest.raises(AgeHeaderError, match="names no recipient"):
        agecrypt.decrypt(
            io.BytesIO(no_stanza), io.BytesIO(), [agecrypt.generate_identity()]
        )


def test_non_canonical_bech32_padding_is_refused() -> None:
    good = agecrypt.recipient_of(agecrypt.generate_identity())
    words = [agecrypt._CHARSET.index(c) for c in good[4:-6]]
    words[-1] |= 1  # a padding bit set: same key bytes, another string
    data = bytes(agecrypt._convert_bits(words, 5, 8, pad=True))[:32]
    agecrypt.parse_recipient(agecrypt._bech32_encode("age", data))
    hrp = agecrypt._hrp_expand("age")
    check = agecrypt._polymod([*hrp, *words, 0, 0, 0, 0, 0, 0]) ^ 1
    tail = [(check >> 5 * (5 - i)) & 31 for i in range(6)]
    text = "age1" + "".join(agecrypt._CHARSET[w] for w in [*words, *tail])
    with pytest.raises(AgeKeyError, match="padding is not canonical"):
        agecrypt.parse_recipient(text)
