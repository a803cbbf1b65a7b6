"""What the outbox keeps: one item per piece of work the hub must take.

Items are plain data with their own stored form, so the store, the delivery
of decisions and the uploads can each work on them without knowing the
others. Items are deliberately generic (``kind``, ``body``, ``share_id``,
``uploads``): once the hub acknowledged a share (``share_id`` known, stored
durably), the item stays queued until each clip in ``uploads`` was uploaded,
skipped as damaged, or the share ended.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Final, Literal, Self
from uuid import uuid4

from homeassistant.util import dt as dt_util

from .ledger_chain import plain_json
from .sealing import Seal

ITEM_DECISION: Final = "decision"
ITEM_REVOCATION: Final = "revocation"
DECISIONS: Final = ("share", "decline")
UPLOAD_PENDING: Final = "pending"
UPLOAD_DONE: Final = "uploaded"
UPLOAD_FAILED: Final = "failed"
BACKOFF_MIN: Final = 5.0
BACKOFF_MAX: Final = 300.0
# Answers from the hub (5xx, 408, garbage) an item may collect before it is
# given up. An unreachable hub does not count: an outage of any length must
# not lose a decision, but a hub that keeps answering "no" for hours will not
# change its mind. 20 tries at the capped backoff are about 1.5 hours.
MAX_ANSWERED_FAILURES: Final = 20
# What the ledger keeps of each shared clip: enough to prove which bytes.
LEDGERED_CLIP_KEYS: Final = ("clip_id", "plaintext_sha256", "sha256", "size")
_KNOWN: Final = frozenset(
    {
        "id",
        "kind",
        "request_id",
        "body",
        "created_at",
        "attempts",
        "last_error",
        "share_id",
        "uploads",
    }
)


def upload_entry(clip_id: str, seal: Seal | None) -> dict[str, Any]:
    """A clip still to be uploaded, with the seal it is uploaded under."""
    entry: dict[str, Any] = {"clip_id": clip_id, "state": UPLOAD_PENDING}
    if seal is not None:
        entry["seal"] = {"recipient": seal.recipient, "seed": seal.seed}
    return entry


def seal_of(upload: dict[str, Any]) -> Seal | None:
    """The stored seal of an upload; None for one queued before sealing."""
    stored = upload.get("seal")
    if not isinstance(stored, dict):
        return None
    recipient, seed = stored.get("recipient"), stored.get("seed")
    if not isinstance(recipient, str) or not isinstance(seed, str):
        return None
    return Seal(recipient, seed)


class AlreadyQueued(ValueError):
    """A decision for this request is already waiting to be delivered."""

    def __init__(self, request_id: str) -> None:
        super().__init__(f"A decision for request {request_id} is already queued")
        self.request_id = request_id


class DamagedItemError(ValueError):
    """A stored outbox item that cannot be read."""


@dataclass(slots=True)
class OutboxItem:
    """One queued piece of work for the hub, kept until it is done.

    ``body`` is sent exactly as stored, so a retry repeats the first attempt
    byte for byte and the hub's idempotency replay applies.
    """

    id: str
    request_id: str
    body: dict[str, Any]
    created_at: str
    kind: str = ITEM_DECISION
    attempts: int = 0
    last_error: str | None = None
    share_id: str | None = None
    uploads: list[dict[str, Any]] = field(default_factory=list)
    # Keys written by a newer version, kept so a downgrade loses nothing.
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def decision(self) -> str:
        """``share`` or ``decline`` (``revoke`` for a revocation)."""
        if self.kind == ITEM_REVOCATION:
            return "revoke"
        return str(self.body.get("decision"))

    @property
    def uploading(self) -> bool:
        """The hub has the decision; clips are still to be uploaded."""
        return self.kind == ITEM_DECISION and self.share_id is not None

    @property
    def idempotency_key(self) -> str:
        """The key the hub uses to recognise a repeat of this decision."""
        return str(self.body.get("idempotency_key"))

    def to_dict(self) -> dict[str, Any]:
        """The item as stored."""
        return {
            **self.extra,
            "id": self.id,
            "kind": self.kind,
            "request_id": self.request_id,
            "body": self.body,
            "created_at": self.created_at,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "share_id": self.share_id,
            "uploads": self.uploads,
        }

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Read a stored item; unknown keys are kept, bad values refused.

        Raises:
            DamagedItemError: The stored item is not usable.
        """
        if not isinstance(data, dict):
            raise DamagedItemError("not an object")
        for key in ("id", "kind", "request_id", "created_at"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise DamagedItemError(f"{key} is missing")
        body = data.get("body")
        if not isinstance(body, dict):
            raise DamagedItemError("body is missing")
        if data["kind"] == ITEM_DECISION and (
            body.get("decision") not in DECISIONS
            or not isinstance(body.get("idempotency_key"), str)
        ):
            raise DamagedItemError("body is not a decision")
        if data["kind"] == ITEM_REVOCATION and not isinstance(
            data.get("share_id"), str
        ):
            raise DamagedItemError("a revocation names no share")
        attempts = data.get("attempts", 0)
        last_error = data.get("last_error")
        share_id = data.get("share_id")
        uploads = data.get("uploads", [])
        if isinstance(attempts, bool) or not isinstance(attempts, int):
            raise DamagedItemError("attempts is not a number")
        if last_error is not None and not isinstance(last_error, str):
            raise DamagedItemError("last_error is not text")
        if share_id is not None and not isinstance(share_id, str):
            raise DamagedItemError("share_id is not text")
        if not isinstance(uploads, list) or not all(
            isinstance(u, dict) for u in uploads
        ):
            raise DamagedItemError("uploads is not a list of objects")
        if any("seal" in u and seal_of(u) is None for u in uploads):
            # Never upload a clip unsealed because its seal was damaged.
            raise DamagedItemError("an upload's seal is damaged")
        return cls(
            id=data["id"],
            request_id=data["request_id"],
            body=body,
            created_at=data["created_at"],
            kind=data["kind"],
            attempts=attempts,
            last_error=last_error,
            share_id=share_id,
            uploads=uploads,
            extra={k: v for k, v in data.items() if k not in _KNOWN},
        )


@dataclass(slots=True)
class Backoff:
    """One item's own retry schedule, so a failing item holds back no other.

    Kept in memory only: after a restart every item is tried at once, which
    is what a household expects after Home Assistant comes back.
    """

    failures: int = 0
    answered: int = 0
    due: float = 0.0

    def fail(self, now: float, minimum: float = 0.0, *, answered: bool) -> float:
        """Push the next try out (doubling, capped, jittered); the delay."""
        self.failures += 1
        if answered:
            self.answered += 1
        ceiling = min(BACKOFF_MAX, BACKOFF_MIN * 2 ** min(self.failures - 1, 16))
        # Jitter spreads the retries of many homes after a hub outage.
        delay = max(minimum, random.uniform(ceiling / 2, ceiling))  # noqa: S311
        self.due = now + delay
        return delay

    @property
    def exhausted(self) -> bool:
        """The hub answered with a failure too often to hope for a change."""
        return self.answered >= MAX_ANSWERED_FAILURES


def _new_item(request_id: str, body: dict[str, Any]) -> OutboxItem:
    return OutboxItem(
        id=uuid4().hex,
        request_id=request_id,
        body=body,
        created_at=dt_util.utcnow().isoformat(),
    )


def new_decision(
    request_id: str,
    decision: Literal["share", "decline"],
    *,
    retention_days: int | None,
    clips: list[dict[str, Any]] | None,
    with_uploads: bool,
    seals: dict[str, Seal] | None = None,
    recipient_fingerprint: str | None = None,
) -> tuple[OutboxItem, dict[str, Any]]:
    """A new decision and its ledger entry; a fresh idempotency key each.

    ``seals`` (by clip id) are how each clip is sealed again, byte for byte,
    when it is uploaded; they are stored with the uploads, never in the body
    sent to the hub or the ledger.

    Raises:
        ValueError: The decision is not ``share``/``decline``, or a decline
            carries clips or a retention.
    """
    if decision not in DECISIONS:
        raise ValueError(f"Unknown decision {decision!r}")
    if decision == "decline" and (retention_days is not None or clips):
        raise ValueError("A decline carries no clips and no retention")
    body: dict[str, Any] = {"decision": decision, "idempotency_key": uuid4().hex}
    if retention_days is not None:
        body["retention_days"] = retention_days
    if clips is not None:
        body["clips"] = plain_json(clips)
    item = _new_item(request_id, body)
    if decision == "share" and clips and with_uploads:
        # Only an outbox that can find the files takes on the uploads.
        item.uploads = [
            upload_entry(str(c.get("clip_id")), (seals or {}).get(c["clip_id"]))
            for c in body["clips"]
        ]
    entry: dict[str, Any] = {
        "request_id": request_id,
        "decision": decision,
        "idempotency_key": item.idempotency_key,
    }
    if retention_days is not None:
        entry["retention_days"] = retention_days
    if clips is not None:
        entry["clip_ids"] = [c.get("clip_id") for c in body["clips"]]
        entry["clips"] = [
            {k: c[k] for k in LEDGERED_CLIP_KEYS if k in c} for c in body["clips"]
        ]
    if recipient_fingerprint is not None:
        entry["agency_recipient_fingerprint"] = recipient_fingerprint
    return item, entry


def new_revocation(share_id: str, request_id: str) -> OutboxItem:
    """A new revocation of a share."""
    item = _new_item(request_id, {"share_id": share_id})
    item.kind = ITEM_REVOCATION
    item.share_id = share_id
    return item
