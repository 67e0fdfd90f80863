"""Group commit on an event loop: the async twin of :class:`~.base.GroupCommit`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

from ..errors import StorageError

Row = TypeVar("Row")


class _Ticket(Generic[Row]):
    __slots__ = ("done", "row", "taken")

    def __init__(self, row: Row, done: asyncio.Future[None]) -> None:
        self.row = row
        self.taken = False  # a writer has it in a batch
        self.done = done


class AsyncGroupCommit(Generic[Row]):
    """Writes the rows of concurrent :meth:`submit` calls together, in transactions.

    Every caller queues its row, then waits for one of ``writers`` writing slots; a caller
    that gets a slot while its row is still queued writes everything queued as one batch,
    and the others wait for the batch that took theirs. ``submit`` returns only once its
    row is committed, and raises StorageError when the batch that carried it failed.

    Bound to the event loop it is first used on. A batch is written by a task of its own,
    so a caller that is cancelled mid-write does not leave the others of its batch waiting.
    """

    def __init__(self, write_batch: Callable[[Sequence[Row]], Awaitable[None]],
                 writers: int = 1) -> None:
        self._write_batch = write_batch
        self._slots = asyncio.Semaphore(writers)
        self._queue: list[_Ticket[Row]] = []

    async def submit(self, row: Row) -> None:
        ticket = _Ticket(row, asyncio.get_running_loop().create_future())
        self._queue.append(ticket)
        async with self._slots:
            if not ticket.taken:
                batch, self._queue = self._queue, []
                for item in batch:
                    item.taken = True
                await asyncio.shield(self._write(batch))
        await ticket.done

    async def _write(self, batch: list[_Ticket[Row]]) -> None:
        error: Exception | None = None
        try:
            await self._write_batch([item.row for item in batch])
        except Exception as exc:  # reported to every caller of the batch
            error = exc
        for item in batch:
            if item.done.done():  # its caller was cancelled
                continue
            if error is None:
                item.done.set_result(None)
            else:
                failure = StorageError(f"cannot store a consent receipt: {error}")
                failure.__cause__ = error
                item.done.set_exception(failure)
