"""A consent receipt (the proof of one choice) and the interface every store implements.

Pure: the backends in ``sqlite.py`` and ``postgres.py`` do the I/O.
"""

from __future__ import annotations

import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from ..errors import StorageError

Row = TypeVar("Row")


@dataclass(frozen=True, slots=True)
class Receipt:
    """What a visitor chose, when, where and under which policy.

    ``ip`` is already truncated (``203.0.113.0``) and ``user_agent`` is coarse
    (``"Firefox 120 / Linux / desktop"``): a receipt holds no raw address.
    ``delete_after`` is when ``consentkit receipts purge`` may remove it; ``retention_tag``
    names the retention rule that set it.
    """

    consent_id: str
    created_at: datetime
    policy_version: str
    granted: tuple[str, ...]
    refused: tuple[str, ...]
    regime: str
    region: str | None
    gpc: bool
    language: str | None
    ip: str | None
    user_agent: str | None
    retention_tag: str
    delete_after: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "consent_id": self.consent_id,
            "created_at": _iso(self.created_at),
            "policy_version": self.policy_version,
            "granted": list(self.granted),
            "refused": list(self.refused),
            "regime": self.regime,
            "region": self.region,
            "gpc": self.gpc,
            "language": self.language,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "retention_tag": self.retention_tag,
            "delete_after": _iso(self.delete_after),
        }


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (naive values are taken to be UTC)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


class ReceiptStore(ABC):
    """Where receipts go. ``save`` must not return before the receipt is durable; any
    failure raises :class:`~consentkit.errors.StorageError`. Safe to share across threads.
    A store may also save on an event loop (:meth:`asave`)."""

    @abstractmethod
    def save(self, receipt: Receipt) -> None:
        """Store one receipt durably."""

    @abstractmethod
    def by_consent_id(self, consent_id: str) -> list[Receipt]:
        """Every receipt of this consent id, oldest first."""

    @abstractmethod
    def purge(self, now: datetime) -> int:
        """Delete the receipts whose ``delete_after`` is before ``now``; return how many."""

    @abstractmethod
    def close(self) -> None:
        """Release connections and files."""

    async def asave(self, receipt: Receipt) -> None:
        """Store one receipt durably without blocking the running event loop.

        The same contract as ``save``: return only once the receipt is durable, raise
        StorageError when it cannot be stored. By default ``save`` runs in a worker thread;
        a store with a native async driver overrides this (see :attr:`saves_async`), and
        the ASGI adapter then awaits it on the loop."""
        import anyio.to_thread

        await anyio.to_thread.run_sync(self.save, receipt)

    async def aclose(self) -> None:
        """Release what :meth:`asave` opened on the running event loop. The ASGI adapter
        awaits it at lifespan shutdown, before :meth:`close`. Nothing by default."""
        return None

    @property
    def saves_async(self) -> bool:
        """Whether this store implements :meth:`asave`."""
        return type(self).asave is not ReceiptStore.asave

    def export_json(self, consent_id: str) -> str:
        """Every receipt of this consent id as a JSON document (for an access request)."""
        receipts = [receipt.to_json() for receipt in self.by_consent_id(consent_id)]
        return json.dumps({"consent_id": consent_id, "receipts": receipts}, indent=2)


class _Ticket(Generic[Row]):
    __slots__ = ("done", "error", "row", "taken")

    def __init__(self, row: Row) -> None:
        self.row = row
        self.taken = False  # a writer has it in a batch
        self.done = threading.Event()
        self.error: Exception | None = None


class GroupCommit(Generic[Row]):
    """Writes the rows of concurrent :meth:`submit` calls together, in transactions.

    Every caller queues its row, then waits for one of ``writers`` writing slots; a caller
    that gets a slot while its row is still queued writes everything queued in one
    transaction (one disk flush), and the others wait for the batch that took theirs.
    ``submit`` returns only once its row is committed, and raises StorageError when the
    transaction that carried it failed: no row is acknowledged without being durable.
    """

    def __init__(self, write_batch: Callable[[Sequence[Row]], None], writers: int = 1) -> None:
        self._write_batch = write_batch
        self._slots = threading.BoundedSemaphore(writers)
        self._queue_lock = threading.Lock()
        self._queue: list[_Ticket[Row]] = []

    def submit(self, row: Row) -> None:
        ticket = _Ticket(row)
        with self._queue_lock:
            self._queue.append(ticket)
        with self._slots:
            with self._queue_lock:
                batch: list[_Ticket[Row]] = [] if ticket.taken else self._queue
                if batch:
                    self._queue = []
                    for item in batch:
                        item.taken = True
            if batch:
                self._write(batch)
        ticket.done.wait()
        if ticket.error is not None:
            raise StorageError(f"cannot store a consent receipt: {ticket.error}") from (
                ticket.error
            )

    def _write(self, batch: list[_Ticket[Row]]) -> None:
        error: Exception | None = None
        try:
            self._write_batch([item.row for item in batch])
        except Exception as exc:  # reported to every caller of the batch
            error = exc
        for item in batch:
            item.error = error
            item.done.set()
