"""A share's manifest for sealed clips, and the seals its uploads reuse.

The hub checks each upload against the manifest sent with the decision, so
the ciphertext's size and ``sha256`` must be known before anything is
uploaded. Each clip is sealed once into a hash here (in the executor,
streaming, nothing written); the outbox seals the same bytes again from the
stored seed while uploading (see ``sealing``). Sealing reads the whole file,
so it doubles as the check that the clip is still what was recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .clips import Clip, ClipLibrary
from .sealing import SEALED_CONTENT_TYPE, Seal, digest_sealed, fingerprint, new_seed


@dataclass(slots=True)
class SealedManifest:
    """What a share tells the hub, what the outbox keeps, what went wrong."""

    recipient: str
    clips: list[dict[str, Any]]
    seals: dict[str, Seal]
    damaged: list[str]

    @property
    def recipient_fingerprint(self) -> str:
        """The agency recipient's fingerprint, as the ledger records it."""
        return fingerprint(self.recipient)


def _entry(clip: Clip, size: int, sha256: str) -> dict[str, Any]:
    return {
        "clip_id": clip.clip_id,
        "camera": clip.camera,
        "start": dt_util.as_utc(clip.start).isoformat(),
        "end": dt_util.as_utc(clip.end).isoformat(),
        "content_type": SEALED_CONTENT_TYPE,
        "inner_content_type": clip.content_type,
        "size": size,
        "sha256": sha256,
        "plaintext_sha256": clip.sha256,
    }


async def async_seal_manifest(
    hass: HomeAssistant, library: ClipLibrary, clips: list[Clip], recipient: str
) -> SealedManifest:
    """Seal every clip to ``recipient`` into hashes; damaged files are named."""
    out = SealedManifest(recipient, [], {}, [])
    for clip in clips:
        seal = Seal(recipient, new_seed())
        try:
            size, sha256, plain = await hass.async_add_executor_job(
                digest_sealed, library.file_path(clip), seal
            )
        except OSError:
            out.damaged.append(clip.clip_id)
            continue
        if plain != clip.sha256:
            out.damaged.append(clip.clip_id)
            continue
        out.clips.append(_entry(clip, size, sha256))
        out.seals[clip.clip_id] = seal
    return out
