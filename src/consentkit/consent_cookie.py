"""The signed consent cookie: encode and verify. Pure (itsdangerous only).

Payload (compact JSON, signed with ``URLSafeTimedSerializer`` and consentkit's own salt)::

    {"v": "<policy version>", "c": ["analytics", ...], "i": "<random consent id>"}

The signer's own timestamp is the time of the choice. Tampered, expired, malformed or
signed for another policy version decodes to ``None``: "no consent", never an error.
Key rotation: ``secret_keys`` lists keys newest first; the newest signs, all verify.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

SALT = "consentkit.consent.v1"


class _CompactJSON:
    @staticmethod
    def dumps(obj: object) -> str:
        return json.dumps(obj, separators=(",", ":"), ensure_ascii=True)

    @staticmethod
    def loads(data: str | bytes) -> object:
        return json.loads(data)


@dataclass(frozen=True, slots=True)
class ConsentRecord:
    """A decoded, verified consent cookie."""

    version: str
    categories: frozenset[str]
    id: str
    issued_at: datetime


def new_consent_id() -> str:
    """A random, URL-safe id of 16 characters (96 bits)."""
    return secrets.token_urlsafe(12)


class ConsentCodec:
    def __init__(self, secret_keys: Sequence[str | bytes], max_age_seconds: int) -> None:
        # itsdangerous signs with the last key and verifies with all: we take newest first.
        newest_last: list[Any] = list(reversed(list(secret_keys)))
        self._serializer = URLSafeTimedSerializer(newest_last, salt=SALT, serializer=_CompactJSON)
        self.max_age_seconds = max_age_seconds

    def encode(self, version: str, categories: Iterable[str], consent_id: str) -> str:
        payload = {"v": version, "c": sorted(categories), "i": consent_id}
        return self._serializer.dumps(payload)

    def decode(self, value: str, version: str, known: frozenset[str]) -> ConsentRecord | None:
        """Verify and decode; ``None`` for anything that is not a valid current consent."""
        if not value or len(value) > 1024:
            return None
        try:
            payload, signed_at = self._serializer.loads(
                value, max_age=self.max_age_seconds, return_timestamp=True
            )
        except (BadData, ValueError, TypeError):
            return None
        if not isinstance(payload, dict) or payload.get("v") != version:
            return None
        cats, cid = payload.get("c"), payload.get("i")
        if not isinstance(cats, list) or not isinstance(cid, str) or not cid:
            return None
        if not all(isinstance(c, str) and c in known for c in cats):
            return None
        when = signed_at if signed_at.tzinfo else signed_at.replace(tzinfo=UTC)
        return ConsentRecord(version, frozenset(cats), cid, when)
